import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServe } from '../e2e/support/serve';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { seedMessages, writeTranscript } from './corpus';
import { cpuMs, median, percentile, type BenchGroup, type Figure } from './figures';

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

const IMPORT_MB = 100;

const IDLE_TRANSCRIPTS = 2000;
const IDLE_WINDOW_MS = 20_000;

/** CPU an idle serve uses while it follows Claude Code's transcripts (2,000 of them): a menu-bar app's battery cost. */
async function idleCpu(): Promise<Figure[]> {
  const home = makeTempDir('switchboard-bench-idle-');
  try {
    for (let i = 0; i < IDLE_TRANSCRIPTS; i++) {
      const id = `7d9a4c2e-0000-4000-8000-${String(i).padStart(12, '0')}`;
      writeTranscript(path.join(home, '.claude', 'projects', `-home-user-p${i % 100}`, `${id}.jsonl`), 4, id);
    }
    const served = await startServe(path.join(home, 'data'), { env: { HOME: home } });
    try {
      // The first import and its embedding are done well within this.
      await new Promise((r) => setTimeout(r, 8000));
      const before = cpuMs([served.process.pid!]);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
      const perSecond = ((cpuMs([served.process.pid!]) - before) / (performance.now() - t0)) * 1000;
      return [{ name: 'core.idle_cpu_ms_per_s', value: perSecond, unit: 'ms/s', note: `serve idle for ${IDLE_WINDOW_MS / 1000} s, following ${IDLE_TRANSCRIPTS.toLocaleString('en')} transcripts of Claude Code` }];
    } finally {
      await served.stop();
    }
  } finally {
    removeTempDir(home);
  }
}

/**
 * The core's one thread while it does its heaviest background work: a first import of 100 MB of
 * Claude Code transcripts (and their embedding), with a search every 50 ms from a window meanwhile.
 */
async function eventLoopDuringImport(): Promise<Figure[]> {
  const home = makeTempDir('switchboard-bench-loop-');
  try {
    const configDir = path.join(home, 'claude');
    let mb = 0;
    for (let i = 0; mb < IMPORT_MB; i++) {
      mb += writeTranscript(path.join(configDir, 'projects', `-home-user-p${i}`, `s${i}.jsonl`), 20_000, `7d9a4c2e-0000-4000-8000-${String(i).padStart(12, '0')}`);
    }
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const searchTimes: number[] = [];
    delay.enable();
    const started = performance.now();
    const core = await benchCore(path.join(home, 'data'), { env: { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: configDir } });
    let importing = true;
    const searches = (async () => {
      while (importing) {
        const t0 = performance.now();
        await core.history.search('parser cache deploy', {}, 20);
        searchTimes.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const imported = await core.transcripts.importAll();
    const deadline = Date.now() + 180_000;
    while (core.embeddings.status().pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    importing = false;
    await searches;
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    await core.stop();
    const ms = (ns: number) => ns / 1e6;
    return [
      {
        name: 'core.event_loop_p99_ms',
        value: ms(delay.percentile(99)),
        unit: 'ms',
        goal: { below: 50 },
        note: `first import of ${mb.toFixed(0)} MB of transcripts (${imported.messages.toLocaleString('en')} messages) and their embedding, ${seconds.toFixed(0)} s, a search every 50 ms meanwhile`,
      },
      { name: 'core.event_loop_max_ms', value: ms(delay.max), unit: 'ms', note: 'the longest the loop was held in that time' },
      { name: 'core.search_during_import_p95_ms', value: percentile(searchTimes, 95), unit: 'ms', note: `${searchTimes.length} searches while importing` },
    ];
  } finally {
    removeTempDir(home);
  }
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
        ...(await idleCpu()),
        ...(await eventLoopDuringImport()),
      ];
    } finally {
      removeTempDir(home);
    }
  },
};
