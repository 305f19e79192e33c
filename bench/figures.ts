import fs from 'node:fs';

/** One measured number, with the goal an issue set for it (if any). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** e.g. { below: 700 } or { above: 20000 } */
  goal?: { below?: number; above?: number };
  note?: string;
}

export interface BenchGroup {
  name: string;
  description: string;
  run(): Promise<Figure[]>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function meetsGoal(figure: Figure): boolean | null {
  if (!figure.goal) return null;
  if (figure.goal.below !== undefined && !(figure.value < figure.goal.below)) return false;
  if (figure.goal.above !== undefined && !(figure.value > figure.goal.above)) return false;
  return true;
}

/** The most of `times` (ms) that fall within any one window of `windowMs`: a rate limit's view of calls. */
export function maxWithin(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** CPU time (user + system) the processes have used so far, from /proc (Linux; 0 elsewhere). */
export function cpuMs(pids: number[]): number {
  const tick = 10; // ms per clock tick (USER_HZ is 100 on Linux)
  return pids.reduce((sum, pid) => {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      return sum;
    }
  }, 0);
}
