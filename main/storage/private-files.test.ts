import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testCore, testTempDir } from '../testing/temp-core';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('private data, whatever existed before', () => {
  it('makes a pre-created 0755 folder 0700 and every file the core writes 0600', async () => {
    const parent = testTempDir();
    const dir = path.join(parent, 'data');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{}', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'secrets.json'), 0o644);
    fs.mkdirSync(path.join(dir, 'sessions'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, 'sessions'), 0o755);

    const core = testCore(dir);
    await core.start();
    core.settings.set({ key: 'appearance.theme', value: 'dark' }); // a write, so the -wal exists
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop', systemPrompt: 'Be brief.' });
    core.config.secrets.set('probe', 'x');

    expect(mode(dir)).toBe(0o700);
    for (const file of ['switchboard.db', 'switchboard.db-wal', 'switchboard.db-shm', 'secrets.json', 'switchboard.lock', 'logs/switchboard.log']) {
      expect(mode(path.join(dir, file)), file).toBe(0o600);
    }
    expect(mode(path.join(dir, 'logs'))).toBe(0o700);
    expect(mode(path.join(dir, 'sessions'))).toBe(0o700);
    expect(mode(session.cwd)).toBe(0o700);
    await core.stop();
    expect(mode(path.join(dir, 'switchboard.db.clean'))).toBe(0o600);
  });

  it('tightens a database file left 0644 by an older version, and its -wal and -shm with it', async () => {
    const dir = testTempDir();
    const first = testCore(dir);
    await first.start();
    await first.stop();
    fs.chmodSync(path.join(dir, 'switchboard.db'), 0o644);
    const core = testCore(dir);
    await core.start();
    core.settings.set({ key: 'appearance.theme', value: 'light' });
    for (const file of ['switchboard.db', 'switchboard.db-wal', 'switchboard.db-shm']) expect(mode(path.join(dir, file)), file).toBe(0o600);
    await core.stop();
  });
});
