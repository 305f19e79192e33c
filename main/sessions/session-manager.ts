import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Approval, AskResult, Denial, Message, PermissionPolicy, SessionStatus, SessionSummary, SessionWorktree, StreamItem, Surface, Transcript, Turn, TurnStatus } from '../../contract';
import type { ApprovalBroker } from '../approvals/approval-broker';
import { buildClaudeArgs, cliPermissionMode, permissionModeArgs } from '../claude/args';
import { ClaudeProcess, type ClaudeExit } from '../claude/claude-process';
import { chooseClaudeCommand, cliStartFailure } from '../claude/cli-locator';
import { transcriptExists } from '../claude/transcripts';
import type { ClaudeEvent, TurnResult } from '../claude/events';
import type { CallContext } from '../ipc/router';
import { AppError, errorMessage } from '../errors';
import { expandFolder } from '../folders';
import { isOwner } from '../ipc/owner';
import { workFolderRefusal } from '../work-folder';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import type { Notifier } from '../notifier';
import { isLimitFailure, type KeptWait } from './plan-limit';
import type { SettingsService } from '../settings/settings-service';
import { makePrivateDir } from '../storage/private-files';
import { isOwnSessionFolder, ownSessionFolders } from '../storage/session-folders';
import type { StorageService } from '../storage/storage-service';
import { log } from '../log';
import { ClaudeLedger } from './claude-ledger';
import type { NewMessage, SessionRow, SessionStore, TurnEnd } from './session-store';
import { SpareClaude, type ClaudeLaunchSpec } from './spare-claude';
import { compactionNotice, failedTurnError } from './turn-errors';
import { sessionCosts, withCounted, type CostReader } from './turn-costs';

/** How long an interrupt may take before the process is killed. */
const INTERRUPT_GRACE_MS = 5_000;
const WATCHDOG_TICK_MS = 250;
/** Streamed text reaches the database at most this often while a block is being written. */
const PARTIAL_FLUSH_MS = 500;
const NEW_TITLE = 'New session';
/** What the session is told when the plan's limit has reset: Claude goes on with the interrupted turn. */
const CONTINUE_AFTER_LIMIT = 'Your usage limit has reset. Continue where you left off.';


interface Current {
  turnId: string;
  prompt: string;
  startedAt: number;
  /** Streamed text not yet stored as a whole block: kept if the process dies mid-block. */
  partialText: string;
  interrupted: boolean;
  stalled: boolean;
  /** While Claude waits for a permission answer it is silent on purpose: no stall. */
  waitingApprovals: number;
  restartedFresh: boolean;
  /** The CLI compacted the conversation during this turn (said once). */
  compacted?: boolean;
  /** Pending write of `partialText` to the turn row, so a crash keeps what was streamed. */
  partialTimer: NodeJS.Timeout | null;
  /** Tool calls refused by an answer (or a timeout): their results are denials, not errors. */
  /** The turn's "retrying the API" note, updated with each attempt. */
  retryNote?: number;
  /** Calls that did not run, by tool use id, with why. */
  denied: Map<string, Denial>;
  /** The CLI said the API refused on a rate limit (its `rate_limit` error). */
  rateLimited?: boolean;
  /** Waiting for the plan's limit to reset (no process meanwhile): the turn carries on then. */
  limitUntil?: number | null;
}

interface Runtime {
  sessionId: string;
  process: ClaudeProcess | null;
  /** The process's cumulative cost at its last result: a turn's cost is the difference. */
  processCost: number;
  queue: string[];
  current: Current | null;
  /** How the last turn ended when it went wrong, shown until the next message. */
  outcome: 'failed' | 'stalled' | null;
  lastError: string | null;
  lastActivity: number;
  idleTimer: NodeJS.Timeout | null;
  /** The session is open in a `claude` terminal: its CLI runs there, so nothing is sent from here. */
  inTerminal: boolean;
  /** The transcript's new lines are the TUI's (read in as they come), not the app's process's (stored already). */
  tuiWrites: boolean;
  /** That terminal's process, once it runs. */
  terminalPid: number | null;
  /** A stopped process still exiting: the next one waits for it (two processes on one session fork it). */
  exiting: Promise<unknown> | null;
  /** Its start changed (a new model the CLI would not take live): the next turn starts a new process, resuming. */
  restartBeforeNext?: boolean;
}

export interface SessionManagerDeps {
  storage: StorageService;
  events: EventBus;
  settings: SettingsService;
  approvals: ApprovalBroker;
  notifier: Notifier;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Free memory in MB; replaceable so tests can simulate a full machine. */
  freeMemoryMb?: () => number;
  /** Whether the CLI runs as root, where it refuses to bypass permissions. */
  isRoot?: boolean;
  /** Whether Claude Code outside the app is writing this session now (a terminal or IDE). */
  activeElsewhere?: (claudeSessionId: string) => boolean;
  /** Stores what the session's own TUI wrote, before the app takes the session back from it. */
  catchUpTranscript?: (claudeSessionId: string) => Promise<void>;
  /** Switchboard's MCP server, when it listens: every session gets it, so Claude can remember, schedule and notify. */
  mcpServer?: (sessionId: string) => { url: string; token: string } | null;
  /** Refuses a new turn past a budget (throws the reason in the user's words); a surface's turns count for its own cap. */
  gate?: (surface: Surface) => void;
  /** The plan's own figures, as a CLI reports them (rate_limit_event). */
  onRateLimit?: (info: Record<string, unknown>) => void;
  /** Whether a warm spare CLI is kept for the next new session (the app: yes; tests ask for it). */
  warmSpare?: boolean;
  /** Turns that fail on the plan's limit wait for its reset (plan-limit.ts): until when, or null to fail as before. */
  limitWait?: { wait(sessionId: string, errorText: string, turnId: string): number | null; forget(sessionId: string): void; restore(keep: (wait: KeptWait) => boolean): KeptWait[] };
  /** The session's own git worktree, for its summary (main/worktrees/, wired by the root). */
  worktreeOf?: (id: string) => SessionWorktree | null;
  /** The one store of the sessions' and turns' tables, built by the root (the importer and hooks use it too). */
  store: SessionStore;
  /** What the next queued turn waits for (the finished turn's worktree checkpoint being written), or null. */
  turnGate?: (id: string) => Promise<void> | null;
  /** Turns' and sessions' costs as Usage counted them (turn-costs.ts); without it, the CLI's own figures. */
  costs?: CostReader;
}

export interface CreateSession {
  title?: string;
  cwd?: string | null;
  model?: string | null;
  permissionPolicy: PermissionPolicy;
  systemPrompt?: string | null;
  /** Tool rules this session may use without asking (a project's, say), on top of the saved ones. */
  allowedTools?: string[];
  surface: Surface;
  /** A surface's own key for the conversation (a chat id); defaults to the session id. */
  surfaceKey?: string;
  /** The id to use, when its folder was made for it first (a worktree under `<data>/worktrees/<id>`). */
  id?: string;
}

function lastLines(text: string, count = 5): string {
  return text.split('\n').filter(Boolean).slice(-count).join('\n');
}

/**
 * Every conversation with Claude runs here: one long-lived CLI process per session, a FIFO
 * queue in front of it, idle stop and transparent resume, a stall watchdog, and limits on how
 * many processes run. Every surface (window, browser, Telegram, scheduler, MCP) uses it.
 */
export class SessionManager implements Service {
  readonly name = 'sessions';
  private readonly store: SessionStore;
  private readonly runtimes = new Map<string, Runtime>();
  private watchdog: NodeJS.Timeout | null = null;
  /** Switchboard is stopping: terminals ending now are not taken back. */
  private stopping = false;
  private offSettings: (() => void) | null = null;
  /** Every Claude process started on this data folder, on disk, so a start after a crash can end them. */
  private readonly ledger: ClaudeLedger;
  /** A warm CLI for the next new session (spare-claude.ts). */
  readonly spare: SpareClaude;

  constructor(private readonly deps: SessionManagerDeps) {
    this.store = deps.store;
    this.ledger = new ClaudeLedger(path.join(deps.dataDir, 'claude-processes.json'));
    this.spare = new SpareClaude({
      dataDir: deps.dataDir,
      settings: deps.settings,
      freeMemoryMb: () => this.freeMemoryMb(),
      claimed: () => [...this.runtimes.values()].filter((rt) => rt.process?.alive || rt.current || rt.queue.length).length,
      launch: (plan) => this.launch({ id: plan.id, claude_session_id: plan.claudeSessionId, cli_started: 0, cwd: plan.cwd, model: plan.model, permission_policy: plan.policy, system_prompt: null }),
      ledger: this.ledger,
      enabled: deps.warmSpare ?? true,
    });
  }

  start(): void {
    // Before any session can resume: a Claude process left running by a Switchboard that was killed
    // would otherwise go on beside the one the next message starts, and fork the session.
    const killed = this.ledger.endLeftovers();
    if (killed.length) log.warn(`ended ${killed.length} Claude process(es) left running by the last run`, { processes: killed });
    // Turns the last run left waiting for the plan's limit stay current, their queues behind them.
    const kept = this.deps.limitWait?.restore((w) => this.store.turn(w.turnId)?.status === 'running' && this.store.turn(w.turnId)?.sessionId === w.sessionId) ?? [];
    const ended = this.store.endLeftoverTurns(kept.map((w) => w.sessionId));
    if (ended) log.warn(`${ended} turn(s) from the last run were marked failed or cancelled`);
    for (const wait of kept) {
      const rt = this.runtime(wait.sessionId);
      rt.current = { turnId: wait.turnId, prompt: this.store.turn(wait.turnId)!.prompt, startedAt: Date.now(), partialText: '', interrupted: false, stalled: false, waitingApprovals: 0, restartedFresh: false, partialTimer: null, denied: new Map(), limitUntil: wait.until };
      rt.queue = this.store.queuedTurnIds(wait.sessionId);
    }
    this.watchdog = setInterval(() => this.checkStalls(), WATCHDOG_TICK_MS);
    this.watchdog.unref();
    // A new idle time applies to the processes idle now too, counted from when each fell idle.
    this.offSettings = this.deps.events.on('settings.changed', ({ key }) => {
      if (key !== 'sessions.idleStopMinutes') return;
      for (const rt of this.runtimes.values()) if (rt.idleTimer) this.armIdleStop(rt);
    });
    this.spare.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.offSettings?.();
    if (this.watchdog) clearInterval(this.watchdog);
    await this.spare.stop();
    await Promise.all(
      [...this.runtimes.values()].map(async (rt) => {
        if (rt.idleTimer) clearTimeout(rt.idleTimer);
        // Waiting for the plan's limit: the turn and its queue are kept (plan-limit.ts) and carry on after a restart.
        if (rt.current?.limitUntil) {
          if (rt.current.partialTimer) clearTimeout(rt.current.partialTimer);
          this.store.setPartialText(rt.current.turnId, null);
          return void (await rt.exiting);
        }
        for (const turnId of rt.queue.splice(0)) {
          this.store.enterConversation(turnId, { notSent: true });
          this.store.endTurn(turnId, { status: 'cancelled', error: 'Switchboard stopped before this message was sent.' });
        }
        const proc = rt.process;
        rt.process = null;
        if (rt.current) this.endCurrent(rt, 'failed', 'Switchboard stopped during this turn.');
        await proc?.stop(1000);
        // One stopped just before (idle, or a job's fresh run) may still be exiting: nothing outlives the stop.
        await rt.exiting;
      }),
    );
  }

  list(): SessionSummary[] {
    const costs = this.deps.costs?.sessions();
    return this.store.sessions().map((row) => this.summary(row, costs));
  }

  get(id: string): SessionSummary {
    return this.summary(this.row(id));
  }

  create(input: CreateSession): SessionSummary {
    if (input.permissionPolicy === 'bypass' && (this.deps.isRoot ?? process.getuid?.() === 0)) {
      throw new AppError('invalid_input', 'permissionPolicy: the Claude CLI refuses to bypass permissions when it runs as root');
    }
    // A session in its own folder with the default model and mode takes the warm spare's ids (and folder).
    const spare = !input.id && !input.cwd && !input.systemPrompt && !input.allowedTools?.length ? this.spare.reserve({ model: input.model ?? null, policy: input.permissionPolicy }) : null;
    const id = input.id ?? spare?.id ?? randomUUID();
    let cwd: string;
    if (spare) cwd = spare.cwd;
    else if (input.cwd) {
      cwd = expandFolder(input.cwd, this.deps.env);
      if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new AppError('invalid_input', `cwd: ${cwd} is not a folder`);
      // A job's folder was checked when the job was made (by its maker); every other caller here.
      const refused = workFolderRefusal(cwd, { dataDir: this.deps.dataDir, env: this.deps.env, owner: isOwner({ surface: input.surface, actor: '' }) || input.surface === 'schedule' });
      if (refused) throw new AppError('invalid_input', `cwd: ${refused}`);
    } else {
      makePrivateDir(ownSessionFolders(this.deps.dataDir));
      cwd = path.join(ownSessionFolders(this.deps.dataDir), id);
      makePrivateDir(cwd);
    }
    const now = Date.now();
    this.store.insertSession({
      id,
      surface: input.surface,
      surface_key: input.surfaceKey ?? id,
      claude_session_id: spare?.claudeSessionId ?? randomUUID(),
      title: input.title ?? NEW_TITLE,
      cwd,
      model: input.model ?? null,
      permission_policy: input.permissionPolicy,
      system_prompt: input.systemPrompt ?? null,
      session_rules: JSON.stringify([...new Set(input.allowedTools ?? [])]),
      created_at: now,
      updated_at: now,
    });
    this.spare.fill();
    return this.changed(id);
  }

  async update(input: { id: string; title?: string; model?: string | null; permissionPolicy?: PermissionPolicy; systemPrompt?: string | null }): Promise<SessionSummary> {
    const row = this.row(input.id);
    if (input.permissionPolicy === 'bypass' && (this.deps.isRoot ?? process.getuid?.() === 0)) {
      throw new AppError('invalid_input', 'permissionPolicy: the Claude CLI refuses to bypass permissions when it runs as root');
    }
    this.store.updateSession(row.id, {
      ...(input.title !== undefined && { title: input.title }),
      ...(input.model !== undefined && { model: input.model }),
      ...(input.permissionPolicy !== undefined && { permission_policy: input.permissionPolicy }),
      ...(input.systemPrompt !== undefined && { system_prompt: input.systemPrompt }),
    });
    const rt = this.runtimes.get(row.id);
    const proc = rt?.process;
    if (input.permissionPolicy && input.permissionPolicy !== row.permission_policy && proc?.alive) {
      await proc.setPermissionMode(cliPermissionMode(input.permissionPolicy));
    }
    // A new model from the next turn, the conversation kept: the running process is told; if it does not
    // take it, it is stopped when idle and the next message resumes the session with the new model.
    if (input.model !== undefined && input.model !== row.model && proc?.alive && !(await proc.setModel(input.model))) {
      if (!rt!.current && !rt!.queue.length) await this.stopProcess(rt!);
      else rt!.restartBeforeNext = true;
    }
    return this.changed(row.id);
  }

  transcript(id: string, limit: number): Transcript {
    const row = this.row(id);
    const rt = this.runtimes.get(id);
    const cur = rt?.current;
    return {
      session: this.summary(row),
      turns: this.store.turns(id).map((t) => this.withPosition(t, rt, this.deps.costs?.turns(id))),
      messages: this.store.messages(id, limit),
      streaming: cur?.partialText ? { turnId: cur.turnId, text: cur.partialText } : null,
    };
  }

  turn(turnId: string): Turn {
    const turn = this.store.turn(turnId);
    if (!turn) throw new AppError('not_found', `no turn ${turnId}`);
    return this.withPosition(turn, this.runtimes.get(turn.sessionId));
  }

  /**
   * Stores the message and queues its turn, then returns at once. With `interrupt`, the running
   * turn is stopped and this message goes next, ahead of any others waiting.
   */
  send(id: string, text: string, from: CallContext, options: { interrupt?: boolean } = {}): Turn {
    const row = this.row(id);
    const rt = this.runtime(id);
    // Two processes on one session corrupt it: do not resume one that is running elsewhere.
    if (rt.inTerminal) {
      throw new AppError('conflict', 'This session is open in its Terminal tab, where Claude runs it now. Type there, or close that terminal to send from here.');
    }
    if (row.surface === 'external' && !rt.process?.alive && this.deps.activeElsewhere?.(row.claude_session_id)) {
      throw new AppError(
        'conflict',
        'This session is still being written by Claude Code in a terminal or IDE (within the last minute). Sending from here now would run two Claude processes on one session; wait until it is idle there.',
      );
    }
    this.deps.gate?.(from.surface);
    if (!rt.process?.alive && !rt.current) this.ensureCapacity(id);
    const turn = this.store.insertTurn({ id: randomUUID(), sessionId: id, claudeSessionId: row.claude_session_id, surface: from.surface, actor: from.actor, prompt: text });
    if (row.title === NEW_TITLE) this.store.updateSession(id, { title: text.split('\n')[0]!.slice(0, 60) });
    if (options.interrupt) rt.queue.unshift(turn.id);
    else rt.queue.push(turn.id);
    rt.lastActivity = Date.now();
    this.emitStream(id, turn.id, { kind: 'turn', turn: this.withPosition(turn, rt) });
    if (options.interrupt && rt.current) void this.interrupt(id);
    this.pump(rt);
    this.changed(id);
    return this.withPosition(this.store.turn(turn.id)!, rt);
  }

  /**
   * Hands the session to a `claude` terminal: refused while a turn runs or waits, its own idle
   * process stopped first (two processes on one session corrupt it). Returns the TUI's arguments.
   */
  async handToTerminal(id: string): Promise<string[]> {
    const row = this.row(id);
    const rt = this.runtime(id);
    if (rt.inTerminal) throw new AppError('conflict', 'This session is already open in a terminal.');
    if (rt.current || rt.queue.length) throw new AppError('conflict', 'Claude is working in this session; wait for the turn to end (or stop it), then open it in the terminal.');
    rt.inTerminal = true;
    await this.stopProcess(rt);
    const holder = this.ledger.holder(row.claude_session_id);
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
    this.changed(id);
    return args;
  }

  /** Whether one of our sessions is open in its own Terminal tab (its transcript is then the TUI's, not the app's). */
  inTerminal(claudeSessionId: string): boolean {
    const owner = this.store.ownerOfClaudeSession(claudeSessionId);
    return !!owner && !!this.runtimes.get(owner.id)?.tuiWrites;
  }

  /** The terminal's `claude` runs: kept with the app's own processes, so a start after a crash ends it too. */
  terminalStarted(id: string, pid: number): void {
    const rt = this.runtimes.get(id);
    const row = this.store.session(id);
    if (!rt || !row) return;
    rt.terminalPid = pid;
    this.ledger.add({ pgid: pid, claudeSessionId: row.claude_session_id, sessionId: id, kind: 'terminal' });
  }

  /** The terminal running this session ended: messages are sent from here again (resuming what it did). */
  async takeBackFromTerminal(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    // A terminal ending because Switchboard stops: the database may be closed already; the next start reads the transcript.
    if (!rt || this.stopping) return;
    if (rt.terminalPid !== null) this.ledger.remove(rt.terminalPid);
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
    if (this.store.session(id)) this.changed(id);
  }

  /** Recent project folders (not the data folder's own session folders), newest first, that still exist. */
  async folders(): Promise<string[]> {
    // Up to 60 folders, some on slow or gone disks: checked off the event loop, together.
    const candidates = this.store.recentFolders(60).filter((f) => !isOwnSessionFolder(this.deps.dataDir, f));
    const present = await Promise.all(candidates.map((f) => fs.promises.stat(f).then((s) => s.isDirectory(), () => false)));
    return candidates.filter((_, i) => present[i]).slice(0, 20);
  }

  /** Changes a message still waiting in the queue. */
  editQueued(turnId: string, text: string): Turn {
    const turn = this.queuedTurn(turnId);
    const edited = this.withPosition(this.store.editQueued(turn.id, text), this.runtimes.get(turn.sessionId));
    this.emitStream(turn.sessionId, turn.id, { kind: 'turn', turn: edited });
    return edited;
  }

  /** Takes back a message still waiting in the queue; the ones behind it move up. */
  removeQueued(turnId: string): { removed: true } {
    const turn = this.queuedTurn(turnId);
    const rt = this.runtimes.get(turn.sessionId)!;
    rt.queue.splice(rt.queue.indexOf(turn.id), 1);
    this.store.deleteQueued(turn.id);
    this.emitStream(turn.sessionId, turn.id, { kind: 'removed', turnId: turn.id });
    for (const queued of rt.queue) this.emitStream(rt.sessionId, queued, { kind: 'turn', turn: this.withPosition(this.store.turn(queued)!, rt) });
    this.changed(turn.sessionId);
    return { removed: true };
  }

  private queuedTurn(turnId: string): Turn {
    const turn = this.turn(turnId);
    const rt = this.runtimes.get(turn.sessionId);
    if (turn.status !== 'queued' || !rt?.queue.includes(turn.id)) throw new AppError('conflict', 'That message has already started (or ended), so it can no longer be changed.');
    return turn;
  }

  /**
   * What every surface needs: send a message and wait for the answer. The session is named by id,
   * or by the surface's key for the conversation (created when asked to). Past the timeout the
   * answer is the turn as it stands, marked timedOut; the turn itself goes on. An aborted signal
   * interrupts the turn.
   */
  async ask(
    input: { id?: string; key?: string; create?: Omit<CreateSession, 'surface' | 'surfaceKey' | 'systemPrompt'>; text: string; timeoutMs: number },
    from: CallContext,
    signal?: AbortSignal,
  ): Promise<AskResult> {
    const { surface } = from;
    let id = input.id;
    if (!id) {
      const found = this.store.sessionByKey(surface, input.key!);
      if (found) id = found.id;
      else if (input.create) id = this.create({ ...input.create, surface, surfaceKey: input.key! }).id;
      else throw new AppError('not_found', `no ${surface} conversation "${input.key}" (pass create to start one)`);
    }
    const sessionId = id;
    const sent = this.send(sessionId, input.text, from);
    const onAbort = () => void this.interrupt(sessionId);
    signal?.addEventListener('abort', onAbort);
    const over = (t: Turn) => (t.id === sent.id && t.status !== 'queued' && t.status !== 'running' ? t : undefined);
    const ended = await this.deps.events.next('sessions.stream', ({ item }) => (item.kind === 'turn' ? over(item.turn) : undefined), input.timeoutMs, () => over(this.turn(sent.id)));
    signal?.removeEventListener('abort', onAbort);
    // The turn's answers are counted from its transcript: read it up to now, so the cost answered is the one shown.
    const claudeId = ended ? this.store.session(sessionId)?.claude_session_id : undefined;
    if (claudeId) await this.deps.catchUpTranscript?.(claudeId).catch((error: unknown) => log.error('sessions: reading the transcript failed', error));
    const stored = this.store.turn(sent.id);
    const turn = stored ? this.withPosition(stored, this.runtimes.get(sessionId)) : (ended ?? this.turn(sent.id));
    return { sessionId, turn, text: ended?.resultText ?? null, status: turn.status, costUsd: turn.costUsd, denials: turn.denials, timedOut: !ended };
  }

  /** The session of a surface's conversation key (a chat id), or null: `sessions.ask` by key looks first. */
  idByKey(surface: Surface, key: string): string | null {
    return this.store.sessionByKey(surface, key)?.id ?? null;
  }

  /** Stops the running turn: the CLI is asked first, and killed if it does not stop in time. */
  async interrupt(id: string): Promise<boolean> {
    this.row(id);
    const rt = this.runtimes.get(id);
    const cur = rt?.current;
    if (rt && cur?.limitUntil) {
      this.deps.limitWait?.forget(id);
      this.endCurrent(rt, 'interrupted', 'Interrupted while it waited for the plan’s limit to reset.');
      this.afterTurn(rt);
      return true;
    }
    const proc = rt?.process;
    if (!cur || !proc) return false;
    cur.interrupted = true;
    await this.stopTurn(rt, cur, proc);
    return true;
  }

  /**
   * Interrupts a turn; kills the process when the CLI does not answer, or answers but the turn goes
   * on (an interrupt that reaches the CLI before it has begun the turn is acknowledged, then ignored).
   */
  private async stopTurn(rt: Runtime, cur: Current, proc: ClaudeProcess): Promise<void> {
    const acknowledged = await proc.interrupt(INTERRUPT_GRACE_MS);
    if (!acknowledged) proc.kill('SIGKILL');
    else setTimeout(() => rt.current === cur && proc.kill('SIGKILL'), INTERRUPT_GRACE_MS).unref();
  }

  /** A fresh Claude session id: what Claude remembers starts over; the history here stays. */
  async reset(id: string): Promise<SessionSummary> {
    this.row(id);
    const rt = this.runtime(id);
    for (const turnId of rt.queue.splice(0)) this.endQueued(rt, turnId, 'The session was reset before this message was sent.');
    if (rt.current) await this.interrupt(id);
    await this.stopProcess(rt, 'Interrupted: the session was reset.');
    const fresh = randomUUID();
    this.store.updateSession(id, { claude_session_id: fresh, cli_started: 0, session_rules: '[]' } as Partial<SessionRow>);
    rt.outcome = null;
    rt.lastError = null;
    this.notice(id, null, `Started a new Claude session (${fresh}). Earlier messages stay here, but Claude no longer has them in mind.`);
    return this.changed(id);
  }

  async delete(id: string): Promise<void> {
    this.row(id);
    const rt = this.runtimes.get(id);
    if (rt) {
      rt.queue.splice(0);
      if (rt.idleTimer) clearTimeout(rt.idleTimer);
      const proc = rt.process;
      rt.process = null;
      if (rt.current) this.deps.approvals.cancelTurn(rt.current.turnId, 'The session was deleted.');
      rt.current = null;
      proc?.kill('SIGKILL');
      this.runtimes.delete(id);
    }
    this.spare.release(id);
    this.store.deleteSession(id);
    fs.rmSync(path.join(this.deps.dataDir, 'prompts', `${id}.txt`), { force: true });
    fs.rmSync(path.join(this.deps.dataDir, 'prompts', `${id}.mcp.json`), { force: true });
    this.deps.events.emit('sessions.removed', { id });
  }

  /** How many CLI processes are alive (for health and benchmarks). */
  liveProcesses(): number {
    return [...this.runtimes.values()].filter((rt) => rt.process?.alive).length;
  }

  // --- running turns -------------------------------------------------------------------------

  private pump(rt: Runtime): void {
    if (rt.current || !rt.queue.length) return;
    // The turn before is still being checkpointed: this one starts once it is, or its writes would land in it.
    const gate = this.deps.turnGate?.(rt.sessionId);
    if (gate) {
      void gate.then(() => this.pump(rt));
      return;
    }
    if (rt.restartBeforeNext && rt.process?.alive) {
      rt.restartBeforeNext = false;
      void this.stopProcess(rt).then(() => this.pump(rt));
      return;
    }
    // The last process is still exiting: starting the next now would run two on one session.
    if (rt.exiting && !rt.process?.alive) {
      void rt.exiting.then(() => this.pump(rt));
      return;
    }
    const turnId = rt.queue.shift()!;
    const row = this.store.session(rt.sessionId);
    const turn = this.store.turn(turnId);
    if (!row || !turn) return;
    if (rt.idleTimer) clearTimeout(rt.idleTimer);
    rt.idleTimer = null;
    rt.outcome = null;
    rt.lastError = null;
    rt.current = { turnId, prompt: turn.prompt, startedAt: Date.now(), partialText: '', interrupted: false, stalled: false, waitingApprovals: 0, restartedFresh: false, partialTimer: null, denied: new Map() };
    // The message enters the conversation now, after the reply before it: stored order is conversation order.
    this.emitStream(rt.sessionId, turnId, { kind: 'message', message: this.store.enterConversation(turnId) });
    try {
      if (!rt.process?.alive) this.spawn(rt, row);
    } catch (error) {
      this.endCurrent(rt, 'failed', errorMessage(error));
      this.afterTurn(rt);
      return;
    }
    this.store.startTurn(turnId, row.claude_session_id);
    rt.process!.lastOutputAt = Date.now();
    rt.process!.send(turn.prompt);
    this.emitStream(rt.sessionId, turnId, { kind: 'turn', turn: this.withPosition(this.store.turn(turnId)!, rt) });
    for (const queued of rt.queue) this.emitStream(rt.sessionId, queued, { kind: 'turn', turn: this.withPosition(this.store.turn(queued)!, rt) });
    this.changed(rt.sessionId);
  }

  /** Exactly how a session's CLI starts: the spare is started the same way for the session it expects. */
  private launch(row: Pick<SessionRow, 'id' | 'claude_session_id' | 'cli_started' | 'cwd' | 'model' | 'permission_policy' | 'system_prompt'>): ClaudeLaunchSpec {
    const { command } = chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath'));
    const args = buildClaudeArgs({
      sessionId: row.claude_session_id,
      resume: row.cli_started === 1,
      model: row.model,
      policy: row.permission_policy,
      appendSystemPromptFile: row.system_prompt ? this.writePromptFile(row.id, row.system_prompt) : null,
      allowedTools: this.deps.approvals.allowedTools(row.id),
      mcpConfigFile: this.writeMcpConfig(row.id),
    });
    return { command, args, cwd: row.cwd, env: { ...this.deps.env, SWITCHBOARD_SESSION_ID: row.id } };
  }

  private spawn(rt: Runtime, row: SessionRow): void {
    if (!fs.statSync(row.cwd, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`The session's folder ${row.cwd} no longer exists.`);
    const launch = this.launch(row);
    const warm = this.spare.claim(row.id, launch);
    // The last line of defence for one process per Claude session: none of ours may still run it.
    const holder = warm ? null : this.ledger.holder(row.claude_session_id);
    if (holder) throw new AppError('conflict', `Claude is still running this session (process ${holder.pgid}); send again in a moment.`);
    const proc = warm ?? new ClaudeProcess(launch);
    const pid = proc.pid;
    if (pid && !warm) this.ledger.add({ pgid: pid, claudeSessionId: row.claude_session_id, sessionId: row.id, kind: 'app' });
    rt.process = proc;
    // A resumed CLI counts the whole Claude session's cost, earlier processes included: start from that.
    rt.processCost = row.cli_started === 1 ? this.store.claudeSessionCost(row.claude_session_id) : 0;
    proc.onEvent((event) => {
      if (rt.process === proc) this.onEvent(rt, proc, event);
    });
    void proc.exited.then((exit) => {
      if (pid) this.ledger.remove(pid);
      this.onExit(rt, proc, exit);
    });
  }

  /** Switchboard's MCP server for this session's process, in a 0600 file (the token stays out of argv); its token names the session as the caller. */
  private writeMcpConfig(sessionId: string): string | null {
    const server = this.deps.mcpServer?.(sessionId);
    if (!server) return null;
    const dir = path.join(this.deps.dataDir, 'prompts');
    makePrivateDir(dir);
    const file = path.join(dir, `${sessionId}.mcp.json`);
    const config = { mcpServers: { switchboard: { type: 'http', url: server.url, headers: { Authorization: `Bearer ${server.token}` } } } };
    fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    return file;
  }

  /** The session's system prompt in a 0600 file under the data folder, for `--append-system-prompt-file`. */
  private writePromptFile(sessionId: string, prompt: string): string {
    const dir = path.join(this.deps.dataDir, 'prompts');
    makePrivateDir(dir);
    const file = path.join(dir, `${sessionId}.txt`);
    fs.writeFileSync(file, prompt, { mode: 0o600 });
    return file;
  }

  private onEvent(rt: Runtime, proc: ClaudeProcess, event: ClaudeEvent): void {
    const cur = rt.current;
    const turnId = cur?.turnId ?? null;
    const id = rt.sessionId;
    switch (event.type) {
      case 'init':
        if (this.store.session(id)?.cli_started === 0) this.store.updateSession(id, { cli_started: 1 });
        return;
      case 'text_delta':
        if (cur && !event.parentToolUseId) {
          cur.partialText += event.text;
          this.persistPartial(cur);
        }
        this.emitStream(id, turnId, { kind: 'text_delta', text: event.text });
        return;
      case 'thinking_delta':
        this.emitStream(id, turnId, { kind: 'thinking_delta', text: event.text });
        return;
      case 'assistant': {
        const { block } = event;
        // An API error ends the block being streamed without it: what the user saw of it stays.
        if (cur && event.error) this.keepPartial(rt, cur);
        if (cur && event.error === 'rate_limit') cur.rateLimited = true;
        if (cur && block.type === 'text' && !event.parentToolUseId) {
          cur.partialText = '';
          this.persistPartial(cur);
        }
        // An API failure comes as a made-up reply ("API Error: Connection refused…") and again as the
        // turn's result: it is said once, as the turn's error, not as words of Claude's.
        if (block.type === 'text' && block.text && !event.error) this.message({ sessionId: id, turnId, role: 'assistant', kind: 'text', text: block.text, data: event.parentToolUseId ? { parentToolUseId: event.parentToolUseId } : undefined });
        if (block.type === 'thinking') this.message({ sessionId: id, turnId, role: 'assistant', kind: 'thinking', text: block.thinking });
        if (block.type === 'tool_use') {
          this.message({ sessionId: id, turnId, role: 'assistant', kind: 'tool_use', text: block.name, data: { id: block.id, name: block.name, input: block.input, parentToolUseId: event.parentToolUseId } });
        }
        return;
      }
      case 'tool_result':
        this.message({
          sessionId: id,
          turnId,
          role: 'tool',
          kind: 'tool_result',
          text: event.content.slice(0, 200_000),
          data: { toolUseId: event.toolUseId, isError: event.isError, denied: cur?.denied.has(event.toolUseId) ?? false, denial: cur?.denied.get(event.toolUseId) ?? null, parentToolUseId: event.parentToolUseId, ...(event.patch ? { patch: event.patch } : {}) },
        });
        return;
      case 'permission_request':
        this.askPermission(rt, proc, event.requestId, event.question);
        return;
      case 'result':
        this.finishTurn(rt, proc, event.result);
        return;
      case 'api_retry':
        // The reply broke off and is asked again from the start: keep the part that had streamed.
        if (cur) this.keepPartial(rt, cur);
        this.retryNote(rt, id, turnId, event);
        return;
      case 'control_request':
        proc.answerControlError(event.requestId, `Switchboard does not handle ${event.subtype}`);
        return;
      case 'unknown':
        this.message({ sessionId: id, turnId, role: 'system', kind: 'unknown', text: '', data: event.raw });
        return;
      case 'malformed':
        this.message({ sessionId: id, turnId, role: 'system', kind: 'unknown', text: event.line, data: { error: event.error } });
        return;
      case 'rate_limit':
        this.deps.onRateLimit?.(event.info);
        return;
      case 'compact':
        // Once a turn: a failing turn may compact again and again, and the user needs to hear it once.
        if (cur?.compacted) return;
        if (cur) cur.compacted = true;
        this.notice(id, turnId, compactionNotice(event.preTokens));
        return;
      case 'status':
      case 'control_response':
        return;
    }
  }

  private askPermission(rt: Runtime, proc: ClaudeProcess, requestId: string, question: Extract<ClaudeEvent, { type: 'permission_request' }>['question']): void {
    const cur = rt.current;
    if (cur) cur.waitingApprovals++;
    // The CLI asks to exit plan mode without the plan in the request: show the plan the model wrote in its call.
    const plan = question.toolName === 'ExitPlanMode' && !question.input.plan && question.toolUseId ? this.store.toolUseInput(rt.sessionId, question.toolUseId)?.plan : undefined;
    const description = typeof plan === 'string' ? plan : question.description;
    const { id: approvalId, answer } = this.deps.approvals.ask({ sessionId: rt.sessionId, turnId: cur?.turnId ?? null, source: 'session', ...question, description });
    void answer.then((reply) => {
      if (cur) cur.waitingApprovals--;
      if (cur && !reply.allow && question.toolUseId) cur.denied.set(question.toolUseId, denialOf(this.deps.approvals.get(approvalId)));
      // An approved plan ends plan mode in the CLI; the session's stored mode follows, for the next start.
      if (reply.allow && question.toolName === 'ExitPlanMode' && this.store.session(rt.sessionId)?.permission_policy === 'plan') {
        this.store.updateSession(rt.sessionId, { permission_policy: 'ask' });
        this.changed(rt.sessionId);
      }
      proc.lastOutputAt = Date.now();
      proc.answerPermission(requestId, reply.allow ? { behavior: 'allow', updatedInput: reply.input } : { behavior: 'deny', message: reply.message });
    });
  }

  private finishTurn(rt: Runtime, proc: ClaudeProcess, result: TurnResult): void {
    const cur = rt.current;
    if (!cur) return;
    if (result.isError && !cur.restartedFresh && result.errors.some((e) => /No conversation found/i.test(e))) {
      this.restartFresh(rt, proc, cur);
      return;
    }
    if (result.isError && !cur.interrupted && !cur.stalled && isLimitFailure({ rateLimited: !!cur.rateLimited, apiErrorStatus: result.apiErrorStatus }) && this.waitForLimit(rt, proc, cur, result)) return;
    // Below the base, the CLI did not carry the earlier cost over: all of it is this turn's.
    const costUsd = result.totalCostUsd >= rt.processCost ? result.totalCostUsd - rt.processCost : result.totalCostUsd;
    rt.processCost = result.totalCostUsd;
    // A turn that finished just as an interrupt arrived still finished.
    const status: TurnStatus = !result.isError ? 'done' : cur.stalled ? 'stalled' : cur.interrupted ? 'interrupted' : 'failed';
    const error =
      status === 'stalled'
        ? this.stallMessage()
        : status === 'interrupted'
          ? 'Interrupted.'
          : status === 'failed'
            ? result.errors.filter((e) => !e.startsWith('[ede_diagnostic]')).join('; ') || result.text || 'Claude reported an error.'
            : null;
    this.endCurrent(rt, status, error, {
      resultText: result.text,
      costUsd,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      durationMs: result.durationMs || Date.now() - cur.startedAt,
      denials: result.denials.map((d) => d.toolName),
    });
    this.afterTurn(rt);
  }

  /**
   * The plan's window ran out mid-turn: the turn stays current (messages queued behind it wait), its process
   * is stopped meanwhile, and it carries on by itself after the reset (`continueAfterLimit`). False when it
   * should fail as before (the setting is off).
   */
  private waitForLimit(rt: Runtime, proc: ClaudeProcess, cur: Current, result: TurnResult): boolean {
    const until = this.deps.limitWait?.wait(rt.sessionId, [result.text ?? '', ...result.errors].join('\n'), cur.turnId) ?? null;
    if (until === null) return false;
    cur.limitUntil = until;
    cur.rateLimited = false;
    this.keepPartial(rt, cur);
    this.notice(rt.sessionId, cur.turnId, `Your plan’s usage limit is reached: this turn waits for it to reset at ${new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}, then carries on by itself. Messages you send meanwhile wait behind it.`);
    rt.process = null;
    rt.processCost = 0;
    const exiting = proc.stop(2000).finally(() => {
      if (rt.exiting === exiting) rt.exiting = null;
    });
    rt.exiting = exiting;
    this.changed(rt.sessionId);
    return true;
  }

  /** The plan's limit reset: the waiting turn carries on in the same session, once. */
  continueAfterLimit(id: string): boolean {
    const rt = this.runtimes.get(id);
    const cur = rt?.current;
    if (!rt || !cur?.limitUntil) return false;
    cur.limitUntil = null;
    const go = () => {
      if (rt.current !== cur) return;
      try {
        if (!rt.process?.alive) this.spawn(rt, this.store.session(id)!);
      } catch (error) {
        this.endCurrent(rt, 'failed', errorMessage(error));
        this.afterTurn(rt);
        return;
      }
      this.notice(id, cur.turnId, 'The plan’s limit reset: carrying on.');
      rt.process!.lastOutputAt = Date.now();
      rt.process!.send(CONTINUE_AFTER_LIMIT);
      this.changed(id);
    };
    if (rt.exiting) void rt.exiting.then(go);
    else go();
    return true;
  }

  /** Resume found no such Claude session (its transcript is gone): start a fresh one, say so, and go on. */
  private restartFresh(rt: Runtime, proc: ClaudeProcess, cur: Current): void {
    const row = this.store.session(rt.sessionId)!;
    const fresh = randomUUID();
    this.store.updateSession(row.id, { claude_session_id: fresh, cli_started: 0 });
    this.notice(row.id, cur.turnId, `Claude could not find session ${row.claude_session_id} (its transcript is gone), so Switchboard started a new Claude session. Earlier messages stay here, but Claude no longer has them in mind.`);
    rt.process = null;
    void proc.stop(500);
    cur.restartedFresh = true;
    try {
      this.spawn(rt, this.store.session(row.id)!);
    } catch (error) {
      this.endCurrent(rt, 'failed', errorMessage(error));
      this.afterTurn(rt);
      return;
    }
    this.store.startTurn(cur.turnId, fresh);
    rt.process!.send(cur.prompt);
    this.changed(row.id);
  }

  private onExit(rt: Runtime, proc: ClaudeProcess, exit: ClaudeExit): void {
    if (rt.process !== proc) return;
    rt.process = null;
    const cur = rt.current;
    if (cur) {
      // Said once, on the turn: a CLI that cannot start is no crash, and the next message would fail the same way.
      const how = exit.spawnError
        ? cliStartFailure(chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath')), exit.spawnError)
        : `Claude exited ${exit.code !== null ? `with code ${exit.code}` : `on ${exit.signal}`} during the turn${exit.stderrTail ? `: ${lastLines(exit.stderrTail)}` : '.'} Your next message resumes the session.`;
      const status: TurnStatus = cur.stalled ? 'stalled' : cur.interrupted ? 'interrupted' : 'failed';
      const error = status === 'stalled' ? `${this.stallMessage()} It did not stop, so it was killed.` : status === 'interrupted' ? 'Interrupted.' : how;
      this.endCurrent(rt, status, error);
    }
    this.afterTurn(rt);
  }

  private endCurrent(rt: Runtime, status: TurnStatus, error: string | null, fields: Omit<TurnEnd, 'status' | 'error'> = {}): void {
    const cur = rt.current;
    if (!cur) return;
    rt.current = null;
    // Whatever ended the turn (a crash, a stop, an API failure), the text the user saw streaming stays.
    this.keepPartial(rt, cur);
    // endTurn below clears the stored partial text; no write may follow it.
    if (cur.partialTimer) clearTimeout(cur.partialTimer);
    if (status === 'failed' && error) error = failedTurnError(error, { sessionId: rt.sessionId, turnId: cur.turnId });
    const turn = this.store.endTurn(cur.turnId, { ...fields, status, error });
    rt.outcome = status === 'failed' || status === 'stalled' ? status : null;
    rt.lastError = error;
    rt.lastActivity = Date.now();
    this.deps.approvals.cancelTurn(cur.turnId, 'The turn ended before this was answered.');
    this.emitStream(rt.sessionId, cur.turnId, { kind: 'turn', turn });
    const ending = this.store.session(rt.sessionId);
    // A background task (`task:…`) announces its own end, with its files: not twice.
    if (Date.now() - cur.startedAt >= this.deps.settings.get('sessions.notifyAfterSeconds') * 1000 && !ending?.surface_key.startsWith('task:')) {
      const title = ending?.title ?? 'A session';
      this.deps.notifier.notify({
        title: status === 'done' ? `Claude finished: ${title}` : `Claude turn ${status}: ${title}`,
        body: (turn.resultText ?? error ?? '').slice(0, 200),
        link: `#/sessions/${rt.sessionId}`,
      });
    }
  }

  /** Stores the text streamed of an unfinished block as a partial message, and starts over. */
  private keepPartial(rt: Runtime, cur: Current): void {
    if (!cur.partialText) return;
    this.message({ sessionId: rt.sessionId, turnId: cur.turnId, role: 'assistant', kind: 'text', text: cur.partialText, data: { partial: true } });
    cur.partialText = '';
    this.persistPartial(cur);
  }

  /** Writes the streamed text of the block in progress to the turn, at most every PARTIAL_FLUSH_MS. */
  private persistPartial(cur: Current): void {
    if (cur.partialTimer) return;
    cur.partialTimer = setTimeout(() => {
      cur.partialTimer = null;
      this.store.setPartialText(cur.turnId, cur.partialText || null);
    }, PARTIAL_FLUSH_MS);
  }

  private endQueued(rt: Runtime, turnId: string, reason: string): void {
    this.emitStream(rt.sessionId, turnId, { kind: 'message', message: this.store.enterConversation(turnId, { notSent: true }) });
    const turn = this.store.endTurn(turnId, { status: 'cancelled', error: reason });
    this.emitStream(rt.sessionId, turnId, { kind: 'turn', turn });
  }

  /** Next message, or an idle timer that stops the process. */
  private afterTurn(rt: Runtime): void {
    if (!this.runtimes.has(rt.sessionId)) return;
    if (rt.queue.length) {
      this.pump(rt);
      return;
    }
    this.changed(rt.sessionId);
    if (rt.idleTimer) clearTimeout(rt.idleTimer);
    rt.idleTimer = null;
    if (!rt.process) return;
    this.armIdleStop(rt);
  }

  /** Stops an idle process once it has been idle for the set time (since its last activity, so a changed setting counts from then). */
  private armIdleStop(rt: Runtime): void {
    if (rt.idleTimer) clearTimeout(rt.idleTimer);
    const left = rt.lastActivity + this.deps.settings.get('sessions.idleStopMinutes') * 60_000 - Date.now();
    rt.idleTimer = setTimeout(() => {
      rt.idleTimer = null;
      if (!rt.current && !rt.queue.length) void this.stopProcess(rt).then(() => this.runtimes.has(rt.sessionId) && !this.stopping && this.changed(rt.sessionId));
    }, Math.max(0, left));
    rt.idleTimer.unref();
  }

  /**
   * Stops the session's process now if it is idle: for a session that will not be spoken to again
   * (a job's fresh run), whose process would otherwise hold memory and a place under the limit.
   */
  async release(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt?.process || rt.current || rt.queue.length || rt.inTerminal) return;
    await this.stopProcess(rt);
    if (this.runtimes.has(id) && !this.stopping) this.changed(id);
  }

  /** Stops the process; a turn still running on it ends here, since its events will no longer be heard. */
  private async stopProcess(rt: Runtime, reason = 'The Claude process was stopped.'): Promise<void> {
    if (rt.idleTimer) clearTimeout(rt.idleTimer);
    rt.idleTimer = null;
    const proc = rt.process;
    rt.process = null;
    if (rt.current) this.endCurrent(rt, 'interrupted', reason);
    if (!proc) return;
    const exiting = proc.stop(2000).finally(() => {
      if (rt.exiting === exiting) rt.exiting = null;
      this.spare.fill();
    });
    rt.exiting = exiting;
    await exiting;
  }

  private checkStalls(): void {
    const stallMs = this.deps.settings.get('sessions.stallMinutes') * 60_000;
    const now = Date.now();
    for (const rt of this.runtimes.values()) {
      const cur = rt.current;
      const proc = rt.process;
      if (!cur || !proc || cur.stalled || cur.waitingApprovals > 0 || now - proc.lastOutputAt < stallMs) continue;
      cur.stalled = true;
      this.notice(rt.sessionId, cur.turnId, `${this.stallMessage()} Interrupting it.`);
      void this.stopTurn(rt, cur, proc);
    }
  }

  private stallMessage(): string {
    const minutes = this.deps.settings.get('sessions.stallMinutes');
    return `No output from Claude for ${minutes} min, so the turn was stopped as stalled.`;
  }

  // --- limits --------------------------------------------------------------------------------

  /** Makes room for one more process (stopping the least recently used idle one), or refuses. */
  private ensureCapacity(forId: string): void {
    const max = this.deps.settings.get('sessions.maxProcesses');
    const claimed = [...this.runtimes.values()].filter((rt) => rt.sessionId !== forId && (rt.process?.alive || rt.current || rt.queue.length));
    // The warm spare never takes a real session's place: it goes when this start leaves no room for it.
    this.spare.yieldFor(forId, max - claimed.length - 1);
    let over = claimed.length - max + 1;
    if (over > 0) {
      const idle = claimed.filter((rt) => rt.process?.alive && !rt.current && !rt.queue.length).sort((a, b) => a.lastActivity - b.lastActivity);
      if (idle.length < over) {
        throw new AppError(
          'capacity',
          `All ${max} Claude processes are busy with running turns (limit "Max Claude processes" = ${max}). Wait for one to finish, or raise the limit in Settings.`,
        );
      }
      for (const rt of idle) {
        if (over-- <= 0) break;
        void this.stopProcess(rt).then(() => this.changed(rt.sessionId));
      }
    }
    const min = this.deps.settings.get('sessions.minFreeMemoryMb');
    const free = Math.floor(this.freeMemoryMb());
    if (free < min) {
      void this.spare.discard('free memory is below the minimum');
      throw new AppError(
        'capacity',
        `Only ${free} MB of memory is free; Switchboard keeps ${min} MB free before starting another Claude process (limit "Minimum free memory"). Close something, or lower the limit in Settings.`,
      );
    }
  }

  private freeMemoryMb(): number {
    return this.deps.freeMemoryMb?.() ?? os.freemem() / 1024 / 1024;
  }

  // --- state and events ----------------------------------------------------------------------

  private row(id: string): SessionRow {
    const row = this.store.session(id);
    if (!row) throw new AppError('not_found', `no session ${id}`);
    return row;
  }

  private runtime(id: string): Runtime {
    let rt = this.runtimes.get(id);
    if (!rt) {
      rt = { sessionId: id, process: null, processCost: 0, queue: [], current: null, outcome: null, lastError: null, lastActivity: Date.now(), idleTimer: null, inTerminal: false, tuiWrites: false, terminalPid: null, exiting: null };
      this.runtimes.set(id, rt);
    }
    return rt;
  }

  private status(rt: Runtime | undefined): SessionStatus {
    if (!rt) return 'stopped';
    if (rt.current) return 'running';
    if (rt.queue.length) return 'queued';
    if (rt.outcome) return rt.outcome;
    return rt.process?.alive ? 'idle' : 'stopped';
  }

  private summary(row: SessionRow, costs?: Map<string, number>): SessionSummary {
    const rt = this.runtimes.get(row.id);
    return {
      id: row.id,
      title: row.title,
      surface: row.surface,
      surfaceKey: row.surface_key,
      claudeSessionId: row.claude_session_id,
      cwd: row.cwd,
      model: row.model,
      permissionPolicy: row.permission_policy,
      systemPrompt: row.system_prompt,
      status: this.status(rt),
      queueLength: rt?.queue.length ?? 0,
      costUsd: costs ? (costs.get(row.id) ?? 0) : (this.deps.costs?.session(row.id) ?? row.cost_usd),
      pid: rt?.process?.alive ? (rt.process.pid ?? null) : null,
      lastError: rt?.lastError ?? null,
      worktree: this.deps.worktreeOf?.(row.id) ?? null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private withPosition(turn: Turn, rt: Runtime | undefined, figures = this.deps.costs?.turns(turn.sessionId, turn.id)): Turn {
    if (figures) turn = withCounted(turn, figures);
    if (turn.status === 'running') return { ...turn, position: 0 };
    const index = rt?.queue.indexOf(turn.id) ?? -1;
    return { ...turn, position: index >= 0 ? index + 1 : null };
  }

  /** Answers were counted to these turns (Usage, from the transcripts): the windows hear the figures now. */
  countedCosts(touched: Map<string, Set<string>>): void {
    if (!this.deps.costs) return;
    for (const [sessionId, turnIds] of touched) {
      if (!this.store.session(sessionId)) continue;
      this.deps.events.emit('sessions.costs', sessionCosts(this.deps.costs, sessionId, turnIds));
      this.changed(sessionId);
    }
  }

  private changed(id: string): SessionSummary {
    const summary = this.summary(this.row(id));
    this.deps.events.emit('sessions.changed', summary);
    return summary;
  }

  private message(message: NewMessage): Message {
    const stored = this.store.insertMessage(message);
    this.emitStream(message.sessionId, message.turnId, { kind: 'message', message: stored });
    return stored;
  }

  /** One note per turn while the CLI retries the API, its attempt count updated in place (not one note per attempt). */
  private retryNote(rt: Runtime, sessionId: string, turnId: string | null, retry: Extract<ClaudeEvent, { type: 'api_retry' }>): void {
    const text = `${apiFailureCause(retry)}; retrying (attempt ${retry.attempt} of ${retry.maxRetries}).`;
    const cur = rt.current;
    if (cur?.retryNote) {
      const message = this.store.updateMessageText(cur.retryNote, text);
      this.emitStream(sessionId, turnId, { kind: 'message', message });
      return;
    }
    const message = this.message({ sessionId, turnId, role: 'system', kind: 'notice', text });
    if (cur) cur.retryNote = message.id;
  }

  private notice(sessionId: string, turnId: string | null, text: string): void {
    this.message({ sessionId, turnId, role: 'system', kind: 'notice', text });
  }

  private emitStream(sessionId: string, turnId: string | null, item: StreamItem): void {
    this.deps.events.emit('sessions.stream', { sessionId, turnId, item });
  }
}

/** Why a question ended in no, from how the broker settled it. */
function denialOf(approval: Approval): Denial {
  if (approval.decision === 'timeout') return { reason: 'timeout', via: null };
  if (approval.decision === 'cancelled') return { reason: 'cancelled', via: null };
  return { reason: approval.toolName === 'ExitPlanMode' ? 'plan' : 'user', via: approval.answeredVia };
}

/**
 * What the CLI's retry line says went wrong, in words. Without a status the API never answered (a
 * refused connection, a timeout, no network): the CLI says "unknown", which tells the user nothing.
 */
function apiFailureCause(retry: Extract<ClaudeEvent, { type: 'api_retry' }>): string {
  if (retry.status === 429) return 'The Claude API is rate limiting';
  if (retry.status === 529 || retry.error === 'overloaded') return 'The Claude API is overloaded';
  if (retry.status !== null) return `The Claude API answered ${retry.status}${retry.error && retry.error !== 'unknown' ? ` (${retry.error.replace(/_/g, ' ')})` : ''}`;
  return 'The Claude API could not be reached';
}
