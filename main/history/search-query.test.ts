import fs from 'node:fs';
import path from 'node:path';
import esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
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
    expect(viaWorker.hits.map((h) => h.messageId)).toEqual(inThread.map((h) => h.messageId));
    expect(viaWorker.hits.length).toBeGreaterThan(0);
    removeTempDir(path.dirname(bundle));
  });
});
