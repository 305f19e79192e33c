import { changesLine, type AskResult, type PermissionPolicy, type SessionSummary } from '../../contract';
import type { Allowance, CallContext, ContractCaller } from '../ipc/router';
import { callOrThrow } from '../ipc/router';
import type { StoredJob } from './job-rules';

/** How a job calls the contract: the `schedule` surface, the job as the actor (turns, questions and the inbox name it). */
export function jobCaller(jobId: string): CallContext {
  return { surface: 'schedule', actor: `job:${jobId}` };
}

/**
 * What the owner allowed a job's calls (the router asks this for every call): the permission mode the job is
 * stored with, for a Claude job that waits for no approval, since such a job was made or approved by the
 * owner (a loose mode from anyone else waits for them, `needsOwner`). Nothing for any other caller, for a
 * job that is gone or still waiting, and never from a context the caller filled in.
 */
export function jobAllowance(ctx: CallContext, job: (id: string) => StoredJob | undefined): Allowance | null {
  if (ctx.surface !== 'schedule' || !ctx.actor.startsWith('job:')) return null;
  const found = job(ctx.actor.slice('job:'.length));
  return found && found.kind === 'claude' && !found.approval ? { permissionPolicy: found.permissionPolicy } : null;
}

/**
 * The sessions a job's Claude runs in, through the contract as the job (scheduler/ does not reach the
 * session manager): the router checks every call, and the mode the owner approved with the job is
 * what lets its session work without asking (`jobAllowance`).
 */
export class JobSessions {
  constructor(private readonly router: ContractCaller) {}

  /** Whether the session still exists (a persistent job's, kept from an earlier run). */
  async exists(id: string, jobId: string): Promise<boolean> {
    const got = await this.router.call('sessions.get', { id }, jobCaller(jobId));
    if (got.ok) return true;
    if (got.error.code === 'not_found') return false;
    throw new Error(got.error.message);
  }

  /** A new session for the job's run, in a git worktree of its own when the job asks for one. */
  create(
    jobId: string,
    input: { title: string; cwd: string | null; model: string | null; permissionPolicy: PermissionPolicy; systemPrompt: string; allowedTools: string[]; surfaceKey: string; worktree: boolean },
  ): Promise<SessionSummary> {
    const { worktree, cwd, ...fields } = input;
    return callOrThrow(this.router, 'sessions.create', { ...fields, ...(cwd === null ? {} : { cwd }), ...(worktree ? { worktree: true } : {}) }, jobCaller(jobId));
  }

  /** A carried-on session's mode (the job's as it is now) and system prompt (for its next start). */
  update(jobId: string, input: { id: string; permissionPolicy: PermissionPolicy; systemPrompt?: string | null }): Promise<SessionSummary> {
    return callOrThrow(this.router, 'sessions.update', input, jobCaller(jobId));
  }

  /** Sends the run's prompt as the job and waits for the turn; an aborted signal interrupts it. */
  async ask(jobId: string, input: { id: string; text: string; timeoutMs: number }, signal?: AbortSignal): Promise<AskResult> {
    const onAbort = () => void this.interrupt(jobId, input.id);
    signal?.addEventListener('abort', onAbort);
    try {
      return await callOrThrow(this.router, 'sessions.ask', input, jobCaller(jobId));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops the running turn (the job's timeout, or the run cancelled). */
  async interrupt(jobId: string, id: string): Promise<void> {
    await this.router.call('sessions.interrupt', { id }, jobCaller(jobId));
  }

  /** Stops the session's process now (a fresh run's session is never spoken to again). */
  async release(jobId: string, id: string): Promise<void> {
    await callOrThrow(this.router, 'sessions.release', { id }, jobCaller(jobId));
  }

  /** What a session's worktree holds against its base, in one line ("2 files changed, +4 −1 on … (from main)"); null when nothing. */
  async changes(jobId: string, id: string): Promise<string | null> {
    const c = await callOrThrow(this.router, 'sessions.changes', { id, limit: 1 }, jobCaller(jobId));
    return c.totalFiles ? `${changesLine(c)} on ${c.branch} (from ${c.baseBranch})` : null;
  }

  /** A session's title, for who made a job ("the Claude session “…”"); null when it is not one of ours. */
  async title(id: string): Promise<string | null> {
    const got = await this.router.call('sessions.get', { id }, { surface: 'schedule', actor: 'scheduler' });
    return got.ok ? got.value.title : null;
  }
}
