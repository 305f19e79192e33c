import fs from 'node:fs';
import path from 'node:path';
import { log } from '../log';
import { isRunning, killOwnGroup, processStartTime, processState } from '../process-identity';

/** One Claude process Switchboard started on this data folder. */
export interface LedgerEntry {
  /** Its process group: the CLI leads its own (pid = pgid), so its children go with it. */
  pgid: number;
  /** When it started, as the OS reports it: a pid handed to another program later is never taken for it. */
  started: number | null;
  /** The Claude session it runs. */
  claudeSessionId: string;
  /** Switchboard's session. */
  sessionId: string;
  /** The app's stream-json process, or the TUI of a terminal opened on the session. */
  kind: 'app' | 'terminal';
}

/** How long a start waits for the processes it killed to be gone before going on. */
const KILL_WAIT_MS = 2_000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The Claude processes running for this data folder, kept on disk beside the database. A
 * Switchboard killed (kill -9, a crash, a power cut of the app alone) leaves its Claude processes
 * running mid-turn; the next start ends what is left of them, identified as shell jobs are (process
 * group and start time), before any session can be resumed: two processes on one Claude session
 * fork its transcript. While running, it answers which process holds a Claude session.
 */
export class ClaudeLedger {
  private entries: LedgerEntry[] = [];

  constructor(readonly file: string) {}

  /**
   * At start, before anything spawns: kills what is left of the last run's processes (only those
   * still the ones it started) and waits briefly until they are gone. Returns the ones it killed.
   */
  endLeftovers(): LedgerEntry[] {
    const left = this.read();
    const killed = left.filter((entry) => killOwnGroup(entry.pgid, entry.started) === 'killed');
    const deadline = Date.now() + KILL_WAIT_MS;
    // A killed process is gone, or a zombie until whoever adopted it reaps it: either way it runs no more.
    while (killed.some((e) => !['Z', null].includes(processState(e.pgid))) && Date.now() < deadline) pause(20);
    this.entries = [];
    this.write();
    return killed;
  }

  /** Records a process as soon as it is started. */
  add(entry: Omit<LedgerEntry, 'started'>): void {
    this.entries = [...this.entries.filter((e) => e.pgid !== entry.pgid), { ...entry, started: processStartTime(entry.pgid) }];
    this.write();
  }

  /** Forgets a process once it has exited. */
  remove(pgid: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.pgid !== pgid);
    if (this.entries.length !== before) this.write();
  }

  /** The process of this run that still runs this Claude session, if one does. */
  holder(claudeSessionId: string): LedgerEntry | null {
    return this.entries.find((e) => e.claudeSessionId === claudeSessionId && isRunning(e.pgid, e.started)) ?? null;
  }

  private read(): LedgerEntry[] {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return Array.isArray(parsed) ? (parsed as LedgerEntry[]).filter((e) => Number.isInteger(e?.pgid) && e.pgid > 1) : [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('the list of Claude processes from the last run could not be read', { file: this.file, error: (error as Error).message });
      return [];
    }
  }

  /** Atomically (a crash mid-write must not lose the list), 0600 like everything in the data folder. */
  private write(): void {
    try {
      if (!this.entries.length) {
        fs.rmSync(this.file, { force: true });
        return;
      }
      const temp = `${this.file}.${process.pid}.tmp`;
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, JSON.stringify(this.entries), { mode: 0o600 });
      fs.renameSync(temp, this.file);
    } catch (error) {
      log.warn('the list of running Claude processes could not be written', { file: this.file, error: (error as Error).message });
    }
  }
}
