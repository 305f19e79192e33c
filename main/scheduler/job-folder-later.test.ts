import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopCaller, type CallContext } from '../ipc/router';
import { harnessPerTest } from '../testing/harness-per-test';

// A job's folder is checked when the job is saved, by its maker's rule (work-folder.ts). A folder that becomes a
// link later (to another session's own folder, a hidden folder of home) would then be where a job made from outside
// the window works, and Claude reads there without asking: such a job's runs check its folder again by that rule.
const mcp: CallContext = { surface: 'mcp', actor: 'mcp:evil@00000000' };

const start = harnessPerTest();

describe("a job's folder, changed on disk after the job was saved", () => {
  it("is checked again at the run: a job from MCP does not run in another session's own folder", { timeout: 60_000 }, async () => {
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
    expect(api.requests.length).toBe(0);
    // The owner setting its folder in the window makes it theirs: it runs where they said.
    expect(await core.router.call('schedules.update', { id: made.value.id, cwd: folder }, desktopCaller)).toMatchObject({ ok: true });
    expect(await core.router.call('schedules.runNow', { id: made.value.id }, desktopCaller)).toMatchObject({ ok: true });
    await core.scheduler.settled(made.value.id);
    expect(core.scheduler.runs(made.value.id, 1)[0]).toMatchObject({ status: 'ok' });
    // Changed from outside again: that caller's rule again.
    expect(await core.router.call('schedules.update', { id: made.value.id, name: 'Reads again' }, mcp)).toMatchObject({ ok: false, error: { message: expect.stringContaining("another session's own folder") } });
  });

  it('leaves a job alone whose folder is still what it was', { timeout: 60_000 }, async () => {
    const { core, home, api } = await start();
    const folder = path.join(home, 'project');
    fs.mkdirSync(folder);
    const made = await core.router.call('schedules.create', { name: 'Reads', kind: 'claude', cron: '0 3 * * *', command: 'read the notes', cwd: folder }, mcp);
    if (!made.ok) throw new Error(made.error.message);
    api.reply({ kind: 'text', text: 'Read them.' });
    expect(await core.router.call('schedules.runNow', { id: made.value.id }, mcp)).toMatchObject({ ok: true });
    await core.scheduler.settled(made.value.id);
    expect(core.scheduler.runs(made.value.id, 1)[0]).toMatchObject({ status: 'ok' });
  });
});
