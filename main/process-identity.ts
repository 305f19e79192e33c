import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { childEnv } from './child-env';

/** Clock ticks per second for /proc's start times; 100 on every Linux build that matters. */
const CLK_TCK = 100;
/** Start times read two ways (ours when recorded, the OS's later) agree within this. */
const START_TOLERANCE_MS = 2_000;

let bootTimeMs: number | null | undefined;

function linuxBootTime(): number | null {
  if (bootTimeMs !== undefined) return bootTimeMs;
  const line = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
  bootTimeMs = line ? Number(line[1]) * 1000 : null;
  return bootTimeMs;
}

/**
 * When a process started (ms since the epoch), or null when the OS does not say (it is gone, or
 * we cannot ask). A pid alone does not name a process: after a crash another program may get it.
 */
export function processStartTime(pid: number): number | null {
  try {
    if (process.platform === 'linux') {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const boot = linuxBootTime();
      return boot === null ? null : boot + (Number(fields[19]) / CLK_TCK) * 1000;
    }
    if (process.platform === 'win32') return null;
    const text = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, env: childEnv(process.env) }).trim();
    const time = Date.parse(text);
    return Number.isNaN(time) ? null : time;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (it may belong to another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is still the process that started at `started` (where the OS tells): alive, and
 * not a later program that got the same pid. Without a recorded start time, alive is all we know.
 */
export function isSameProcess(pid: number, started: number | null): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return false;
  if (started === null) return true;
  const now = processStartTime(pid);
  return now === null || Math.abs(now - started) < START_TOLERANCE_MS;
}

/**
 * The process's state as the OS reports it (`R`, `S`, `D`, `Z`, …), or null when it is gone or the
 * OS does not say. Read from /proc on Linux, from `ps` elsewhere.
 */
export function processState(pid: number): string | null {
  try {
    if (process.platform === 'linux') {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
    }
    if (process.platform === 'win32') return null;
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, env: childEnv(process.env) }).trim()[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is the process that started at `started` and still runs: a zombie (ended, not
 * yet reaped by its parent, as a server is for a moment after a kill -9) keeps its pid but does
 * nothing, so it holds nothing.
 */
export function isRunning(pid: number, started: number | null): boolean {
  return isSameProcess(pid, started) && processState(pid) !== 'Z';
}

/** Whether any process is still in this process group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills what is left of a process group we started, if it is still ours: its leader alive with
 * the start time we recorded, or the leader gone while the group lives on (a pid that names a
 * live group is not handed out again, so the group cannot be another program's).
 */
export function killOwnGroup(pgid: number, started: number | null): 'killed' | 'gone' | 'not ours' {
  if (process.platform === 'win32' || !groupAlive(pgid)) return 'gone';
  if (alive(pgid) && !isSameProcess(pgid, started)) return 'not ours';
  try {
    process.kill(-pgid, 'SIGKILL');
    return 'killed';
  } catch {
    return 'gone';
  }
}
