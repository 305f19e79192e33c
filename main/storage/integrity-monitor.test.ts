import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UserNotification } from '../../contract';
import { ServiceStartError } from '../lifecycle';
import { testCore, testTempDir } from '../testing/temp-core';

describe('the background integrity check', () => {
  it('finds a file corrupted behind a "clean" close, stops writing it and says so loudly', async () => {
    const dir = testTempDir();
    const file = path.join(dir, 'switchboard.db');
    const first = testCore(dir);
    await first.start();
    const session = first.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const insert = first.storage.db.prepare(`INSERT INTO messages (session_id, role, kind, text, created_at, vec_state) VALUES (?, 'user', 'text', ?, 0, 2)`);
    first.storage.db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(session.id, `message ${i} ${'x'.repeat(100)}`);
    })();
    await first.stop();
    expect(fs.existsSync(`${file}.clean`)).toBe(true);

    // Damage pages so that the clean mark still matches (same size; the time as the mark says),
    // as a disk or a copy tool can do behind Switchboard's back.
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    const page = Math.floor(bytes.length / pageSize / 2);
    bytes.fill(0x5a, page * pageSize, (page + 3) * pageSize);
    fs.writeFileSync(file, bytes);
    const { size, mtimeMs } = fs.statSync(file);
    fs.writeFileSync(`${file}.clean`, JSON.stringify({ size, mtimeMs }));

    const core = testCore(dir);
    const notified = new Promise<UserNotification>((resolve) =>
      core.events.subscribe((name, payload) => name === 'system.notification' && resolve(payload as UserNotification)),
    );
    await core.start(); // the fast start trusts the mark; the check follows off the event loop
    const notice = await notified;
    expect(notice.title).toBe('Switchboard stopped writing its database');
    expect(notice.body).toMatch(/error [A-Z0-9]{8}/);
    const health = await core.system.health();
    expect(health.database.integrity.state).toBe('corrupt');
    expect(() => core.settings.set({ key: 'appearance.theme', value: 'dark' })).toThrow(/readonly|read-only|query_only/i);
    await core.stop();
    expect(fs.existsSync(`${file}.clean`)).toBe(false);

    // And the next start checks first, and refuses.
    const error = await testCore(dir)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStartError);
  });

  it('reports a healthy file as checked after a fast start', async () => {
    const dir = testTempDir();
    const first = testCore(dir);
    await first.start();
    await first.stop();
    const core = testCore(dir);
    await core.start();
    await core.storage.integrity.check();
    const { integrity } = (await core.system.health()).database;
    expect(integrity.state).toBe('ok');
    expect(integrity.checkedAt).toBeGreaterThan(Date.now() - 10_000);
    await core.stop();
    expect(fs.existsSync(path.join(dir, 'switchboard.db.clean'))).toBe(true);
  });
});
