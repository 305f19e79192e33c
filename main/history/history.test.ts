import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { MARK_END, MARK_START, type SearchHit } from '../../contract';
import { SessionStore } from '../sessions/session-store';
import { TranscriptImporter } from './transcript-importer';
import { userTexts } from '../testing/fake-anthropic';
import { nextEvent, runClaude, startHarness, type Harness } from '../testing/claude-harness';
import { CLAUDE_BIN } from '../testing/temp-core';
import { FakeEmbeddings } from '../testing/fake-embeddings';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const CORPUS: [role: 'user' | 'assistant', text: string][] = [
  ['user', 'How do I configure the nginx reverse proxy for websockets?'],
  ['assistant', 'Postgres vacuum settings matter for large tables.'],
  ['user', 'The websocket connection drops behind the proxy.'],
  ['assistant', 'Grocery list: apples, bananas and oat milk.'],
  ['user', 'Configuring TLS certificates with certbot on the server.'],
  ['assistant', 'Websocket frames are capped at one megabyte.'],
];

async function corpus(harness: Harness) {
  const store = new SessionStore(harness.core.storage);
  const a = harness.core.sessions.create({ title: 'infra', permissionPolicy: 'ask', surface: 'desktop' });
  const b = harness.core.sessions.create({ title: 'life', permissionPolicy: 'ask', surface: 'telegram' });
  const ids = CORPUS.map(([role, text], i) => store.insertMessage({ sessionId: i === 3 ? b.id : a.id, turnId: null, role, kind: 'text', text }).id);
  harness.core.embeddings.kick(0);
  await expect.poll(() => harness.core.embeddings.status().pending, { timeout: 10_000 }).toBe(0);
  return { a, b, ids };
}

const idsOf = (hits: SearchHit[]) => hits.map((hit) => hit.messageId);

describe('hybrid search over history', () => {
  it('finds by words with marked snippets, by meaning past a typo, and fuses both', async () => {
    const harness = (h = await startHarness());
    const { ids } = await corpus(harness);
    const { history } = harness.core;

    const byWords = await history.search('postgres vacuum', {}, 10);
    expect(byWords.hits[0]).toMatchObject({ messageId: ids[1], via: expect.arrayContaining(['words']), sessionTitle: 'infra' });
    expect(byWords.hits[0]!.snippet).toContain(`${MARK_START}Postgres${MARK_END}`);

    // No word matches the typo; its character trigrams still do.
    const byMeaning = await history.search('websokets', {}, 10);
    expect(byMeaning.usedVectors).toBe(true);
    expect(byMeaning.hits.every((hit) => hit.via.join() === 'meaning')).toBe(true);
    expect(idsOf(byMeaning.hits).slice(0, 3)).toEqual(expect.arrayContaining([ids[2], ids[5]]));

    const fused = await history.search('websocket proxy', {}, 10);
    expect(idsOf(fused.hits).slice(0, 2).sort()).toEqual([ids[0], ids[2]].sort());
    expect(fused.hits[0]!.via).toEqual(['words', 'meaning']);
    expect(idsOf(fused.hits)).not.toContain(ids[3]);
  });

  it('puts a message holding every word of the query above short ones holding one, whatever their meaning', async () => {
    const harness = (h = await startHarness());
    const store = new SessionStore(harness.core.storage);
    const session = harness.core.sessions.create({ title: 'queue', permissionPolicy: 'ask', surface: 'desktop' });
    const say = (role: 'user' | 'assistant', text: string) => store.insertMessage({ sessionId: session.id, turnId: null, role, kind: 'text', text }).id;
    say('user', 'queued A');
    say('user', 'queued B');
    const answer = say('assistant', `Your first message ran at once; the follow-up you sent meanwhile was queued behind it and ran next. ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}`);
    say('user', 'queued C');
    harness.core.embeddings.kick(0);
    await expect.poll(() => harness.core.embeddings.status().pending, { timeout: 10_000 }).toBe(0);
    const { hits } = await harness.core.history.search('queued follow', {}, 10);
    expect(hits[0]?.messageId).toBe(answer);
    expect(hits).toHaveLength(4);
  });

  it('filters by role, surface, conversation and date', async () => {
    const harness = (h = await startHarness());
    const { a, b, ids } = await corpus(harness);
    const { history } = harness.core;
    const users = await history.search('websocket', { role: ['user'] }, 10);
    expect(idsOf(users.hits).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await history.search('grocery apples', { surface: ['desktop'] }, 10)).hits.map((x) => x.sessionId)).not.toContain(b.id);
    expect(idsOf((await history.search('grocery apples', { surface: ['telegram'] }, 10)).hits)).toEqual([ids[3]]);
    expect((await history.search('websocket', { sessionId: a.id }, 10)).hits.every((x) => x.sessionId === a.id)).toBe(true);
    expect((await history.search('websocket', { from: Date.now() + 60_000 }, 10)).hits).toEqual([]);
  });

  it('finds nothing for nonsense, as Memory does: no hit below the relevance floor', async () => {
    const harness = (h = await startHarness());
    await corpus(harness);
    for (const nonsense of ['xqzvbnm', '(((', 'qwertyuiop']) {
      expect((await harness.core.history.search(nonsense, {}, 10)).hits, nonsense).toEqual([]);
    }
    // A typo of a word that is there still finds it.
    expect((await harness.core.history.search('certbott', {}, 10)).hits.length).toBeGreaterThan(0);
  });

  it('answers a query of symbols without an FTS syntax error', async () => {
    const harness = (h = await startHarness());
    await corpus(harness);
    await expect(harness.core.history.search('"AND (OR* NEAR', {}, 5)).resolves.toMatchObject({ hits: expect.any(Array) });
    await expect(harness.core.history.search('***', {}, 5)).resolves.toMatchObject({ hits: expect.any(Array) });
  });
});

describe('bulk ingest', () => {
  it('takes a batch far larger than a call stack in one transaction', async () => {
    const harness = (h = await startHarness());
    const session = harness.core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const messages = Array.from({ length: 200_000 }, (_, i) => ({ externalId: `line-${i}`, role: 'tool' as const, kind: 'tool_result' as const, text: `output ${i}`, data: null, surface: 'external' as const, createdAt: i }));
    expect(harness.core.history.ingest(session.id, messages)).toHaveLength(200_000);
    // The same lines again add nothing.
    expect(harness.core.history.ingest(session.id, messages.slice(0, 10))).toEqual([]);
    expect(harness.core.sessions.get(session.id).updatedAt).toBeGreaterThanOrEqual(199_999);
  });
});

describe('a deleted conversation', () => {
  it('takes its vectors with it, and the ids SQLite gives again take new ones', async () => {
    const harness = (h = await startHarness());
    const line = (i: number, text: string) => ({ externalId: `${text}-${i}`, role: 'user' as const, kind: 'text' as const, text: `${text} ${i}`, data: null, surface: 'external' as const, createdAt: i });
    const vectors = harness.core.embeddings.messages;
    const before = vectors.count();
    const gone = harness.core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const goneIds = harness.core.history.ingest(gone.id, Array.from({ length: 20 }, (_, i) => line(i, 'kubernetes ingress')));
    expect(vectors.count()).toBe(before + 20);
    await harness.core.sessions.delete(gone.id);
    expect(vectors.count()).toBe(before);
    // The newest rows went, so SQLite hands their ids out again: the transcript that gets them is stored whole.
    const next = harness.core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const ids = harness.core.history.ingest(next.id, Array.from({ length: 20 }, (_, i) => line(i, 'sourdough starter')));
    expect(ids).toEqual(goneIds);
    expect(vectors.count()).toBe(before + 20);
    const { hits } = await harness.core.history.search('bread starter', {}, 5);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => hit.sessionId === next.id)).toBe(true);
    // A vector an older version left behind under the next id: the new message's takes its place.
    const nextId = Math.max(...ids) + 1;
    vectors.insert(nextId, harness.core.embeddings.embedNow(['left behind'])![0]!, { session: 0, role: 'user', created_at: 0 });
    expect(harness.core.history.ingest(next.id, [line(99, 'rye flour')])).toEqual([nextId]);
    expect((await harness.core.history.search('rye flour', {}, 1)).hits[0]?.messageId).toBe(nextId);
  });
});

describe('a deleted conversation, with an embedder over the network', () => {
  it('leaves no vector of its words on the message that takes its id while the provider was answering', async () => {
    const harness = (h = await startHarness());
    const { core } = harness;
    const fake = new FakeEmbeddings();
    await fake.start();
    try {
      core.settings.set({ key: 'embeddings.ollamaUrl', value: fake.url });
      core.settings.set({ key: 'embeddings.provider', value: 'ollama' });
      await expect.poll(() => core.embeddings.status(), { timeout: 10_000 }).toMatchObject({ ready: true, pending: 0 });
      let release!: () => void;
      fake.hold = new Promise<void>((resolve) => (release = resolve));
      const before = fake.requests;
      const line = (text: string) => ({ externalId: text, role: 'user' as const, kind: 'text' as const, text, data: null, surface: 'external' as const, createdAt: 1 });
      const gone = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
      const [goneId] = core.history.ingest(gone.id, [line('the penguin colony moves north in March')]);
      core.embeddings.kick(0);
      // The provider has the deleted words and has not answered yet.
      await expect.poll(() => fake.requests, { timeout: 10_000 }).toBeGreaterThan(before);
      await core.sessions.delete(gone.id);
      const next = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
      const [nextId] = core.history.ingest(next.id, [line('sourdough starter needs feeding daily')]);
      expect(nextId).toBe(goneId);
      fake.hold = null;
      release();
      await expect.poll(() => core.embeddings.status().pending, { timeout: 10_000 }).toBe(0);
      // The vector under that id is the new message's own, not the deleted one's.
      const distance = async (text: string) =>
        core.storage.db.prepare(`SELECT vec_distance_cosine(vec_int8(embedding), vec_quantize_int8(?, 'unit')) FROM messages_embeddings WHERE id = ?`).pluck().get(await core.embeddings.embedQuery(text), nextId) as number;
      const [deleted, own] = [await distance('the penguin colony moves north in March'), await distance('sourdough starter needs feeding daily')];
      expect(own).toBeLessThan(0.01);
      expect(deleted).toBeGreaterThan(own);
    } finally {
      await fake.stop();
    }
  });
});

describe('transcripts of sessions Switchboard did not start', () => {
  it('imports real CLI transcripts, skips and counts malformed lines, and is idempotent', async () => {
    const harness = (h = await startHarness());
    const { core, env, dir } = harness;
    const cwd = path.join(dir, 'outside project');
    fs.mkdirSync(cwd);
    const run = await runClaude(['-p', '--output-format', 'stream-json', '--verbose'], { env, cwd, stdin: 'what is in this folder?' });
    expect(run.code).toBe(0);
    const projects = path.join(env.CLAUDE_CONFIG_DIR!, 'projects');
    const [file] = (fs.readdirSync(projects, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.jsonl'));
    fs.appendFileSync(path.join(projects, file!), '{not json\n{"type":"user"}\n["array"]\n');

    const first = await core.transcripts.importAll();
    expect(first).toMatchObject({ running: false, filesDone: 1, malformed: 3, error: null, totals: { files: 1, malformed: 3 } });
    // An import with nothing new still reports what all imports read.
    expect(await core.transcripts.importAll()).toMatchObject({ filesDone: 1, malformed: 0, totals: { files: 1, malformed: 3 } });
    const conversation = core.history.conversations().find((c) => c.surface === 'external')!;
    expect(conversation).toMatchObject({ cwd, title: 'what is in this folder?', ownFolder: false });
    const messages = core.history.messages(conversation.id).messages;
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'what is in this folder?'],
      ['assistant', 'echo: what is in this folder?'],
    ]);

    // Again, from scratch: offsets forgotten, the line ids still prevent doubles.
    core.storage.db.prepare('DELETE FROM transcript_files').run();
    const second = await core.transcripts.importAll();
    expect(second.messages).toBe(0);
    expect(core.history.messages(conversation.id).messages).toHaveLength(2);
    expect(core.history.conversations().filter((c) => c.surface === 'external')).toHaveLength(1);
  });

  it('shows lines appended to a followed transcript within a second', async () => {
    const harness = (h = await startHarness());
    const { core, env, dir } = harness;
    const cwd = path.join(dir, 'live');
    fs.mkdirSync(cwd);
    const sessionId = '0b5e3f7a-1111-4222-8333-944445555666';
    await runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--session-id', sessionId], { env, cwd, stdin: 'first question' });
    await core.transcripts.importAll();
    await new Promise((r) => setTimeout(r, 300));
    const seen = nextEvent(core.events, 'sessions.stream', (p) => p.item.kind === 'message' && p.item.message.text === 'echo: second question', 5000);
    const listed = nextEvent(core.events, 'sessions.changed', (s) => s.surface === 'external' && s.claudeSessionId === sessionId, 5000);
    const started = Date.now();
    // The same session continued in a "terminal": the real CLI appends to its transcript.
    await runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--resume', sessionId], { env, cwd, stdin: 'second question' });
    const written = Date.now();
    await seen;
    expect(Date.now() - written).toBeLessThan(1000);
    // The Sessions screen hears of it too, and can show it: it is in the session list.
    expect((await listed).cwd).toBe(cwd);
    const terminal = core.sessions.list().find((s) => s.claudeSessionId === sessionId)!;
    expect(terminal).toBeDefined();
    // Just written to from outside: resuming it here now would put two processes on one session.
    expect(() => core.sessions.send(terminal.id, 'from the app', desktopCaller)).toThrow(/still being written by Claude Code/);

    // Idle there for two minutes: the app continues the same Claude session, with its history.
    const past = new Date(Date.now() - 120_000);
    for (const file of core.storage.db.prepare('SELECT path FROM transcript_files WHERE session_id = ?').pluck().all(sessionId) as string[]) fs.utimesSync(file, past, past);
    const turn = await harness.turnEnded(core.sessions.send(terminal.id, 'from the app', desktopCaller).id);
    expect(turn).toMatchObject({ status: 'done', resultText: 'echo: from the app' });
    expect(userTexts(harness.api.mainRequests().at(-1)!).join('\n')).toContain('first question');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(CLAUDE_BIN).toBeTruthy();
  });

  it('does not import the transcripts of its own sessions', async () => {
    const harness = (h = await startHarness());
    const { core, turnEnded } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'mine', desktopCaller).id);
    await core.transcripts.importAll();
    expect(core.history.conversations().map((c) => [c.surface, c.ownFolder])).toEqual([['desktop', true]]);
    expect(core.history.messages(session.id).messages.filter((m) => m.text === 'mine')).toHaveLength(1);
  });

  it('does not bring back a session the user deleted when its transcript changes later', async () => {
    const harness = (h = await startHarness());
    const { core, env } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await harness.turnEnded(core.sessions.send(session.id, 'delete me later', desktopCaller).id);
    await core.transcripts.importAll();
    await core.sessions.delete(session.id);
    // The CLI's last lines land after the delete (it was killed mid-write), or the file is rewritten.
    const projects = path.join(env.CLAUDE_CONFIG_DIR!, 'projects');
    const [file] = (fs.readdirSync(projects, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.jsonl'));
    const lines = fs.readFileSync(path.join(projects, file!), 'utf8').trimEnd().split('\n');
    const user = lines.map((l) => JSON.parse(l) as { type: string; uuid: string; message?: { content: unknown } }).find((l) => l.type === 'user' && JSON.stringify(l.message).includes('delete me later'))!;
    fs.appendFileSync(path.join(projects, file!), `${JSON.stringify({ ...user, uuid: 'late-line', message: { ...user.message, content: 'a late line' } })}\n`);
    await core.transcripts.importAll();
    expect(core.history.conversations()).toEqual([]);
    expect((await core.history.search('delete me later', {}, 5)).hits).toEqual([]);
  });
});

describe('an import and the live follower together', () => {
  it('store every line of a transcript being written exactly once', async () => {
    const harness = (h = await startHarness());
    const { core, env } = harness;
    await core.transcripts.importAll();
    const sessionId = '5f0c2b1a-3333-4444-8555-966667777888';
    const file = path.join(env.CLAUDE_CONFIG_DIR!, 'projects', '-home-user-both', `${sessionId}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const line = (i: number) =>
      JSON.stringify({ type: i % 2 ? 'assistant' : 'user', uuid: `${sessionId.slice(0, 24)}${String(i).padStart(12, '0')}`, parentUuid: null, sessionId, cwd: '/home/user/both', timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(), message: i % 2 ? { id: `msg_${i}`, role: 'assistant', content: [{ type: 'text', text: `answer ${i}` }] } : { role: 'user', content: `question ${i}` } });
    const LINES = 6000;
    // Appends race the follower (file events) and explicit imports, as when the benchmark writes while Claude Code does.
    const imports: Promise<unknown>[] = [];
    for (let start = 0; start < LINES; start += 500) {
      fs.appendFileSync(file, Array.from({ length: 500 }, (_, k) => `${line(start + k)}\n`).join(''));
      imports.push(core.transcripts.importAll());
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(imports);
    await core.transcripts.importAll();
    const count = () => core.storage.db.prepare("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.claude_session_id = ?").pluck().get(sessionId) as number;
    await expect.poll(count, { timeout: 10_000 }).toBe(LINES);
    const texts = core.storage.db.prepare('SELECT m.text FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.claude_session_id = ? ORDER BY m.id').pluck().all(sessionId) as string[];
    expect(new Set(texts).size).toBe(LINES);
    expect(texts.slice(0, 3)).toEqual(['question 0', 'answer 1', 'question 2']);
  });
});

describe('transcripts read in chunks', () => {
  it('reads a transcript a chunk at a time, a line longer than a chunk included, with the same result', async () => {
    const harness = (h = await startHarness());
    const { core, env, dir } = harness;
    core.transcripts.stop();
    const cwd = path.join(dir, 'chunked');
    fs.mkdirSync(cwd);
    await runClaude(['-p', '--output-format', 'stream-json', '--verbose'], { env, cwd, stdin: 'short question' });
    const projects = path.join(env.CLAUDE_CONFIG_DIR!, 'projects');
    const file = path.join(projects, (fs.readdirSync(projects, { recursive: true, encoding: 'utf8' }) as string[]).find((f) => f.endsWith('.jsonl'))!);
    const long = `a long paste ${'x'.repeat(3000)}`;
    const { sessionId } = JSON.parse(fs.readFileSync(file, 'utf8').split('\n').find((l) => l.includes('"sessionId"'))!) as { sessionId: string };
    const line = { type: 'user', uuid: '11111111-2222-4333-8444-555555555555', sessionId, cwd, timestamp: new Date().toISOString(), message: { role: 'user', content: long } };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n{not json\n`);

    const importer = new TranscriptImporter({ storage: core.storage, events: core.events, embeddings: core.embeddings, history: core.history, store: new SessionStore(core.storage), env, announce: () => {}, chunkBytes: 256 });
    importer.start();
    const progress = await importer.importAll();
    importer.stop();
    expect(progress).toMatchObject({ filesDone: 1, messages: 3, malformed: 1, bytesDone: fs.statSync(file).size, error: null });
    const conversation = core.history.conversations().find((c) => c.surface === 'external')!;
    expect(core.history.messages(conversation.id).messages.map((m) => m.text)).toEqual(['short question', 'echo: short question', long]);
    const stored = core.storage.db.prepare('SELECT offset, size FROM transcript_files').get() as { offset: number; size: number };
    expect(stored.offset).toBe(stored.size);
  });
});

describe('reading a conversation', () => {
  it('says an unknown conversation is not found, not empty', async () => {
    const harness = (h = await startHarness());
    const answer = await harness.core.router.call('history.messages', { sessionId: 'no-such-conversation' }, desktopCaller);
    expect(answer).toMatchObject({ ok: false, error: { code: 'not_found', message: 'There is no conversation no-such-conversation.' } });
  });

  it('pages through it in order, each call bounded, whatever its length', async () => {
    const harness = (h = await startHarness());
    const { a, ids } = await corpus(harness);
    const inA = ids.filter((_, i) => i !== 3);
    const pages: number[][] = [];
    let after = 0;
    for (;;) {
      const page = await harness.core.router.call('history.messages', { sessionId: a.id, after, limit: 2 }, { surface: 'browser', actor: 'browser:test' });
      if (!page.ok) throw new Error(page.error.message);
      const value = page.value as { messages: { id: number }[]; next: number | null };
      pages.push(value.messages.map((m) => m.id));
      if (value.next === null) break;
      after = value.next;
    }
    expect(pages.flat()).toEqual(inA);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    const tooBig = await harness.core.router.call('history.messages', { sessionId: a.id, limit: 100_000 }, { surface: 'browser', actor: 'browser:test' });
    expect(tooBig.ok ? null : tooBig.error.message).toMatch(/limit: .*5000/);
  });
});

describe('transcript follower lifecycle', () => {
  it('does not start following after a stop that came during the first import', async () => {
    const harness = (h = await startHarness());
    const importer = harness.core.transcripts;
    // Stop while the start-up import is still pending; its completion must not start the poll.
    importer.stop();
    await importer.importAll();
    await new Promise((r) => setTimeout(r, 50));
    expect((importer as unknown as { poll: unknown }).poll).toBeNull();
    expect((importer as unknown as { watcher: unknown }).watcher).toBeNull();
  });
});
