import { afterEach, describe, expect, it } from 'vitest';
import type { IndexStatus } from '../../contract';
import { SessionStore } from '../sessions/session-store';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { FakeEmbeddings } from '../testing/fake-embeddings';

let h: Harness | null = null;
const servers: FakeEmbeddings[] = [];
afterEach(async () => {
  await h?.close();
  h = null;
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const user = { kind: 'user' as const, sessionId: null, messageId: null };

describe('memory', () => {
  it('updates a near-duplicate instead of adding a second, and says so', async () => {
    const { core } = (h = await startHarness());
    const first = await core.memory.add({ text: 'Deploys go through the staging server first', category: 'ops', tags: ['deploy'], source: user });
    expect(first.action).toBe('added');
    const again = await core.memory.add({ text: 'Deploy goes through the staging servers first.', category: 'ops', tags: ['staging'], source: user });
    expect(again).toMatchObject({ action: 'updated', duplicateOf: first.memory.id, replaced: { text: 'Deploys go through the staging server first', tags: ['deploy'] } });
    expect(again.memory).toMatchObject({ id: first.memory.id, text: 'Deploy goes through the staging servers first.', tags: ['deploy', 'staging'] });
    const different = await core.memory.add({ text: 'Postgres runs on port 5433 in development', category: 'ops', tags: [], source: user });
    expect(different.action).toBe('added');
    expect(core.memory.list({ limit: 10, offset: 0 }).total).toBe(2);
  });

  it('never merges a different fact, keeps what an update replaced, and imports text alone', async () => {
    const { core } = (h = await startHarness());
    const alice = await core.memory.add({ text: 'Alice prefers tabs over spaces', category: 'people', tags: [], source: user });
    const bob = await core.memory.add({ text: 'Bob prefers spaces over tabs', category: 'people', tags: [], source: user });
    expect(bob.action).toBe('added');
    const deploy = await core.memory.add({ text: 'Deploy on Friday', category: 'ops', tags: [], source: user });
    const never = await core.memory.add({ text: 'Do not deploy on Friday', category: 'ops', tags: [], source: user });
    expect(never.action).toBe('added');
    const port = await core.memory.add({ text: 'The dev server runs on port 5433', category: 'ops', tags: [], source: user });
    expect((await core.memory.add({ text: 'The dev server runs on port 5434', category: 'ops', tags: [], source: user })).action).toBe('added');
    // The same fact again, with a typo fixed, is an update, and the old text is kept.
    const typo = await core.memory.add({ text: 'Alice prefers tabs over spacse.', category: 'people', tags: [], source: user });
    expect(typo).toMatchObject({ action: 'updated', duplicateOf: alice.memory.id, replaced: { text: 'Alice prefers tabs over spaces' } });
    expect(core.memory.versions(alice.memory.id)).toMatchObject([{ text: 'Alice prefers tabs over spaces' }]);
    expect(core.memory.get(deploy.memory.id).text).toBe('Deploy on Friday');
    expect(core.memory.get(port.memory.id).text).toBe('The dev server runs on port 5433');

    const imported = await core.router.call('memory.import', { data: { memories: [{ text: 'Handwritten: the cat is called Miso' }] } }, { surface: 'browser', actor: 'browser:test' });
    expect(imported).toMatchObject({ ok: true, value: { added: 1, updated: 0 } });

    // Who added a memory is the caller, whatever the request claims.
    const added = await core.router.call('memory.add', { text: 'The staging host is called kite', source: { kind: 'user', actor: 'someone-else' } }, { surface: 'telegram', actor: 'telegram:42' });
    expect(added).toMatchObject({ ok: true, value: { memory: { source: { kind: 'user', actor: 'telegram:42' } } } });
    const id = (added as { value: { memory: { id: number } } }).value.memory.id;
    expect(core.memory.get(id).source.actor).toBe('telegram:42');
  });

  it('refuses an edit into the words of another memory, and writes nothing when nothing changes', async () => {
    const { core } = (h = await startHarness());
    const caller = { surface: 'desktop' as const, actor: 'desktop' };
    const tabs = await core.memory.add({ text: 'Alice prefers tabs over spaces', category: 'people', tags: ['style'], source: user });
    const port = await core.memory.add({ text: 'The dev server runs on port 5433', category: 'ops', tags: [], source: user });
    const edited = await core.router.call('memory.update', { id: port.memory.id, text: 'alice prefers tabs over spaces.' }, caller);
    expect(edited).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!edited.ok && edited.error.message).toContain(`#${tabs.memory.id}`);
    expect(core.memory.get(port.memory.id).text).toBe('The dev server runs on port 5433');
    expect(core.memory.list({ limit: 10, offset: 0 }).total).toBe(2);
    // The same text again, or its own words with a typo fixed, is no conflict with itself.
    const same = await core.router.call('memory.update', { id: tabs.memory.id, text: 'Alice prefers tabs over spaces', tags: ['style'] }, caller);
    expect(same).toMatchObject({ ok: true, value: { updatedAt: tabs.memory.updatedAt } });
    expect(core.memory.versions(tabs.memory.id)).toEqual([]);
    expect((await core.router.call('memory.update', { id: tabs.memory.id, text: 'Alice prefers tabs over spaces!', tags: ['style', 'people'] }, caller)).ok).toBe(true);
    expect(core.memory.get(tabs.memory.id).tags).toEqual(['style', 'people']);
  });

  it('imports a plain list of memories or of texts, and names the shape it takes otherwise', async () => {
    const { core } = (h = await startHarness());
    const caller = { surface: 'desktop' as const, actor: 'desktop' };
    expect(await core.router.call('memory.import', { data: [{ text: 'The cat is called Miso', tags: ['home'] }, 'The dog is called Pepper'] }, caller)).toMatchObject({ ok: true, value: { added: 2 } });
    expect(core.memory.list({ limit: 10, offset: 0 }).memories.map((m) => [m.text, m.tags])).toEqual(
      expect.arrayContaining([
        ['The cat is called Miso', ['home']],
        ['The dog is called Pepper', []],
      ]),
    );
    // One empty entry is skipped and said, the rest imported: the file is not refused for a blank line.
    const withEmpty = await core.router.call('memory.import', { data: ['Carol likes vim', 'Bob prefers tabs over spaces', '', { text: '  ' }] }, caller);
    expect(withEmpty).toEqual({ ok: true, value: { added: 2, updated: 0, skipped: [{ entry: 3, reason: 'its text is empty' }, { entry: 4, reason: 'its text is empty' }] } });
    expect(core.memory.list({ limit: 10, offset: 0 }).memories.map((m) => m.text)).toEqual(expect.arrayContaining(['Carol likes vim', 'Bob prefers tabs over spaces']));
    const wrong = await core.router.call('memory.import', { data: 42 }, caller);
    expect(!wrong.ok && wrong.error.message).toMatch(/a list of memories \(\[\{"text"/);
  });

  it('merges none of 1,000 distinct generated facts', async () => {
    const { core } = (h = await startHarness());
    const people = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy'];
    const likes = ['prefers', 'avoids', 'uses', 'dislikes', 'recommends'];
    const things = ['tabs', 'spaces', 'vim', 'emacs', 'postgres', 'sqlite', 'rust', 'go', 'docker', 'nix'];
    const when = ['at work', 'at home', 'on weekends', 'for side projects'];
    const texts = new Set<string>();
    for (const p of people) for (const l of likes) for (const a of things) for (const w of when) if (texts.size < 1000) texts.add(`${p} ${l} ${a} ${w}`);
    let merged = 0;
    for (const text of texts) if ((await core.memory.add({ text, category: 'gen', tags: [], source: user })).action !== 'added') merged++;
    expect(texts.size).toBe(1000);
    expect(merged).toBe(0);
  }, 120_000);

  it('forgets completely: no row, no words in the index, no vector', async () => {
    const { core } = (h = await startHarness());
    const db = core.storage.db;
    const { memory } = await core.memory.add({ text: 'The zyzzyvaquux password hint is in the vault', category: 'secrets', tags: [], source: user });
    expect(memory.indexed).toBe(true);
    const count = (sql: string, ...args: unknown[]) => db.prepare(sql).pluck().get(...args) as number;
    expect(count("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'zyzzyvaquux'")).toBe(1);
    expect(count('SELECT count(*) FROM memories_embeddings WHERE id = ?', memory.id)).toBe(1);
    expect(count('SELECT count(*) FROM memories_vec WHERE rowid = ?', memory.id)).toBe(1);

    const removed = core.memory.delete(memory.id);
    expect(removed.text).toContain('zyzzyvaquux');
    expect(count('SELECT count(*) FROM memories WHERE id = ?', memory.id)).toBe(0);
    expect(count("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'zyzzyvaquux'")).toBe(0);
    db.exec("CREATE VIRTUAL TABLE temp.memory_terms USING fts5vocab(main, 'memories_fts', 'row')");
    expect(count("SELECT count(*) FROM temp.memory_terms WHERE term LIKE 'zyzzyva%'")).toBe(0);
    expect(count('SELECT count(*) FROM memories_embeddings WHERE id = ?', memory.id)).toBe(0);
    expect(count('SELECT count(*) FROM memories_vec WHERE rowid = ?', memory.id)).toBe(0);
    expect((await core.memory.search('zyzzyvaquux', undefined, 5)).hits).toEqual([]);

    // Undo puts it back as it was.
    const restored = core.memory.restore(removed);
    expect(restored).toMatchObject({ id: memory.id, text: memory.text, indexed: true });
    expect((await core.memory.search('zyzzyvaquux', undefined, 5)).hits.map((x) => x.memory.id)).toEqual([memory.id]);
  });

  it('searches by words and meaning, by category, and round-trips through export and import', async () => {
    const { core } = (h = await startHarness());
    for (const [text, category] of [
      ['Prefers pnpm over npm for every project', 'preferences'],
      ['The staging database is called sb_stage', 'infra'],
      ['Tabs, not spaces, in Go code', 'preferences'],
    ] as const) await core.memory.add({ text, category, tags: [], source: user });
    const hits = await core.memory.search('pnpm', undefined, 5);
    expect(hits.hits[0]!.memory.text).toContain('pnpm');
    expect(hits.hits[0]!.via).toContain('words');
    expect((await core.memory.search('databse', undefined, 5)).hits[0]!.memory.category).toBe('infra');
    expect((await core.memory.search('spaces', 'infra', 5)).hits).toEqual([]);
    // Nonsense finds nothing: below the relevance floor nothing is shown.
    for (const nonsense of ['qwertyuiop', 'asdfghjkl zxcv', 'xyzzy plugh']) expect((await core.memory.search(nonsense, undefined, 5)).hits, nonsense).toEqual([]);
    expect((await core.memory.search('stagng databse', undefined, 5)).hits[0]?.memory.category).toBe('infra');
    const exported = core.memory.export();
    expect(exported.memories).toHaveLength(3);
    const other = await startHarness();
    try {
      expect(await other.core.memory.import(exported.memories)).toEqual({ added: 3, updated: 0, skipped: [] });
      expect(await other.core.memory.import(exported.memories)).toEqual({ added: 0, updated: 3, skipped: [] });
      expect(other.core.memory.list({ limit: 10, offset: 0 }).categories).toEqual([
        { name: 'preferences', count: 2 },
        { name: 'infra', count: 1 },
      ]);
    } finally {
      await other.close();
    }
  });
});

describe('embedding providers', () => {
  it('re-embeds every row in the background when the provider changes, with progress, searching words meanwhile', async () => {
    const { core } = (h = await startHarness());
    const fake = new FakeEmbeddings();
    servers.push(fake);
    await fake.start();
    const store = new SessionStore(core.storage);
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    for (let i = 0; i < 150; i++) store.insertMessage({ sessionId: session.id, turnId: null, role: i % 2 ? 'user' : 'assistant', kind: 'text', text: `note number ${i} about caching layer ${i % 7}` });
    for (let i = 0; i < 20; i++) await core.memory.add({ text: `fact ${i}: the cache expires after ${i} minutes`, category: 'general', tags: [], source: user });
    await expect.poll(() => core.embeddings.status().pending, { timeout: 10_000 }).toBe(0);
    expect(core.embeddings.status().provider).toMatch(/^builtin:/);

    const statuses: IndexStatus[] = [];
    core.events.subscribe((name, payload) => name === 'memory.indexStatus' && statuses.push(payload as IndexStatus));
    core.settings.set({ key: 'embeddings.openaiBaseUrl', value: `${fake.url}/v1` });
    core.settings.set({ key: 'embeddings.provider', value: 'openai' });
    const wordsMeanwhile = await core.history.search('caching', {}, 5);
    expect(wordsMeanwhile.hits.length).toBeGreaterThan(0);
    await expect.poll(() => core.embeddings.status(), { timeout: 20_000 }).toMatchObject({ ready: true, pending: 0, reindexing: null, dimensions: FakeEmbeddings.DIMENSIONS });

    const db = core.storage.db;
    expect(db.prepare('SELECT provider, dimensions FROM vector_index ORDER BY name').all()).toEqual([
      { provider: `openai:${fake.url}/v1:text-embedding-3-small`, dimensions: 64 },
      { provider: `openai:${fake.url}/v1:text-embedding-3-small`, dimensions: 64 },
    ]);
    expect(db.prepare('SELECT count(*) FROM messages_embeddings').pluck().get()).toBe(150);
    expect(db.prepare('SELECT count(*) FROM memories_embeddings').pluck().get()).toBe(20);
    expect(statuses.some((s) => s.reindexing && s.reindexing.total === 170 && s.reindexing.done < 170)).toBe(true);
    expect((await core.memory.search('cache expiry', undefined, 3)).usedVectors).toBe(true);
  });

  it('keeps the text when embedding fails, marks it pending, and retries', async () => {
    const { core } = (h = await startHarness());
    const fake = new FakeEmbeddings();
    servers.push(fake);
    await fake.start();
    core.settings.set({ key: 'embeddings.ollamaUrl', value: fake.url });
    core.settings.set({ key: 'embeddings.provider', value: 'ollama' });
    await expect.poll(() => core.embeddings.status().ready, { timeout: 10_000 }).toBe(true);
    fake.failing = true;
    const { memory } = await core.memory.add({ text: 'Keep me even if the embedder is down', category: 'general', tags: [], source: user });
    expect(memory.indexed).toBe(false);
    await expect.poll(() => core.embeddings.status().error, { timeout: 10_000 }).toMatch(/503/);
    expect(core.memory.get(memory.id).text).toBe('Keep me even if the embedder is down');
    expect((await core.memory.search('embedder', undefined, 3)).hits.map((x) => x.memory.id)).toEqual([memory.id]);
    fake.failing = false;
    await expect.poll(() => core.memory.get(memory.id).indexed, { timeout: 15_000 }).toBe(true);
    const status = await nextEvent(core.events, 'memory.indexStatus', () => true, 5000).catch(() => core.embeddings.status());
    expect(status.error ?? null).toBeNull();
  });
});

describe('switching embeddings back', () => {
  it('goes back to Built in at once from a failing provider, with backoff while it failed', async () => {
    const { core } = (h = await startHarness());
    await core.memory.add({ text: 'The release checklist lives in docs/release.md', category: 'ops', tags: [], source: user });
    // Nothing listens here: every call to Ollama fails.
    core.settings.set({ key: 'embeddings.ollamaUrl', value: 'http://127.0.0.1:9' });
    core.settings.set({ key: 'embeddings.provider', value: 'ollama' });
    await expect.poll(() => core.embeddings.retries.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const [first, second] = core.embeddings.retries;
    expect(second!.delayMs).toBe(2 * first!.delayMs);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(first!.delayMs - 50);

    core.settings.set({ key: 'embeddings.provider', value: 'builtin' });
    await expect.poll(() => core.embeddings.status(), { timeout: 10_000 }).toMatchObject({ provider: expect.stringMatching(/^builtin:/), ready: true, pending: 0, error: null });
    const retried = core.embeddings.retries.length;
    const found = await core.memory.search('release checklists', undefined, 3);
    expect(found.usedVectors).toBe(true);
    expect(found.hits[0]?.memory.text).toContain('release checklist');
    expect(found.hits[0]?.via).toContain('meaning');
    // The old provider's retries are over.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(core.embeddings.retries.length).toBe(retried);
    expect(core.embeddings.status().provider).toMatch(/^builtin:/);
  }, 30_000);
});
