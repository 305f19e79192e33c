import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AskResult, PermissionPolicy, SessionSummary, Surface, Transcript, Turn } from '../../contract';
import { cliPermissionMode } from '../claude/args';
import type { CallContext } from '../ipc/router';
import { AppError } from '../errors';
import { expandFolder } from '../folders';
import { isOwner } from '../ipc/owner';
import { workFolderRefusal } from '../work-folder';
import type { Service } from '../lifecycle';
import { makePrivateDir } from '../storage/private-files';
import { isSwitchboardFolder, ownSessionFolders, projectFolder } from '../storage/session-folders';
import { log } from '../log';
import type { ClaudeLedger } from './claude-ledger';
import { NEW_TITLE, WATCHDOG_TICK_MS, summaryOf, withPosition, type CreateSession, type Runtime, type SessionManagerDeps } from './session-runtime';
import type { SessionRow, SessionStore } from './session-store';
import type { SpareClaude } from './spare-claude';
import { QueueEdits } from './queue-edits';
import { TerminalHandoff } from './terminal-handoff';
import { TurnRunner } from './turn-runner';
import { announceCounted } from './turn-costs';

export type { CreateSession, SessionManagerDeps } from './session-runtime';

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

  /** Running turns: processes, ends, idle stop, stalls, capacity (turn-runner.ts). */
  private readonly turns: TurnRunner;
  /** Sessions handed to a `claude` terminal and back (terminal-handoff.ts). */
  private readonly terminal: TerminalHandoff;
  /** Queued messages changed or taken back (queue-edits.ts). */
  private readonly queue: QueueEdits;

  constructor(private readonly deps: SessionManagerDeps) {
    this.store = deps.store;
    this.turns = new TurnRunner(deps, { runtimes: this.runtimes, changed: (id) => this.changed(id), stopping: () => this.stopping });
    this.ledger = this.turns.ledger;
    this.spare = this.turns.spare;
    this.terminal = new TerminalHandoff(deps, {
      runtimes: this.runtimes,
      ledger: this.ledger,
      stopping: () => this.stopping,
      row: (id) => this.row(id),
      runtime: (id) => this.runtime(id),
      changed: (id) => this.changed(id),
      stopProcess: (rt) => this.turns.stopProcess(rt),
    });
    this.queue = new QueueEdits({ store: this.store, runtimes: this.runtimes, stream: this.turns.stream, turn: (id) => this.turn(id), changed: (id) => this.changed(id) });
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
    this.watchdog = setInterval(() => this.turns.checkStalls(), WATCHDOG_TICK_MS);
    this.watchdog.unref();
    // A new idle time applies to the processes idle now too, counted from when each fell idle.
    this.offSettings = this.deps.events.on('settings.changed', ({ key }) => {
      if (key !== 'sessions.idleStopMinutes') return;
      for (const rt of this.runtimes.values()) if (rt.idleTimer) this.turns.armIdleStop(rt);
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
        const proc = rt.process;
        rt.process = null;
        // The running turn's partial reply first: a message that waited behind it comes after it.
        if (rt.current) this.turns.endCurrent(rt, 'failed', 'Switchboard stopped during this turn.');
        for (const turnId of rt.queue.splice(0)) {
          this.store.enterConversation(turnId, { notSent: true });
          this.store.endTurn(turnId, { status: 'cancelled', error: 'Switchboard stopped before this message was sent.' });
        }
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
      const refused = workFolderRefusal(cwd, { dataDir: this.deps.dataDir, env: this.deps.env, owner: isOwner({ surface: input.surface, actor: '' }) || input.surface === 'schedule', session: id });
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
      if (!rt!.current && !rt!.queue.length) await this.turns.stopProcess(rt!);
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
      turns: this.store.turns(id).map((t) => withPosition(t, rt, this.deps.costs?.turns(id))),
      messages: this.store.messages(id, limit),
      streaming: cur?.partialText ? { turnId: cur.turnId, text: cur.partialText } : null,
    };
  }

  turn(turnId: string): Turn {
    const turn = this.store.turn(turnId);
    if (!turn) throw new AppError('not_found', `no turn ${turnId}`);
    return withPosition(turn, this.runtimes.get(turn.sessionId), this.deps.costs?.turns(turn.sessionId, turn.id));
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
    if (!rt.process?.alive && !rt.current) this.turns.ensureCapacity(id);
    const turn = this.store.insertTurn({ id: randomUUID(), sessionId: id, claudeSessionId: row.claude_session_id, surface: from.surface, actor: from.actor, prompt: text });
    if (row.title === NEW_TITLE) this.store.updateSession(id, { title: text.split('\n')[0]!.slice(0, 60) });
    if (options.interrupt) rt.queue.unshift(turn.id);
    else rt.queue.push(turn.id);
    rt.lastActivity = Date.now();
    this.turns.stream.emitStream(id, turn.id, { kind: 'turn', turn: withPosition(turn, rt) });
    if (options.interrupt && rt.current) void this.interrupt(id);
    this.turns.pump(rt);
    this.changed(id);
    return withPosition(this.store.turn(turn.id)!, rt);
  }


  /**
   * Hands the session to a `claude` terminal: refused while a turn runs or waits, its own idle
   * process stopped first (two processes on one session corrupt it). Returns the TUI's arguments.
   */
  handToTerminal(id: string): Promise<string[]> {
    return this.terminal.handToTerminal(id);
  }

  /** Whether one of our sessions is open in its own Terminal tab (its transcript is then the TUI's, not the app's). */
  inTerminal(claudeSessionId: string): boolean {
    return this.terminal.inTerminal(claudeSessionId);
  }

  /** The terminal's `claude` runs: kept with the app's own processes, so a start after a crash ends it too. */
  terminalStarted(id: string, pid: number): void {
    this.terminal.terminalStarted(id, pid);
  }

  /** The terminal running this session ended: messages are sent from here again (resuming what it did). */
  takeBackFromTerminal(id: string): Promise<void> {
    return this.terminal.takeBackFromTerminal(id);
  }

  /** Recent project folders (not the data folder's own session folders), newest first, that still exist. */
  async folders(): Promise<string[]> {
    // Up to 60 folders, some on slow or gone disks: checked off the event loop, together.
    // A worktree session's project is its repository; Switchboard's own folders are never offered.
    const projects = this.store.recentFolders(60).map((f) => projectFolder(this.deps.dataDir, f));
    const candidates = [...new Set(projects)].filter((f) => !isSwitchboardFolder(this.deps.dataDir, f));
    const present = await Promise.all(candidates.map((f) => fs.promises.stat(f).then((s) => s.isDirectory(), () => false)));
    return candidates.filter((_, i) => present[i]).slice(0, 20);
  }

  /** Changes a message still waiting in the queue. */
  editQueued(turnId: string, text: string): Turn {
    return this.queue.edit(turnId, text);
  }

  /** Takes back a message still waiting in the queue; the ones behind it move up. */
  removeQueued(turnId: string): { removed: true } {
    return this.queue.remove(turnId);
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
    const claudeId = ended && this.store.session(sessionId)?.claude_session_id;
    if (claudeId) await this.deps.catchUpTranscript?.(claudeId).catch((e: unknown) => log.error('sessions: reading the transcript failed', e));
    const turn = this.store.turn(sent.id) ? this.turn(sent.id) : (ended ?? this.turn(sent.id));
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
      this.turns.endCurrent(rt, 'interrupted', 'Interrupted while it waited for the plan’s limit to reset.');
      this.turns.afterTurn(rt);
      return true;
    }
    const proc = rt?.process;
    if (!cur || !proc) return false;
    cur.interrupted = true;
    await this.turns.stopTurn(rt, cur, proc);
    return true;
  }


  /** A fresh Claude session id: what Claude remembers starts over; the history here stays. */
  async reset(id: string): Promise<SessionSummary> {
    this.row(id);
    const rt = this.runtime(id);
    for (const turnId of rt.queue.splice(0)) this.turns.endQueued(rt, turnId, 'The session was reset before this message was sent.');
    if (rt.current) await this.interrupt(id);
    await this.turns.stopProcess(rt, 'Interrupted: the session was reset.');
    const fresh = randomUUID();
    this.store.updateSession(id, { claude_session_id: fresh, cli_started: 0, session_rules: '[]' } as Partial<SessionRow>);
    rt.outcome = null;
    rt.lastError = null;
    this.turns.stream.notice(id, null, `Started a new Claude session (${fresh}). Earlier messages stay here, but Claude no longer has them in mind.`);
    return this.changed(id);
  }

  async delete(id: string): Promise<void> {
    this.row(id);
    const rt = this.runtimes.get(id);
    // Its running and waiting turns, as they end with it: whoever waits on one (sessions.ask, a job's run) hears so now, not at its timeout.
    const ended = (rt ? [...(rt.current ? [rt.current.turnId] : []), ...rt.queue] : []).flatMap((turnId) => this.store.turn(turnId) ?? []);
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
    this.deps.storage.db.transaction(() => {
      this.deps.forgetSession?.(id);
      this.store.deleteSession(id);
    })();
    for (const turn of ended) this.turns.stream.emitStream(id, turn.id, { kind: 'turn', turn: { ...turn, status: 'cancelled', position: null, error: 'The session was deleted.', endedAt: Date.now() } });
    await Promise.all([`${id}.txt`, `${id}.mcp.json`].map((file) => fs.promises.rm(path.join(this.deps.dataDir, 'prompts', file), { force: true })));
    this.deps.events.emit('sessions.removed', { id });
  }

  /** Whether a session is there (not deleted). */
  exists(id: string): boolean {
    return !!this.store.session(id);
  }

  /** How many CLI processes are alive (for health and benchmarks). */
  liveProcesses(): number {
    return [...this.runtimes.values()].filter((rt) => rt.process?.alive).length;
  }


  /**
   * Stops the session's process now if it is idle: for a session that will not be spoken to again
   * (a job's fresh run), whose process would otherwise hold memory and a place under the limit.
   */
  async release(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt?.process || rt.current || rt.queue.length || rt.inTerminal) return;
    await this.turns.stopProcess(rt);
    if (this.runtimes.has(id) && !this.stopping) this.changed(id);
  }

  /** The plan's limit reset: the waiting turn carries on in the same session, once. */
  continueAfterLimit(id: string): boolean {
    return this.turns.continueAfterLimit(id);
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

  private summary(row: SessionRow, costs?: Map<string, number>): SessionSummary {
    const cost = costs ? (costs.get(row.id) ?? 0) : (this.deps.costs?.session(row.id) ?? row.cost_usd);
    return summaryOf(row, this.runtimes.get(row.id), this.deps.worktreeOf?.(row.id) ?? null, cost);
  }

  /** Answers were counted to these turns (Usage, from the transcripts): the windows hear the figures now. */
  countedCosts(touched: Map<string, Set<string>>): void {
    for (const id of announceCounted(this.deps.costs, touched, (s) => !!this.store.session(s), (c) => this.deps.events.emit('sessions.costs', c))) this.changed(id);
  }

  private changed(id: string): SessionSummary {
    const summary = this.summary(this.row(id));
    this.deps.events.emit('sessions.changed', summary);
    return summary;
  }

}
