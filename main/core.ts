import { EventBus } from './events';
import { Router } from './ipc/router';
import { Lifecycle } from './lifecycle';
import type { SecretStore } from './secrets/secret-store';
import { SettingsService } from './settings/settings-service';
import { StorageService } from './storage/storage-service';
import { SystemService, type AppInfo } from './system/system-service';

export interface CoreConfig {
  dataDir: string;
  app: AppInfo;
  /** What the shell provides: safeStorage in Electron, a 0600 file headless. */
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
}

export interface Core {
  readonly config: CoreConfig;
  readonly events: EventBus;
  readonly router: Router;
  readonly lifecycle: Lifecycle;
  readonly storage: StorageService;
  readonly settings: SettingsService;
  readonly system: SystemService;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The composition root: every service is built here, handed its dependencies, and started in order. */
export function createCore(config: CoreConfig): Core {
  const env = config.env ?? process.env;
  const events = new EventBus();
  const lifecycle = new Lifecycle();
  const storage = new StorageService(config.dataDir);
  const settings = new SettingsService(storage, events);
  const system = new SystemService({
    app: config.app,
    dataDir: config.dataDir,
    env,
    storage,
    settings,
    statuses: () => lifecycle.statuses(),
  });
  lifecycle.add(storage);
  lifecycle.add(settings);
  lifecycle.add(system);

  const router = new Router({
    'system.health': () => system.health(),
    'settings.get': ({ key }) => settings.get(key),
    'settings.set': (change) => settings.set(change),
    'settings.list': () => settings.list(),
  });

  return {
    config,
    events,
    router,
    lifecycle,
    storage,
    settings,
    system,
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}
