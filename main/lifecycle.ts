import type { ServiceStatus } from '../contract';
import { errorMessage } from './errors';
import { log } from './log';

/** What the composition root starts and stops. */
export interface Service {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** Where a service that connects to something stands (a bot is a running service while off). */
  connection?(): NonNullable<ServiceStatus['connection']>;
}

interface Entry {
  service: Service;
  /** A required service failing stops the core; an optional one is reported and skipped. */
  required: boolean;
  status: ServiceStatus;
}

/** Raised when a required service cannot start; names the service so the user knows where to look. */
export class ServiceStartError extends Error {
  constructor(
    readonly serviceName: string,
    readonly causeError: unknown,
  ) {
    super(`Switchboard could not start its ${serviceName} service: ${errorMessage(causeError)}`);
    this.name = 'ServiceStartError';
  }
}

/** Starts services in order, stops them in reverse, and keeps each one's state for the health panel. */
export class Lifecycle {
  private readonly entries: Entry[] = [];

  add(service: Service, options: { required: boolean } = { required: true }): void {
    this.entries.push({ service, required: options.required, status: { name: service.name, state: 'stopped' } });
  }

  statuses(): ServiceStatus[] {
    return this.entries.map((e) => (e.status.state === 'running' && e.service.connection ? { ...e.status, connection: e.service.connection() } : { ...e.status }));
  }

  async start(): Promise<void> {
    for (const entry of this.entries) {
      entry.status = { name: entry.service.name, state: 'starting' };
      try {
        await entry.service.start();
        entry.status = { name: entry.service.name, state: 'running' };
      } catch (error) {
        entry.status = { name: entry.service.name, state: 'failed', error: errorMessage(error) };
        if (entry.required) {
          await this.stop();
          throw new ServiceStartError(entry.service.name, error);
        }
        log.error(`optional service ${entry.service.name} failed to start`, error);
      }
    }
  }

  /** Stops every running service in reverse order; one failing stop does not keep the others running. */
  async stop(): Promise<void> {
    for (const entry of [...this.entries].reverse()) {
      if (entry.status.state !== 'running') continue;
      entry.status = { name: entry.service.name, state: 'stopping' };
      try {
        await entry.service.stop();
        entry.status = { name: entry.service.name, state: 'stopped' };
      } catch (error) {
        entry.status = { name: entry.service.name, state: 'failed', error: `stop failed: ${errorMessage(error)}` };
        log.error(`${entry.service.name} failed to stop`, error);
      }
    }
  }
}
