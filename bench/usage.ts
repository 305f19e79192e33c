import fs from 'node:fs';
import path from 'node:path';
import { parseTranscript } from '../main/history/transcript-importer';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { UsageStore, type UsageEntry } from '../main/usage/usage-store';
import { benchCore } from './bench-core';
import { writeTranscript } from './corpus';
import { median, type BenchGroup, type Figure } from './figures';

const ROWS = 1_000_000;
const IMPORT_MB = 500;
const SURFACES = ['desktop', 'browser', 'schedule', 'telegram', 'discord', 'external'];
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'];

function timeMs(runs: number, work: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** A million API answers over a year, 2,000 sessions: what the Usage screen's query costs, and how fast answers are counted. */
async function summaryOverAMillion(): Promise<Figure[]> {
  const dir = makeTempDir('switchboard-bench-usage-');
  const core = await benchCore(path.join(dir, 'data'));
  try {
    const now = Date.now();
    const started = performance.now();
    for (let batch = 0; batch < ROWS / 10_000; batch++) {
      const session = batch % 2000;
      const entries: UsageEntry[] = [];
      for (let i = 0; i < 10_000; i++) {
        const n = batch * 10_000 + i;
        entries.push({ key: `msg_${n}`, at: now - ((ROWS - n) / ROWS) * 365 * 86_400_000, model: MODELS[n % MODELS.length]!, input: 200 + (n % 900), output: 80 + (n % 400), cacheWrite: n % 9 ? 0 : 3000, cacheRead: 10_000 + (n % 5000), costUsd: null });
      }
      core.usage.store.record(entries, { sessionId: `session-${session}`, surface: SURFACES[session % SURFACES.length]!, project: `/home/user/project-${session % 40}`, ours: false });
    }
    const recordSeconds = (performance.now() - started) / 1000;
    const month = timeMs(20, () => core.usage.summary({ days: 30 }));
    const year = timeMs(10, () => core.usage.summary({ days: 365 }));
    const day = new Date(now - 86_400_000).toISOString().slice(0, 10);
    const drill = timeMs(20, () => core.usage.sessions(day));
    return [
      { name: 'usage.summary_ms', value: month, unit: 'ms', goal: { below: 50 }, note: `the Usage screen's query (30 days, windows, budgets) over ${ROWS.toLocaleString('en')} usage rows, median of 20` },
      { name: 'usage.summary_year_ms', value: year, unit: 'ms', note: 'the same for a year' },
      { name: 'usage.day_sessions_ms', value: drill, unit: 'ms', note: "a day's sessions (the drill-down)" },
      { name: 'usage.record_rows_per_s', value: ROWS / recordSeconds, unit: 'rows/s', note: 'answers counted (deduplicated, with the day and hour sums kept)' },
    ];
  } finally {
    await core.stop();
    removeTempDir(dir);
  }
}

/** 500 MB of Claude Code transcripts: the first import as a user gets it (usage with history), and usage alone. */
async function importFiveHundredMb(): Promise<Figure[]> {
  const home = makeTempDir('switchboard-bench-usage-import-');
  try {
    const configDir = path.join(home, 'claude');
    const files: string[] = [];
    let mb = 0;
    for (let i = 0; mb < IMPORT_MB; i++) {
      const file = path.join(configDir, 'projects', `-home-user-p${i % 50}`, `s${i}.jsonl`);
      mb += writeTranscript(file, 20_000, `7d9a4c2e-0000-4000-8000-${String(i).padStart(12, '0')}`);
      files.push(file);
    }
    // Usage alone: read, parse and count, as the importer does per chunk, without storing the messages.
    const alone = await benchCore(path.join(home, 'alone'), { env: { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, 'nowhere') } });
    let aloneSeconds: number;
    let counted = 0;
    try {
      const store = new UsageStore(alone.storage, () => null);
      const t0 = performance.now();
      for (const file of files) {
        const handle = await fs.promises.open(file, 'r');
        try {
          const size = (await handle.stat()).size;
          for (let offset = 0; offset < size; ) {
            const buffer = Buffer.alloc(Math.min(4 * 1024 * 1024, size - offset));
            await handle.read(buffer, 0, buffer.length, offset);
            const chunk = parseTranscript(buffer);
            counted += store.record(chunk.usage, { sessionId: chunk.sessionId, surface: 'external', project: chunk.cwd ?? '', ours: false });
            offset += chunk.consumed || buffer.length;
          }
        } finally {
          await handle.close();
        }
      }
      aloneSeconds = (performance.now() - t0) / 1000;
    } finally {
      await alone.stop();
    }
    // The real first import: history and usage together, as Switchboard does on its first start.
    const t0 = performance.now();
    const core = await benchCore(path.join(home, 'data'), { env: { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: configDir } });
    let importSeconds: number;
    let requests: number;
    try {
      await core.transcripts.importAll();
      importSeconds = (performance.now() - t0) / 1000;
      requests = core.storage.db.prepare('SELECT count(*) FROM usage_events').pluck().get() as number;
    } finally {
      await core.stop();
    }
    if (requests !== counted) throw new Error(`the import counted ${requests} answers, reading alone ${counted}`);
    return [
      { name: 'usage.import_mb_per_s', value: mb / importSeconds, unit: 'MB/s', note: `first import of ${mb.toFixed(0)} MB of transcripts (${requests.toLocaleString('en')} answers), history and usage together, ${importSeconds.toFixed(0)} s` },
      { name: 'usage.parse_mb_per_s', value: mb / aloneSeconds, unit: 'MB/s', note: 'of that, usage alone: read, parse and count' },
    ];
  } finally {
    removeTempDir(home);
  }
}

export const usageGroup: BenchGroup = {
  name: 'usage',
  description: `the Usage screen's query over ${ROWS.toLocaleString('en')} rows, and usage read from ${IMPORT_MB} MB of transcripts`,
  async run(): Promise<Figure[]> {
    return [...(await summaryOverAMillion()), ...(await importFiveHundredMb())];
  },
};
