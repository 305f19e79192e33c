import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobInputSchema } from '../../contract';
import { testTempDir } from '../testing/temp-core';
import { closeDatabase, openDatabase } from './database';
import { migrations } from './migrations';

describe('migration 0020 (chat parts)', () => {
  it("turns a job's delivery fields per chat app into a list, and says what waiting chat messages are about", () => {
    const dir = testTempDir();
    const file = path.join(dir, 'switchboard.db');
    const before = openDatabase(file, migrations.slice(0, 19));
    const job = before.prepare("INSERT INTO jobs (id, name, kind, cron, time_zone, command, timeout_seconds, delivery, created_at, updated_at) VALUES (?, 'j', 'shell', '0 3 * * *', 'UTC', 'true', 60, ?, 0, 0)");
    job.run('both', JSON.stringify({ desktop: false, telegramChatId: 'owner', discordChannelId: '1234', email: ['a@example.test'] }));
    job.run('telegram', JSON.stringify({ desktop: true, telegramChatId: '-100', discordChannelId: null }));
    job.run('none', JSON.stringify({ desktop: true, telegramChatId: null, discordChannelId: null, email: [] }));
    job.run('empty', '{}');
    const entry = before.prepare("INSERT INTO chat_outbox (surface, chat_key, op, payload, dedupe, state, next_at, created_at) VALUES ('telegram', ?, 'send', '{}', ?, ?, 0, 0)");
    entry.run('42:7', 'card:ap-1:42:7', 'pending');
    entry.run('42', 'stop:st-9:42', 'pending');
    entry.run('42', 'final:t-1:42:0', 'pending');
    entry.run('42', 'card:ap-0:42', 'sent');
    closeDatabase(before, file);

    const db = openDatabase(file, migrations);
    const delivery = (id: string) => JSON.parse(db.prepare('SELECT delivery FROM jobs WHERE id = ?').pluck().get(id) as string) as Record<string, unknown>;
    expect(delivery('both')).toEqual({ desktop: false, email: ['a@example.test'], chats: [{ surface: 'telegram', target: 'owner' }, { surface: 'discord', target: '1234' }] });
    expect(delivery('telegram')).toEqual({ desktop: true, chats: [{ surface: 'telegram', target: '-100' }] });
    expect(delivery('none')).toEqual({ desktop: true, email: [], chats: [] });
    expect(delivery('empty')).toEqual({ chats: [] });
    // What is stored now reads as the contract's delivery.
    expect(jobInputSchema.shape.delivery.parse(delivery('both'))).toEqual(delivery('both'));
    const about = (dedupe: string) => db.prepare('SELECT about FROM chat_outbox WHERE dedupe = ?').pluck().get(dedupe) as string | null;
    expect(JSON.parse(about('card:ap-1:42:7')!)).toEqual({ kind: 'card', approvalId: 'ap-1' });
    expect(JSON.parse(about('stop:st-9:42')!)).toEqual({ kind: 'stop', stopId: 'st-9' });
    expect(about('final:t-1:42:0')).toBeNull();
    expect(about('card:ap-0:42')).toBeNull();
    closeDatabase(db, file);
  });
});
