import fs from 'node:fs';
import path from 'node:path';
import esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { MARK_END, MARK_START } from '../../contract';
import { wordSnippet } from '../retrieval/hybrid';
import { searchMessages, type SearchRequest } from './search-query';

let core: Core | null = null;
let dir = '';
afterEach(async () => {
  await core?.stop();
  core = null;
  removeTempDir(dir);
});

const COMMON = 'deploy the service again';
/** 3,000 messages: the words "deploy service" in every one, "zebra quokka" only in message 10 (old). */
async function seeded(extra: Parameters<typeof testCore>[1] = {}): Promise<Core> {
  dir = makeTempDir('switchboard-search-');
  core = testCore(path.join(dir, 'data'), extra);
  await core.start();
  const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
  const messages = Array.from({ length: 3000 }, (_, i) => ({
    externalId: null,
    role: 'user' as const,
    kind: 'text' as const,
    text: i === 10 ? 'zebra quokka notes from long ago' : `${COMMON} ${i % 7 ? 'today' : 'please'} number ${i}`,
    data: null,
    surface: 'desktop' as const,
    createdAt: 1_700_000_000_000 + i,
  }));
  await core.history.ingestBatches(() => session.id, [messages.slice(0, 1500), messages.slice(1500)]);
  return core;
}

const request = (c: Core, query: string, extra: Partial<SearchRequest> = {}): SearchRequest => ({ query, vector: null, filters: {}, limit: 20, knowsMeaning: false, window: 200, ...extra });

describe('search in newest-first windows', () => {
  it('ranks the newest window when it holds enough, widens for a rare match, and keeps every word in its hits', async () => {
    const c = await seeded();
    const db = c.storage.db;
    const newest = db.prepare('SELECT max(id) FROM messages').pluck().get() as number;
    const common = searchMessages(db, c.embeddings.messages, request(c, 'deploy service'));
    expect(common).toHaveLength(20);
    // The newest window (200 rows) had 20 and more: nothing older was ranked.
    expect(Math.min(...common.map((h) => h.messageId))).toBeGreaterThan(newest - 200);
    // Recall against ranking every match: as many hits, every one holding all the words, as the unbounded ranking's.
    const unbounded = searchMessages(db, c.embeddings.messages, request(c, 'deploy service', { unbounded: true }));
    expect(unbounded).toHaveLength(20);
    const holdsAll = (text: string) => /deploy/.test(text) && /service/.test(text);
    const texts = db.prepare('SELECT id, text FROM messages').all() as { id: number; text: string }[];
    const textOf = new Map(texts.map((t) => [t.id, t.text]));
    expect(common.every((h) => holdsAll(textOf.get(h.messageId)!))).toBe(true);
    expect(unbounded.every((h) => holdsAll(textOf.get(h.messageId)!))).toBe(true);

    // The only match is 2,990 rows back: the window widens (×4) until it is found, as the unbounded ranking finds it.
    const rare = searchMessages(db, c.embeddings.messages, request(c, 'zebra quokka'));
    expect(rare.map((h) => textOf.get(h.messageId))).toEqual(['zebra quokka notes from long ago']);
    expect(searchMessages(db, c.embeddings.messages, request(c, 'zebra quokka', { unbounded: true })).map((h) => h.messageId)).toEqual(rare.map((h) => h.messageId));
  });

  it('runs in the search worker on its own read-only connection, with the same hits as in-thread', async () => {
    // Bundled as the build does it, inside the checkout so that it finds node_modules (the native modules stay outside).
    const bundle = path.join(fs.mkdtempSync(path.resolve(import.meta.dirname, '../../.search-worker-')), 'search-worker.cjs');
    await esbuild.build({ entryPoints: [path.resolve(import.meta.dirname, 'search-worker.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', external: ['better-sqlite3', 'sqlite-vec'], logLevel: 'silent' });
    const c = await seeded({ searchWorker: bundle });
    const inThread = searchMessages(c.storage.db, c.embeddings.messages, { ...request(c, 'deploy please'), vector: await c.embeddings.embedQuery('deploy please'), window: undefined });
    const viaWorker = await c.history.search('deploy please', {}, 20);
    // The worker compares the newest window's vectors from sign bits it holds in memory (recent-bits.ts), an
    // approximation of sqlite-vec's exact distances used in-thread: the same best hit, and nearly the same page.
    const worker = viaWorker.hits.map((h) => h.messageId);
    const thread = inThread.map((h) => h.messageId);
    expect(worker.length).toBeGreaterThan(0);
    expect(worker[0]).toBe(thread[0]);
    expect(worker.filter((id) => thread.includes(id)).length).toBeGreaterThanOrEqual(Math.ceil(thread.length * 0.75));
    removeTempDir(path.dirname(bundle));
  });

  it('returns the unbounded ranking\'s top hits of the window it searched (and of the whole history when unbounded), and vectors from memory as near as sqlite-vec\'s', async () => {
    // A generated corpus of mixed topics (as the benchmark's): 4,000 messages, windows of 500.
    dir = makeTempDir('switchboard-search-');
    core = testCore(path.join(dir, 'data'));
    await core.start();
    const c = core;
    const session = c.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    let seed = 3;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const topics = ['nginx proxy websocket timeout header', 'postgres vacuum index query planner', 'react component state effect render', 'docker image container volume compose'].map((t) => t.split(' '));
    const filler = 'the we fix check run make add use need file code test error change'.split(' ');
    const pick = <T,>(a: T[]) => a[Math.floor(random() * a.length)]!;
    const messages = Array.from({ length: 4000 }, (_, i) => {
      const topic = pick(topics);
      const text = Array.from({ length: 6 + Math.floor(random() * 20) }, () => (random() < 0.45 ? pick(topic) : pick(filler))).join(' ');
      return { externalId: null, role: 'user' as const, kind: 'text' as const, text, data: null, surface: 'desktop' as const, createdAt: 1_700_000_000_000 + i };
    });
    await c.history.ingestBatches(() => session.id, [messages.slice(0, 2000), messages.slice(2000)]);
    const db = c.storage.db;
    const newest = db.prepare('SELECT max(id) FROM messages').pluck().get() as number;
    const window = 500;
    const rankAll = db.prepare('SELECT rowid AS id, rank FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank');
    // The same top 20 as a ranking, bm25 ties at the 20th place aside: every row scored better than the
    // 20th is in it, and none in it scored worse.
    const sameTop = (got: number[], ranking: { id: number; rank: number }[], query: string) => {
      const cut = ranking[19]!.rank;
      const rankOf = new Map(ranking.map((r) => [r.id, r.rank]));
      expect(got.every((id) => rankOf.get(id)! <= cut + 1e-9), query).toBe(true);
      expect(ranking.filter((r) => r.rank < cut - 1e-9).every((r) => got.includes(r.id)), query).toBe(true);
    };
    for (const query of ['nginx proxy', 'vacuum index', 'react state', 'docker compose volume', 'websocket header', 'planner query']) {
      const bounded = searchMessages(db, c.embeddings.messages, request(c, query, { window })).map((h) => h.messageId);
      expect(bounded, query).toHaveLength(20);
      // The unbounded ranking (FTS5's rank over every match), cut to the rows of the window searched:
      // the bounded ranking returns its top hits.
      const all = rankAll.all(`"${query.split(' ').join('" "')}"*`) as { id: number; rank: number }[];
      sameTop(bounded, all.filter((r) => r.id > newest - window), query);
      // Over the whole history (the unbounded request), FTS5's own top hits: nothing lost by ranking in a column.
      sameTop(searchMessages(db, c.embeddings.messages, request(c, query, { unbounded: true })).map((h) => h.messageId), all, query);
    }
    // The newest window's KNN from the bits held in memory: its 20 are as near on average (cosine) as the
    // 20 sqlite-vec's bit index finds there, and never nearer than the exact 20 (every vector compared).
    const since = db.prepare('SELECT created_at FROM messages WHERE id > ? ORDER BY id LIMIT 1').pluck().get(newest - window) as number;
    const exact = db
      .prepare(`SELECT id FROM messages_embeddings WHERE id > ? ORDER BY vec_distance_cosine(vec_int8(embedding), vec_quantize_int8(?, 'unit')) LIMIT 20`)
      .pluck();
    for (const query of ['nginx websocket timeout', 'postgres planner', 'render component effect', 'docker volume']) {
      const vector = (await c.embeddings.embedQuery(query))!;
      const truth = exact.all(newest - window, vector) as number[];
      const fromMemory = c.embeddings.messages.searchRecent(vector, 20, newest - window).map((h) => h.id);
      const fromIndex = c.embeddings.messages.search(vector, 20, { sql: 'created_at >= ?', params: [BigInt(since)] }).map((h) => h.id);
      expect(fromMemory.every((id) => id > newest - window)).toBe(true);
      const dist = db.prepare(`SELECT vec_distance_cosine(vec_int8(embedding), vec_quantize_int8(?, 'unit')) FROM messages_embeddings WHERE id = ?`).pluck();
      const mean = (ids: number[]) => ids.reduce((a, id) => a + (dist.get(vector, id) as number), 0) / ids.length;
      expect(mean(fromMemory), query).toBeLessThanOrEqual(mean(fromIndex) + 0.01);
      expect(mean(fromMemory), query).toBeGreaterThanOrEqual(mean(truth) - 1e-6);
    }
  });

  it('makes a word hit\'s snippet from its text: the stretch with the most query words, marked, cut with …', () => {
    const mark = (w: string) => `${MARK_START}${w}${MARK_END}`;
    const text = `${Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ')} then Postgres vacuuming runs, and vacuum again. ${Array.from({ length: 30 }, (_, i) => `tail${i}`).join(' ')}`;
    const snippet = wordSnippet(text, 'postgres vacuum');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain(`${mark('Postgres')} ${mark('vacuuming')} runs, and ${mark('vacuum')} again.`);
    expect(snippet.split(' ').length).toBeLessThanOrEqual(17);
    // The last word is a prefix being typed; a short text comes whole.
    expect(wordSnippet('Configuring TLS certificates', 'tls cert')).toBe(`Configuring ${mark('TLS')} ${mark('certificates')}`);
  });
});
