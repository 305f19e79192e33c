import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../testing/temp-core';
import { openDatabase } from './database';
import { MessageStore, type MessageInsert } from './message-store';
import { migrations } from './migrations';

function store() {
  const dir = testTempDir();
  const db = openDatabase(path.join(dir, 'switchboard.db'), migrations);
  db.prepare(`INSERT INTO sessions (id, surface, surface_key, claude_session_id, title, cwd, permission_policy, created_at, updated_at) VALUES ('s1', 'desktop', 's1', 'c1', 't', '/tmp', 'ask', 0, 0)`).run();
  return { db, messages: new MessageStore(() => db) };
}

const line = (text: string, externalId: string | null, extra: Partial<MessageInsert> = {}): MessageInsert => ({
  sessionId: 's1',
  turnId: null,
  role: 'user',
  kind: 'text',
  text,
  data: null,
  surface: 'external',
  createdAt: 1000,
  externalId,
  vecState: 2,
  ...extra,
});

describe('MessageStore', () => {
  it('stores a batch with its words in one go, skips lines seen before, and gives one message back as a read would', () => {
    const { db, messages } = store();
    const first = messages.insert([line('postgres vacuum tonight', 'a'), line('nginx proxy header', 'b')]);
    expect(first.map((r) => r.index)).toEqual([0, 1]);
    // Line "a" again, beside a new one: only the new one is stored, with its place in the batch.
    const seen: number[] = [];
    const second = messages.insert([line('postgres vacuum tonight', 'a'), line('docker volume mount', 'c')], (_id, index) => seen.push(index));
    expect(second.map((r) => r.index)).toEqual([1]);
    expect(seen).toEqual([1]);
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(3);
    const match = (q: string) => db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').pluck().all(q);
    expect(match('vacuum')).toEqual([first[0]!.id]);
    expect(match('docker')).toEqual([second[0]!.id]);

    const one = messages.insertOne(line('a note', null, { role: 'system', kind: 'notice', data: { attempt: 2, at: undefined } }))!;
    expect(one).toMatchObject({ sessionId: 's1', role: 'system', kind: 'notice', text: 'a note', data: { attempt: 2 }, createdAt: 1000 });
    expect(db.prepare('SELECT data FROM messages WHERE id = ?').pluck().get(one.id)).toBe('{"attempt":2}');
    expect(match('note')).toEqual([one.id]);
    db.close();
  });
});
