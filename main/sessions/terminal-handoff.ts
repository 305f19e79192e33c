import { permissionModeArgs } from '../claude/args';
import { transcriptExists } from '../claude/transcripts';
import { AppError } from '../errors';
import { log } from '../log';
import type { SessionSummary } from '../../contract';
import type { ClaudeLedger } from './claude-ledger';
import type { Runtime, SessionManagerDeps } from './session-runtime';
import type { SessionRow, SessionStore } from './session-store';

/** What the hand-off needs of the session manager. */
export interface TerminalHandoffHost {
  readonly runtimes: Map<string, Runtime>;
  readonly ledger: ClaudeLedger;
  stopping(): boolean;
  row(id: string): SessionRow;
  runtime(id: string): Runtime;
  changed(id: string): SessionSummary;
  stopProcess(rt: Runtime): Promise<void>;
}

/**
 * A session handed to a `claude` terminal and taken back when it ends: while it is there, its CLI runs
 * in the terminal and nothing is sent from the app (two processes on one session corrupt it).
 */
export class TerminalHandoff {
  private readonly store: SessionStore;

  constructor(
    private readonly deps: SessionManagerDeps,
    private readonly host: TerminalHandoffHost,
  ) {
    this.store = deps.store;
  }

  /**
   * Hands the session to a `claude` terminal: refused while a turn runs or waits, its own idle
   * process stopped first (two processes on one session corrupt it). Returns the TUI's arguments.
   */
  async handToTerminal(id: string): Promise<string[]> {
    const row = this.host.row(id);
    const rt = this.host.runtime(id);
    if (rt.inTerminal) throw new AppError('conflict', 'This session is already open in a terminal.');
    if (rt.current || rt.queue.length) throw new AppError('conflict', 'Claude is working in this session; wait for the turn to end (or stop it), then open it in the terminal.');
    rt.inTerminal = true;
    await this.host.stopProcess(rt);
    const holder = this.host.ledger.holder(row.claude_session_id);
    if (holder) {
      rt.inTerminal = false;
      throw new AppError('conflict', `Claude is still running this session (process ${holder.pgid}); try again in a moment.`);
    }
    // What decides is whether the CLI wrote a transcript: a TUI that ended before any message wrote none.
    const started = row.cli_started === 1 && (await transcriptExists(this.deps.env, row.claude_session_id));
    const args = started ? ['--resume', row.claude_session_id] : ['--session-id', row.claude_session_id];
    if (!started) this.store.updateSession(id, { cli_started: 1 });
    // What the app's process wrote is read as the app's before the TUI's lines start.
    else await this.deps.catchUpTranscript?.(row.claude_session_id).catch((error: unknown) => log.error('sessions: reading the transcript failed', error));
    rt.tuiWrites = true;
    if (row.model) args.push('--model', row.model);
    args.push(...permissionModeArgs(row.permission_policy));
    this.host.changed(id);
    return args;
  }

  /** Whether one of our sessions is open in its own Terminal tab (its transcript is then the TUI's, not the app's). */
  inTerminal(claudeSessionId: string): boolean {
    const owner = this.store.ownerOfClaudeSession(claudeSessionId);
    return !!owner && !!this.host.runtimes.get(owner.id)?.tuiWrites;
  }

  /** The terminal's `claude` runs: kept with the app's own processes, so a start after a crash ends it too. */
  terminalStarted(id: string, pid: number): void {
    const rt = this.host.runtimes.get(id);
    const row = this.store.session(id);
    if (!rt || !row) return;
    rt.terminalPid = pid;
    this.host.ledger.add({ pgid: pid, claudeSessionId: row.claude_session_id, sessionId: id, kind: 'terminal' });
  }

  /** The terminal running this session ended: messages are sent from here again (resuming what it did). */
  async takeBackFromTerminal(id: string): Promise<void> {
    const rt = this.host.runtimes.get(id);
    // A terminal ending because Switchboard stops: the database may be closed already; the next start reads the transcript.
    if (!rt || this.host.stopping()) return;
    if (rt.terminalPid !== null) this.host.ledger.remove(rt.terminalPid);
    rt.terminalPid = null;
    const row = this.store.session(id);
    if (row) {
      // A TUI closed before any message left no transcript: the next start, here or there, makes the session anew with its id.
      if (!(await transcriptExists(this.deps.env, row.claude_session_id))) this.store.updateSession(id, { cli_started: 0 });
      // Its last turns are stored as the TUI's, not skipped as the app's own.
      else await this.deps.catchUpTranscript?.(row.claude_session_id).catch((error: unknown) => log.error('sessions: reading the terminal transcript failed', error));
    }
    rt.tuiWrites = false;
    rt.inTerminal = false;
    if (this.store.session(id)) this.host.changed(id);
  }
}
