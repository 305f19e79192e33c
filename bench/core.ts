import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServe } from '../e2e/support/serve';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { seedMessages } from './corpus';
import { median, type BenchGroup } from './figures';

const STARTS = 9;

/** Resident memory of a process, in MB (Linux /proc; ps elsewhere). */
function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  } catch {
    return NaN;
  }
}

/** Node starting and printing one line: the floor any Node server's start sits on. */
async function nodeFloorMs(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', 'console.log("UI: ready")'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
  });
  return performance.now() - started;
}

export const coreGroup: BenchGroup = {
  name: 'core',
  description: 'headless start to the UI: line, and idle memory',
  async run() {
    const home = makeTempDir('switchboard-bench-');
    try {
      // A data dir with a real history: 100,000 messages, their word index and vectors.
      const seed = await benchCore(home);
      await seedMessages(seed, 100_000);
      await seed.stop();
      await (await startServe(home)).stop(); // the first start after seeding is not timed
      const starts: number[] = [];
      const uncleanStarts: number[] = [];
      const floors: number[] = [];
      const timedStart = async (): Promise<number> => {
        const t0 = performance.now();
        const served = await startServe(home);
        const ms = performance.now() - t0;
        await served.stop();
        return ms;
      };
      for (let i = 0; i < STARTS; i++) {
        floors.push(await nodeFloorMs());
        starts.push(await timedStart());
        // As after a crash: no clean-close mark, so the whole file is checked first.
        fs.rmSync(path.join(home, 'switchboard.db.clean'), { force: true });
        uncleanStarts.push(await timedStart());
      }
      const served = await startServe(home);
      await new Promise((r) => setTimeout(r, 2000));
      const rss = rssMb(served.process.pid!);
      await served.stop();
      const startMs = median(starts);
      const floorMs = median(floors);
      return [
        { name: 'core.start_ms', value: startMs, unit: 'ms', goal: { below: 700 }, note: `median of ${STARTS}, data dir with 100,000 messages, after a clean quit` },
        { name: 'core.start_unclean_ms', value: median(uncleanStarts), unit: 'ms', note: 'the same after a crash: integrity check of the whole file first' },
        { name: 'core.node_floor_ms', value: floorMs, unit: 'ms', note: 'node -e printing one line, same run' },
        { name: 'core.start_over_floor', value: startMs / floorMs, unit: 'x', note: 'start_ms / node_floor_ms' },
        { name: 'core.idle_rss_mb', value: rss, unit: 'MB', goal: { below: 150 }, note: 'serve on that data dir, 2 s after start' },
      ];
    } finally {
      removeTempDir(home);
    }
  },
};
