import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceStartError } from './lifecycle';
import { CLAUDE_BIN, testCore, testTempDir } from './testing/temp-core';

describe('createCore', () => {
  it('starts every service, reports them running, and stops them', async () => {
    const dir = testTempDir();
    const core = testCore(dir, { env: { PATH: process.env.PATH, SWITCHBOARD_CLAUDE: CLAUDE_BIN } });
    await core.start();
    const health = await core.system.health();
    expect(health.services.map((s) => s.name)).toEqual(['storage', 'settings', 'usage', 'system', 'approvals', 'sessions', 'worktrees', 'terminals', 'embeddings', 'history', 'memory', 'scheduler', 'tasks', 'user', 'mail', 'inbox', 'push', 'transcripts', 'telegram', 'discord', 'mcp', 'hooks', 'claudeCode']);
    expect(health.services.every((s) => s.state === 'running')).toBe(true);
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
    await core.stop();
    expect(core.lifecycle.statuses().every((s) => s.state === 'stopped')).toBe(true);
  });

  it('stops with an error naming the storage service and the damaged file', async () => {
    const dir = testTempDir();
    const file = path.join(dir, 'switchboard.db');
    fs.writeFileSync(file, 'garbage'.repeat(1000));
    const error = await testCore(dir).start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as Error).message).toContain('storage service');
    expect((error as Error).message).toContain(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('garbage'.repeat(1000));
  });

  it('tells where the claude CLI came from, and says so when it is missing', async () => {
    const dir = testTempDir();
    const core = testCore(dir, { env: { PATH: '/nonexistent' } });
    await core.start();
    expect((await core.system.health()).claude).toMatchObject({ found: false, source: 'path', error: 'claude was not found on PATH' });
    core.settings.set({ key: 'claude.cliPath', value: CLAUDE_BIN });
    expect((await core.system.health()).claude).toMatchObject({ found: true, source: 'setting', path: CLAUDE_BIN });
    core.settings.set({ key: 'claude.cliPath', value: '/no/such/claude' });
    const missing = (await core.system.health()).claude;
    expect(missing).toMatchObject({ found: false, source: 'setting' });
    expect(missing.error).toMatch(/ENOENT/);
    await core.stop();
  });
});
