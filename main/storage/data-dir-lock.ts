import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isRunning, processStartTime } from '../process-identity';

/** What a lock file says: enough to tell the holder from another program that got its pid later. */
interface Holder {
  pid: number;
  /** When the holder process started (ms since the epoch), as the OS reports it. */
  started: number | null;
  token: string;
}

/** A take-over that has held its guard file this long died halfway. */
const TAKEOVER_STALE_MS = 10_000;
/** A lock file this young that does not parse yet is being written by its creator, not left by a crash. */
const BEING_WRITTEN_MS = 2_000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function parseHolder(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.token === 'string') return { pid: value.pid, started: value.started ?? null, token: value.token };
  } catch {
    // Older versions wrote "pid:uuid": no start time to prove identity with.
    const [pid, token] = text.split(':');
    if (pid && /^\d+$/.test(pid)) return { pid: Number(pid), started: null, token: token ?? '' };
  }
  return null;
}

/**
 * One Switchboard per data folder: two would run the same jobs and resume the same Claude
 * sessions at once. The lock file names the holder by pid and start time, so a pid reused by
 * another program after a crash does not keep the folder locked, nor does a holder that died a
 * moment ago and is still a zombie. A stale lock is taken over
 * under a short-lived guard file, so two starters cannot both decide it is stale and both win.
 */
export class DataDirLock {
  readonly file: string;
  private readonly holder: Holder = { pid: process.pid, started: processStartTime(process.pid), token: randomUUID() };

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'switchboard.lock');
  }

  acquire(): void {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.tryCreate()) return;
      const text = this.read();
      if (text === null) continue;
      const holder = parseHolder(text);
      // Created but not yet written (the 'wx' create and the write are two steps): taking it over now
      // would remove a live starter's lock, and both would win.
      if (!holder && Date.now() - (fs.statSync(this.file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < BEING_WRITTEN_MS) {
        pause(20);
        continue;
      }
      // A zombie holder is a Switchboard killed a moment ago whose parent has not reaped it yet: stale.
      if (holder && isRunning(holder.pid, holder.started)) {
        throw new Error(`another Switchboard (pid ${holder.pid}) is using ${path.dirname(this.file)}. Stop it, or point SWITCHBOARD_HOME at another folder.`);
      }
      this.takeOver(text);
    }
    throw new Error(`could not take the lock ${this.file}: other Switchboards are starting on this folder at the same time`);
  }

  release(): void {
    const text = this.read();
    if (text !== null && parseHolder(text)?.token === this.holder.token) fs.rmSync(this.file, { force: true });
  }

  private tryCreate(): boolean {
    try {
      fs.writeFileSync(this.file, JSON.stringify(this.holder), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    }
  }

  private read(): string | null {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Removes the stale lock only if it is still the one judged stale, holding the take-over guard. */
  private takeOver(staleText: string): void {
    const guard = `${this.file}.takeover`;
    try {
      fs.writeFileSync(guard, this.holder.token, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > TAKEOVER_STALE_MS) fs.rmSync(guard, { force: true });
      // Another starter is taking over right now: give it a moment, then look again.
      else pause(50);
      return;
    }
    try {
      if (this.read() === staleText) fs.rmSync(this.file, { force: true });
    } finally {
      fs.rmSync(guard, { force: true });
    }
  }
}
