import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../ipc/router';
import { harnessPerTest } from '../testing/harness-per-test';
import { makeRepo } from '../testing/git-repo';

// From outside the window, Claude may not work in the home folder, nor in a worktree of a repository that is
// the home folder (its files are the tree's). A job made from a chat runs later, as the job: the same should hold.
// sessionInWorktree gives a job the owner's folder rule for its repository only when the job's own folder is one
// only the owner could have chosen.
const phone: CallContext = { surface: 'telegram', actor: 'telegram:1001' };

const start = harnessPerTest();

describe('a job made outside the window, in a worktree', () => {
  it('does not get a worktree of a repository that is the home folder, as a chat’s own session does not', { timeout: 60_000 }, async () => {
    const { core, home } = await start();
    makeRepo(home, { '.ssh/id_ed25519': 'PRIVATE KEY\n', 'projects/notes/todo.md': '- tidy\n' });
    const folder = path.join(home, 'projects', 'notes');
    // A chat's own session there is refused.
    expect(await core.router.call('sessions.create', { title: 'x', cwd: folder, worktree: true }, phone)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('home folder') } });
    // A job asking first (no approval needed) in the same folder, in a worktree of its own.
    const made = await core.router.call('schedules.create', { name: 'Notes', kind: 'claude', cron: '0 7 * * *', command: 'Tidy the notes', cwd: folder, worktree: true }, phone);
    expect(made).toMatchObject({ ok: true, value: { approval: null } });
    if (!made.ok) return;
    expect(await core.router.call('schedules.runNow', { id: made.value.id }, phone)).toMatchObject({ ok: true });
    await core.scheduler.settled(made.value.id);
    const [run] = core.scheduler.runs(made.value.id, 1);
    expect(run).toMatchObject({ status: 'failed', reason: expect.stringContaining('home folder') });
    expect(fs.readdirSync(path.join(core.config.dataDir, 'worktrees')).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});
