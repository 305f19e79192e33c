import type { AskResult, PermissionPolicy, SessionSummary, Surface } from '../../contract';
import type { CallContext } from '../ipc/router';

/**
 * What the scheduler does with the sessions its Claude jobs run in. The root hands it the session manager,
 * which fits this shape; scheduler/ does not import sessions/. Not the router: a job's permission mode and
 * its own folder's write rule were allowed by the owner when the job was approved, which the contract's
 * owner check (a job is not the owner) would refuse again, and `release` and an abortable `ask` have no method.
 */
export interface JobSessions {
  list(): SessionSummary[];
  create(input: {
    title: string;
    cwd: string | null;
    model: string | null;
    permissionPolicy: PermissionPolicy;
    systemPrompt: string | null;
    allowedTools: string[];
    surfaceKey: string;
    surface: Surface;
  }): SessionSummary;
  update(input: { id: string; systemPrompt?: string | null }): Promise<SessionSummary>;
  /** Sends the run's prompt as the job and waits for the turn; an aborted signal interrupts it. */
  ask(input: { id: string; text: string; timeoutMs: number }, from: CallContext, signal?: AbortSignal): Promise<AskResult>;
  interrupt(id: string): Promise<boolean>;
  /** Stops the session's process now (a fresh run's session is never spoken to again). */
  release(id: string): Promise<void>;
}
