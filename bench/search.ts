import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { query, seeded, seedMemories, seedMessages, writeTranscript } from './corpus';
import { percentile, type BenchGroup } from './figures';

const MESSAGES = 100_000;
const MEMORIES = 10_000;
const QUERIES = 200;

function fileMb(file: string): number {
  const size = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  return (size(file) + size(`${file}-wal`)) / 1024 / 1024;
}

export const searchGroup: BenchGroup = {
  name: 'search',
  description: `${MESSAGES.toLocaleString('en')} messages and ${MEMORIES.toLocaleString('en')} memories: ingest, hybrid and word search, memory search, transcript import, size`,
  async run() {
    const dir = makeTempDir('switchboard-bench-search-');
    const home = path.join(dir, 'home');
    // As the app runs it: the built embedding worker (npm run bench builds first).
    const core = await benchCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: home }, embedWorker: path.resolve(import.meta.dirname, '../dist/main/embed-worker.cjs') });
    try {
      const ingest = await seedMessages(core, MESSAGES);

      seedMemories(core, MEMORIES);
      const random = seeded(5);

      const queries = Array.from({ length: QUERIES }, () => query(random));
      const hybrid: number[] = [];
      const words: number[] = [];
      const memories: number[] = [];
      const fts = core.storage.db.prepare(
        `SELECT m.id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN sessions s ON s.id = m.session_id WHERE messages_fts MATCH ? ORDER BY rank LIMIT 50`,
      );
      for (const q of queries.slice(0, 10)) await core.history.search(q, {}, 20);
      for (const q of queries) {
        let t = performance.now();
        const result = await core.history.search(q, {}, 20);
        hybrid.push(performance.now() - t);
        if (!result.usedVectors || !result.hits.length) throw new Error(`hybrid search found nothing for "${q}"`);
        t = performance.now();
        fts.all(q.split(' ').map((w) => `"${w}"`).join(' OR '));
        words.push(performance.now() - t);
        t = performance.now();
        await core.memory.search(q, undefined, 10);
        memories.push(performance.now() - t);
      }

      core.storage.db.pragma('wal_checkpoint(TRUNCATE)');
      const dbMb = fileMb(core.storage.file);

      const storedMessages = core.storage.db.prepare('SELECT count(*) FROM messages').pluck();
      const before = storedMessages.get() as number;
      const transcriptMb = writeTranscript(path.join(home, '.claude', 'projects', '-home-user-project', 'bench.jsonl'), 40_000);
      const t = performance.now();
      await core.transcripts.importAll();
      const importSeconds = (performance.now() - t) / 1000;
      // The live follower may read part of the file while importAll runs: count what is stored, not what importAll alone read.
      const imported = (storedMessages.get() as number) - before;
      if (imported !== 40_000) throw new Error(`stored ${imported} of 40000 transcript lines`);

      return [
        { name: 'history.ingest_msgs_per_s', value: ingest, unit: 'msg/s', goal: { above: 20_000 }, note: 'batches of 1,000: row, words and vector in one transaction; the next batch embedded in the worker meanwhile' },
        { name: 'search.hybrid_p50_ms', value: percentile(hybrid, 50), unit: 'ms', note: `${QUERIES} queries over ${MESSAGES.toLocaleString('en')} messages` },
        { name: 'search.hybrid_p95_ms', value: percentile(hybrid, 95), unit: 'ms', goal: { below: 50 }, note: 'words + meaning, fused, top 20 with snippets' },
        { name: 'search.fts_only_p95_ms', value: percentile(words, 95), unit: 'ms', note: 'the floor: the FTS5 query alone, same queries' },
        { name: 'search.hybrid_over_fts', value: percentile(hybrid, 95) / percentile(words, 95), unit: 'x', note: 'hybrid p95 / FTS-only p95' },
        { name: 'search.memory_p50_ms', value: percentile(memories, 50), unit: 'ms', note: `${MEMORIES.toLocaleString('en')} memories` },
        { name: 'search.memory_p95_ms', value: percentile(memories, 95), unit: 'ms', goal: { below: 10 } },
        { name: 'history.import_mb_per_s', value: transcriptMb / importSeconds, unit: 'MB/s', note: `${transcriptMb.toFixed(1)} MB transcript, 40,000 lines` },
        { name: 'history.db_mb_100k', value: dbMb, unit: 'MB', note: 'after 100k messages and 10k memories, with indexes' },
      ];
    } finally {
      await core.stop();
      removeTempDir(dir);
    }
  },
};
