import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionSummary, TurnStatus } from '../../contract';
import { buildClaudeArgs } from '../claude/args';
import { ClaudeProcess, type ClaudeExit } from '../claude/claude-process';
import { chooseClaudeCommand, cliStartFailure } from '../claude/cli-locator';
import type { TurnResult } from '../claude/events';
import { AppError, errorMessage } from '../errors';
import { makePrivateDir } from '../storage/private-files';
import { ClaudeLedger } from './claude-ledger';
import { isLimitFailure } from './plan-limit';
import { withCounted } from './turn-costs';
import { CONTINUE_AFTER_LIMIT, INTERRUPT_GRACE_MS, lastLines, withPosition, type Current, type Runtime, type SessionManagerDeps } from './session-runtime';
import type { SessionRow, SessionStore, TurnEnd } from './session-store';
import { SpareClaude, type ClaudeLaunchSpec } from './spare-claude';
import { failedTurnError } from './turn-errors';
import { TurnStream } from './turn-stream';

/** What the runner shares with the session manager. */
export interface TurnRunnerHost {
  /** Every session's runtime, the manager's map. */
  readonly runtimes: Map<string, Runtime>;
  /** The session's summary changed: told to every window. */
  changed(id: string): SessionSummary;
  /** Switchboard is stopping: an idle stop no longer announces itself. */
  stopping(): boolean;
}

/**
 * Running turns, the session manager's busiest job: each queued turn started on the session's CLI
 * process (started, resumed or taken warm from the spare), its end, idle stop, the stall watchdog,
 * and the limits on how many processes run.
 */
export class TurnRunner {
  private readonly store: SessionStore;
  private readonly runtimes: Map<string, Runtime>;
  /** Every Claude process started on this data folder, on disk, so a start after a crash can end them. */
  readonly ledger: ClaudeLedger;
  /** A warm CLI for the next new session (spare-claude.ts). */
  readonly spare: SpareClaude;
  /** What the CLI says during a turn, stored and streamed. */
  readonly stream: TurnStream;

  constructor(
    private readonly deps: SessionManagerDeps,
    private readonly host: TurnRunnerHost,
  ) {
    this.store = deps.store;
    this.runtimes = host.runtimes;
    this.stream = new TurnStream(deps, { finishTurn: (rt, proc, result) => this.finishTurn(rt, proc, result), changed: (id) => host.changed(id) });
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

  private get stopping(): boolean {
    return this.host.stopping();
  }

  private changed(id: string): SessionSummary {
    return this.host.changed(id);
  }

  // --- running turns -------------------------------------------------------------------------

  /** Starts the next queued turn when none runs (its process started if need be). */
  pump(rt: Runtime): void {
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
    this.stream.emitStream(rt.sessionId, turnId, { kind: 'message', message: this.store.enterConversation(turnId) });
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
    this.stream.emitStream(rt.sessionId, turnId, { kind: 'turn', turn: withPosition(this.store.turn(turnId)!, rt) });
    for (const queued of rt.queue) this.stream.emitStream(rt.sessionId, queued, { kind: 'turn', turn: withPosition(this.store.turn(queued)!, rt) });
    this.changed(rt.sessionId);
  }

  /** Exactly how a session's CLI starts: the spare is started the same way for the session it expects. */
  launch(row: Pick<SessionRow, 'id' | 'claude_session_id' | 'cli_started' | 'cwd' | 'model' | 'permission_policy' | 'system_prompt'>): ClaudeLaunchSpec {
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
      if (rt.process === proc) this.stream.onEvent(rt, proc, event);
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

  /** The CLI's result ends the turn: its cost and how it ended, or a fresh start or a wait for the limit. */
  finishTurn(rt: Runtime, proc: ClaudeProcess, result: TurnResult): void {
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
    this.stream.keepPartial(rt, cur);
    this.stream.notice(rt.sessionId, cur.turnId, `Your plan’s usage limit is reached: this turn waits for it to reset at ${new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}, then carries on by itself. Messages you send meanwhile wait behind it.`);
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
      this.stream.notice(id, cur.turnId, 'The plan’s limit reset: carrying on.');
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
    this.stream.notice(row.id, cur.turnId, `Claude could not find session ${row.claude_session_id} (its transcript is gone), so Switchboard started a new Claude session. Earlier messages stay here, but Claude no longer has them in mind.`);
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

  /** Ends the running turn: stored, streamed, its questions cancelled, a long one notified. */
  endCurrent(rt: Runtime, status: TurnStatus, error: string | null, fields: Omit<TurnEnd, 'status' | 'error'> = {}): void {
    const cur = rt.current;
    if (!cur) return;
    rt.current = null;
    // Whatever ended the turn (a crash, a stop, an API failure), the text the user saw streaming stays.
    this.stream.keepPartial(rt, cur);
    // endTurn below clears the stored partial text; no write may follow it.
    if (cur.partialTimer) clearTimeout(cur.partialTimer);
    if (status === 'failed' && error) error = failedTurnError(error, { sessionId: rt.sessionId, turnId: cur.turnId });
    const turn = this.store.endTurn(cur.turnId, { ...fields, status, error });
    rt.outcome = status === 'failed' || status === 'stalled' ? status : null;
    rt.lastError = error;
    rt.lastActivity = Date.now();
    this.deps.approvals.cancelTurn(cur.turnId, 'The turn ended before this was answered.');
    // Its cost is what Usage counts from the transcript (usually a moment later: sessions.costs), never the CLI's own figure.
    this.stream.emitStream(rt.sessionId, cur.turnId, { kind: 'turn', turn: this.deps.costs ? withCounted(turn, this.deps.costs.turns(rt.sessionId, turn.id)) : turn });
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

  /** Ends a turn that never started (a reset took it off the queue). */
  endQueued(rt: Runtime, turnId: string, reason: string): void {
    this.stream.emitStream(rt.sessionId, turnId, { kind: 'message', message: this.store.enterConversation(turnId, { notSent: true }) });
    const turn = this.store.endTurn(turnId, { status: 'cancelled', error: reason });
    this.stream.emitStream(rt.sessionId, turnId, { kind: 'turn', turn });
  }

  /** Next message, or an idle timer that stops the process. */
  afterTurn(rt: Runtime): void {
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
  armIdleStop(rt: Runtime): void {
    if (rt.idleTimer) clearTimeout(rt.idleTimer);
    const left = rt.lastActivity + this.deps.settings.get('sessions.idleStopMinutes') * 60_000 - Date.now();
    rt.idleTimer = setTimeout(() => {
      rt.idleTimer = null;
      if (!rt.current && !rt.queue.length) void this.stopProcess(rt).then(() => this.runtimes.has(rt.sessionId) && !this.stopping && this.changed(rt.sessionId));
    }, Math.max(0, left));
    rt.idleTimer.unref();
  }

  /** Stops the process; a turn still running on it ends here, since its events will no longer be heard. */
  async stopProcess(rt: Runtime, reason = 'The Claude process was stopped.'): Promise<void> {
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

  /** The watchdog: a turn silent past the stall time is interrupted. */
  checkStalls(): void {
    const stallMs = this.deps.settings.get('sessions.stallMinutes') * 60_000;
    const now = Date.now();
    for (const rt of this.runtimes.values()) {
      const cur = rt.current;
      const proc = rt.process;
      if (!cur || !proc || cur.stalled || cur.waitingApprovals > 0 || now - proc.lastOutputAt < stallMs) continue;
      cur.stalled = true;
      this.stream.notice(rt.sessionId, cur.turnId, `${this.stallMessage()} Interrupting it.`);
      void this.stopTurn(rt, cur, proc);
    }
  }

  private stallMessage(): string {
    const minutes = this.deps.settings.get('sessions.stallMinutes');
    return `No output from Claude for ${minutes} min, so the turn was stopped as stalled.`;
  }

  /**
   * Interrupts a turn; kills the process when the CLI does not answer, or answers but the turn goes
   * on (an interrupt that reaches the CLI before it has begun the turn is acknowledged, then ignored).
   */
  async stopTurn(rt: Runtime, cur: Current, proc: ClaudeProcess): Promise<void> {
    const acknowledged = await proc.interrupt(INTERRUPT_GRACE_MS);
    if (!acknowledged) proc.kill('SIGKILL');
    else setTimeout(() => rt.current === cur && proc.kill('SIGKILL'), INTERRUPT_GRACE_MS).unref();
  }

  // --- limits --------------------------------------------------------------------------------

  /** Makes room for one more process (stopping the least recently used idle one), or refuses. */
  ensureCapacity(forId: string): void {
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

  /** Free memory in MB (the tests' figure when they give one). */
  freeMemoryMb(): number {
    return this.deps.freeMemoryMb?.() ?? os.freemem() / 1024 / 1024;
  }
}
