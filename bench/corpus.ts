import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../main/core';
import type { IncomingMessage } from '../main/history/history-service';

/** A seeded random source, so every run measures the same corpus. */
export function seeded(seed = 7): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

const TOPICS = [
  'nginx proxy websocket timeout header upstream tls certificate',
  'postgres vacuum index query planner replication backup migration',
  'react component state effect render hook memo props',
  'docker image container volume compose network build layer',
  'python virtualenv package import pytest fixture typing',
  'rust borrow lifetime trait async tokio cargo crate',
  'kubernetes pod deployment service ingress helm namespace',
  'git rebase merge branch commit conflict stash bisect',
  'typescript generic type inference union narrowing compiler',
  'terraform module state provider plan apply variable',
].map((t) => t.split(' '));
const FILLER = 'the a we it this that fix check run try make add use need see want think file code test error change update'.split(' ');

/** A believable message: mostly one topic's words, some filler, some rare made-up words. */
export function message(random: () => number): string {
  const topic = TOPICS[Math.floor(random() * TOPICS.length)]!;
  const length = 8 + Math.floor(random() * 30);
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.45) out.push(topic[Math.floor(random() * topic.length)]!);
    else if (r < 0.9) out.push(FILLER[Math.floor(random() * FILLER.length)]!);
    else out.push(`w${Math.floor(random() * 20000).toString(36)}`);
  }
  return out.join(' ');
}

export function query(random: () => number): string {
  const topic = TOPICS[Math.floor(random() * TOPICS.length)]!;
  return [0, 1].map(() => topic[Math.floor(random() * topic.length)]!).join(' ');
}

/**
 * Writes `count` messages across 500 conversations through the history ingest path, in
 * transactions of `batch`; returns messages per second and how long the embedding worker took to start before the clock.
 */
export async function seedMessages(core: Core, count: number, batch = 1000): Promise<{ perSecond: number; workerStartMs: number }> {
  const random = seeded(11);
  const sessions = Array.from({ length: 500 }, (_, i) => core.sessions.create({ title: `bench ${i}`, permissionPolicy: 'ask', surface: i % 3 ? 'desktop' : 'telegram' }).id);
  const batches: IncomingMessage[][] = [];
  for (let done = 0; done < count; done += batch) {
    batches.push(
      Array.from({ length: Math.min(batch, count - done) }, (_, i) => ({
        externalId: null,
        role: i % 2 ? 'assistant' : 'user',
        kind: 'text',
        text: message(random),
        data: null,
        surface: 'desktop',
        createdAt: 1_700_000_000_000 + done + i,
      })),
    );
  }
  // The embedding worker starts once per app run, not per batch: started before the clock, timed apart.
  const warm = performance.now();
  await core.embeddings.embedAhead(['warm up']);
  const workerStartMs = performance.now() - warm;
  const started = performance.now();
  await core.history.ingestBatches((i) => sessions[i % sessions.length]!, batches);
  return { perSecond: count / ((performance.now() - started) / 1000), workerStartMs };
}

/** Writes `count` memories in 12 categories, in transactions of 1,000, with their vectors. */
export function seedMemories(core: Core, count: number): void {
  const random = seeded(5);
  const db = core.storage.db;
  const insert = db.prepare(`INSERT INTO memories (text, category, tags, source_kind, created_at, updated_at) VALUES (?, ?, '[]', 'user', ?, ?) RETURNING id`);
  for (let done = 0; done < count; done += 1000) {
    db.transaction(() => {
      const rows = Array.from({ length: Math.min(1000, count - done) }, (_, i) => {
        const text = message(random);
        const category = `c${(done + i) % 12}`;
        const now = Date.now();
        const { id } = insert.get(text, category, now, now) as { id: number };
        return { id, text, meta: { category } };
      });
      core.embeddings.embedInline('memories', rows, true);
    })();
  }
}

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5-20251101', 'claude-haiku-4-5'];

/** A Claude Code transcript of `lines` user/assistant lines, as the CLI writes them (each answer with its usage). */
export function writeTranscript(file: string, lines: number, sessionId = '7d9a4c2e-0000-4000-8000-000000000001'): number {
  const random = seeded(3);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const user = i % 2 === 0;
    out.push(
      JSON.stringify({
        type: user ? 'user' : 'assistant',
        uuid: `${sessionId.slice(0, 24)}${i.toString().padStart(12, '0')}`,
        parentUuid: null,
        sessionId,
        cwd: '/home/user/project',
        timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(),
        isSidechain: false,
        version: '2.1.329',
        ...(user ? {} : { requestId: `req_${sessionId}_${i}` }),
        message: user
          ? { role: 'user', content: message(random) }
          : {
              id: `msg_${sessionId}_${i}`,
              model: MODELS[i % MODELS.length],
              role: 'assistant',
              content: [{ type: 'text', text: `${message(random)} ${message(random)}` }],
              usage: { input_tokens: 200 + (i % 500), output_tokens: 50 + (i % 300), cache_creation_input_tokens: i % 7 === 0 ? 4000 : 0, cache_read_input_tokens: 12_000 + (i % 1000) },
            },
      }),
    );
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${out.join('\n')}\n`);
  return fs.statSync(file).size / 1024 / 1024;
}
