import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testCore, testTempDir } from '../testing/temp-core';

describe('checkpoints off the main thread', () => {
  it('turns SQLite’s own checkpoints off once the worker runs, and the worker copies the log into the file', async () => {
    const dir = testTempDir();
    const core = testCore(dir);
    await core.start();
    const db = core.storage.db;
    await expect.poll(() => db.pragma('wal_autocheckpoint', { simple: true }), { timeout: 5000 }).toBe(0);
    const file = path.join(dir, 'switchboard.db');
    const before = fs.statSync(file).size;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const insert = db.prepare(`INSERT INTO messages (session_id, role, kind, text, created_at, vec_state) VALUES (?, 'user', 'text', ?, 0, 2)`);
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(session.id, `row ${i} ${'y'.repeat(900)}`);
    })();
    // Nothing on the main thread checkpoints now: the file grows only by the worker's checkpoint.
    await expect.poll(() => fs.statSync(file).size, { timeout: 5000 }).toBeGreaterThan(before + 3_000_000);
    await core.stop();
    // The last close checkpointed the rest and left no log; the file is marked clean.
    expect(fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    expect(fs.existsSync(`${file}.clean`)).toBe(true);
  });
});
