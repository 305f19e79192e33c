import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopCaller, type CallContext } from '../ipc/router';
import { harnessPerTest } from '../testing/harness-per-test';

// A job's folder is checked once, when the job is saved, by its maker's rule (work-folder.ts); its runs are not
// checked again (who made it is not kept, and the owner's rule lets a job work anywhere but the data folder).
// A folder that becomes a link later (to another session's own folder, a hidden folder of home) is then where a
// job made from outside the window works, and Claude reads there without asking.
const mcp: CallContext = { surface: 'mcp', actor: 'mcp:evil@00000000' };

const start = harnessPerTest();

describe("a job's folder, changed on disk after the job was saved", () => {
  // Not fixed: the run would need the maker's rule, which needs who made the job (or that the owner approved it)
  // kept with it, a new column (migration). Until then the check at save is the only one for a non-owner's job.
  it.fails("is checked again at the run: a job from MCP does not run in another session's own folder", { timeout: 60_000 }, async () => {
    const { core, home, api } = await start();
    const owners = await core.router.call('sessions.create', { title: 'Owner’s notes' }, desktopCaller);
    if (!owners.ok) throw new Error(owners.error.message);
    fs.writeFileSync(path.join(owners.value.cwd, 'plan.md'), 'the owner’s plan');
    const folder = path.join(home, 'project');
    fs.mkdirSync(folder);
    const made = await core.router.call('schedules.create', { name: 'Reads', kind: 'claude', cron: '0 3 * * *', command: 'read plan.md', cwd: folder }, mcp);
    expect(made).toMatchObject({ ok: true, value: { approval: null } });
    if (!made.ok) return;
    // The folder becomes a link to the owner's session's folder.
    fs.rmdirSync(folder);
    fs.symlinkSync(owners.value.cwd, folder);
    api.reply({ kind: 'text', text: 'Read it.' });
    expect(await core.router.call('schedules.runNow', { id: made.value.id }, mcp)).toMatchObject({ ok: true });
    await core.scheduler.settled(made.value.id);
    const [run] = core.scheduler.runs(made.value.id, 1);
    expect(run).toMatchObject({ status: 'failed', reason: expect.stringContaining("another session's own folder") });
  });
});
