import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbedPool } from '../main/retrieval/embed-pool';
import { BuiltinEmbedder } from '../main/retrieval/embeddings';
import { ROOT } from './support/serve';

// The built worker bundle (npm test builds before this project runs).
const SCRIPT = path.join(ROOT, 'dist/main/embed-worker.cjs');
const pools: EmbedPool[] = [];
afterEach(() => pools.splice(0).forEach((p) => p.stop()));

describe('the embedding worker', () => {
  it('returns exactly the vectors the in-thread embedder makes', async () => {
    const pool = new EmbedPool(SCRIPT);
    pools.push(pool);
    const texts = ['nginx proxy for websockets', 'Postgres vacuum settings', 'café crème brûlée', ''];
    const [fromWorker, again] = await Promise.all([pool.embed(texts), pool.embed(texts.slice(0, 2))]);
    const inThread = new BuiltinEmbedder().embedSync(texts);
    expect(fromWorker.map((v) => Array.from(v))).toEqual(inThread.map((v) => Array.from(v)));
    expect(again).toHaveLength(2);
  });

  it('fails once, says so, and stays failed so callers embed in-thread', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const pool = new EmbedPool(path.join(ROOT, 'package.json'));
    pools.push(pool);
    await expect(pool.embed(['x'])).rejects.toThrow();
    await expect(pool.embed(['y'])).rejects.toBe(pool.broken);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
