import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { PermissionPolicy } from '../../contract';
import { ClaudeProcess } from '../claude/claude-process';
import { log } from '../log';
import type { SettingsService } from '../settings/settings-service';
import { makePrivateDir } from '../storage/private-files';
import { ownSessionFolders } from '../storage/session-folders';
import type { ClaudeLedger } from './claude-ledger';

/** Exactly how a CLI process is started: a spare is handed over only when a session's start would be this. */
export interface ClaudeLaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** What the spare is started for: a new session in its own fresh folder, with the default model and mode. */
export interface SparePlan {
  id: string;
  claudeSessionId: string;
  cwd: string;
  model: null;
  policy: PermissionPolicy;
}

/** The launch a spare is started for: the mode every window and chat session starts in unless told otherwise. */
export const SPARE_POLICY: PermissionPolicy = 'ask';

export interface SpareDeps {
  dataDir: string;
  settings: SettingsService;
  freeMemoryMb: () => number;
  /** How many processes real sessions hold (running, queued or idle and alive). */
  claimed: () => number;
  /** The start a session with these ids and defaults would get; null when none can be made now. */
  launch: (plan: SparePlan) => ClaudeLaunchSpec | null;
  ledger: ClaudeLedger;
  /** Off in tests that do not ask for it: an extra CLI per test core would load the machine for nothing. */
  enabled: boolean;
}

interface Parked {
  plan: SparePlan;
  launch: ClaudeLaunchSpec;
  proc: ClaudeProcess;
  /** Set once a session took the spare's ids: only that session may claim it. */
  reservedFor: string | null;
  idleTimer: NodeJS.Timeout;
  /** The CLI answered `initialize`: it has booted and waits for its first message. */
  ready: boolean;
}

/** How long a CLI command that could not be started is not tried again for a spare (a new path in Settings is tried at once). */
const UNSTARTABLE_RETRY_MS = 10 * 60_000;

/** A spare that is not reserved waits at most this long before refilling after a claim: the claimed turn goes first. */
const REFILL_DELAY_MS = 1_500;
/** How often a parked spare checks that the machine still has the memory Switchboard keeps free. */
const MEMORY_CHECK_MS = 5_000;
/** The first spare waits for the core to finish starting (and its MCP server to listen). */
const FIRST_FILL_DELAY_MS = 1_000;

/**
 * One warm `claude` process started ahead for the next new session. A cold CLI takes hundreds of
 * milliseconds to boot before it reads its first message; a parked one only does its first turn.
 * The spare is started exactly as the next session in its own folder with the default model and
 * mode would be (`--session-id` with an id generated now, which that session then adopts as its own),
 * and handed over only when the session's start matches it argument for argument; otherwise it is
 * discarded and the session starts cold as before. Until it is claimed no user sees its ids: the CLI
 * writes nothing (no transcript) before its first message. It yields to real sessions under the
 * process limit, is not kept when memory runs below the minimum, and stops after the idle time.
 */
export class SpareClaude {
  private parked: Parked | null = null;
  private fillTimer: NodeJS.Timeout | null = null;
  private memoryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** A CLI command that could not be started (not found, not executable), and when: not tried again for a while, nor logged twice. */
  private unstartable: { command: string; at: number } | null = null;
  /** Counts for benchmarks and tests: how often a session took the spare, and how often it was thrown away. */
  readonly stats = { started: 0, claimed: 0, discarded: 0 };
  /** Called whenever the spare is started, booted, claimed or stopped (tests and the benchmark wait on it). */
  readonly changes = new Set<() => void>();

  constructor(private readonly deps: SpareDeps) {}

  start(): void {
    this.stopped = false;
    this.fill(FIRST_FILL_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.fillTimer) clearTimeout(this.fillTimer);
    this.fillTimer = null;
    await this.discard('Switchboard stopped');
  }

  /** Whether a spare is parked and booted (tests and the benchmark wait for this). */
  get ready(): boolean {
    return !!this.parked?.ready && this.parked.proc.alive;
  }

  /** The spare's process id, while one is parked. */
  get pid(): number | null {
    return this.parked?.proc.alive ? (this.parked.proc.pid ?? null) : null;
  }

  /** Starts a spare after `delayMs`, when none is parked and the limits leave room for one. */
  fill(delayMs = 0): void {
    if (!this.deps.enabled || this.stopped || this.parked || this.fillTimer) return;
    this.fillTimer = setTimeout(() => {
      this.fillTimer = null;
      this.spawn();
    }, delayMs);
    this.fillTimer.unref();
  }

  /**
   * The ids a new session in its own folder with this model and mode takes, so that its start can
   * be the spare's; null when no spare is parked for such a session (it gets fresh ids and starts cold).
   */
  reserve(sessionWants: { model: string | null; policy: PermissionPolicy }): { id: string; claudeSessionId: string; cwd: string } | null {
    const parked = this.parked;
    if (!parked || parked.reservedFor || !parked.proc.alive) return null;
    if (sessionWants.model !== parked.plan.model || sessionWants.policy !== parked.plan.policy) return null;
    parked.reservedFor = parked.plan.id;
    return { id: parked.plan.id, claudeSessionId: parked.plan.claudeSessionId, cwd: parked.plan.cwd };
  }

  /**
   * The spare's process for this session when its start is exactly the spare's; otherwise null,
   * and a spare that held this session's ids is discarded (its ids are the session's now).
   */
  claim(sessionId: string, launch: ClaudeLaunchSpec): ClaudeProcess | null {
    const parked = this.parked;
    if (!parked || parked.reservedFor !== sessionId) return null;
    const same = parked.proc.alive && isDeepStrictEqual(parked.launch, launch);
    if (!same) {
      log.info('the warm Claude process did not match the session it was reserved for; starting cold', { sessionId });
      // Killed at once and forgotten by the ledger now: it never had a message, and the session's own start follows.
      this.forget(parked, 'SIGKILL');
      return null;
    }
    clearTimeout(parked.idleTimer);
    this.parked = null;
    this.stopMemoryCheck();
    this.stats.claimed++;
    this.fill(REFILL_DELAY_MS);
    this.changed();
    return parked.proc;
  }

  /** A session that took the spare's ids is gone before sending: the spare goes with it. */
  release(sessionId: string): void {
    if (this.parked?.reservedFor === sessionId) void this.discard('its session was deleted');
  }

  /**
   * Makes room for a real session: the spare is stopped when the process about to start would
   * leave no room for it under the limit, unless it is that very session's process.
   */
  yieldFor(sessionId: string, roomLeft: number): void {
    const parked = this.parked;
    if (!parked || parked.reservedFor === sessionId) return;
    if (roomLeft < 1) void this.discard('a session needed its place under the process limit');
  }

  /** Stops the spare (if any); it is started again on the next occasion. */
  async discard(reason: string): Promise<void> {
    const parked = this.parked;
    if (!parked) return;
    log.info(`warm Claude process stopped: ${reason}`);
    await this.forget(parked, 'SIGTERM');
  }

  private spawn(): void {
    if (this.stopped || this.parked) return;
    const { settings } = this.deps;
    if (!settings.get('sessions.warmSpare')) return;
    if (this.deps.claimed() >= settings.get('sessions.maxProcesses')) return;
    if (this.deps.freeMemoryMb() < settings.get('sessions.minFreeMemoryMb')) return;
    const id = randomUUID();
    const plan: SparePlan = { id, claudeSessionId: randomUUID(), cwd: path.join(ownSessionFolders(this.deps.dataDir), id), model: null, policy: SPARE_POLICY };
    let launch: ClaudeLaunchSpec | null;
    try {
      makePrivateDir(ownSessionFolders(this.deps.dataDir));
      makePrivateDir(plan.cwd);
      launch = this.deps.launch(plan);
    } catch (error) {
      log.warn('no warm Claude process: its start could not be prepared', { error: (error as Error).message });
      fs.rmSync(plan.cwd, { recursive: true, force: true });
      return;
    }
    if (!launch || (this.unstartable?.command === launch.command && Date.now() - this.unstartable.at < UNSTARTABLE_RETRY_MS)) {
      fs.rmSync(plan.cwd, { recursive: true, force: true });
      return;
    }
    const proc = new ClaudeProcess(launch);
    const pid = proc.pid;
    if (pid) this.deps.ledger.add({ pgid: pid, claudeSessionId: plan.claudeSessionId, sessionId: plan.id, kind: 'app' });
    const idleTimer = setTimeout(() => void this.discard('idle'), settings.get('sessions.idleStopMinutes') * 60_000);
    idleTimer.unref();
    const parked: Parked = { plan, launch, proc, reservedFor: null, idleTimer, ready: false };
    this.parked = parked;
    this.stats.started++;
    void proc.initialize(30_000).then((ok) => {
      parked.ready = ok && proc.alive;
      if (parked.ready) this.unstartable = null;
      this.changed();
    });
    // A spare that dies by itself (no CLI, a bad setting) is not restarted until the next occasion: no crash loop.
    void proc.exited.then((exit) => {
      if (pid) this.deps.ledger.remove(pid);
      if (this.parked === parked) {
        // The sessions say so when no CLI is found (and serve at start): once in the log is enough.
        const again = !!exit.spawnError && this.unstartable?.command === launch.command;
        if (exit.spawnError) this.unstartable = { command: launch.command, at: Date.now() };
        if ((exit.spawnError || exit.code) && !again) log.warn('the warm Claude process ended by itself', { code: exit.code, error: exit.spawnError, stderr: exit.stderrTail.slice(-300) });
        this.cleanUp(parked);
      }
    });
    this.startMemoryCheck();
    this.changed();
  }

  /** Ends a parked spare and removes what was made for it (its folder, unless a session now owns it). */
  private async forget(parked: Parked, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.cleanUp(parked);
    const pid = parked.proc.pid;
    if (signal === 'SIGKILL') {
      parked.proc.kill('SIGKILL');
      if (pid) this.deps.ledger.remove(pid);
      return;
    }
    await parked.proc.stop(1_000);
  }

  private cleanUp(parked: Parked): void {
    if (this.parked !== parked) return;
    this.parked = null;
    clearTimeout(parked.idleTimer);
    this.stopMemoryCheck();
    this.stats.discarded++;
    // The folder made for the spare is empty and nobody's, unless a session took the ids: then it is that session's.
    if (!parked.reservedFor) {
      fs.rmSync(parked.plan.cwd, { recursive: true, force: true });
      fs.rmSync(path.join(this.deps.dataDir, 'prompts', `${parked.plan.id}.mcp.json`), { force: true });
    }
    this.changed();
  }

  private changed(): void {
    for (const listener of this.changes) listener();
  }

  private startMemoryCheck(): void {
    if (this.memoryTimer) return;
    this.memoryTimer = setInterval(() => {
      if (this.parked && this.deps.freeMemoryMb() < this.deps.settings.get('sessions.minFreeMemoryMb')) void this.discard('free memory fell below the minimum');
    }, MEMORY_CHECK_MS);
    this.memoryTimer.unref();
  }

  private stopMemoryCheck(): void {
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.memoryTimer = null;
  }
}
