import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from './core';
import { desktopCaller, type CallContext } from './ipc/router';
import { makeRepo } from './testing/git-repo';
import { makeTempDir, removeTempDir, testCore } from './testing/temp-core';

// Claude reads in its working folder without asking: nobody works in the data folder, and from outside
// the window nobody works in home, above it, in a hidden folder of it, or in a folder holding the data.
let home: string;
let data: string;
let core: Core;
beforeEach(async () => {
  home = makeTempDir('switchboard-home-');
  data = path.join(home, '.switchboard');
  fs.mkdirSync(path.join(home, 'project'));
  fs.mkdirSync(path.join(home, '.ssh'));
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY');
  core = testCore(data, { env: { HOME: home, PATH: process.env.PATH } });
  await core.start();
  fs.writeFileSync(path.join(data, 'secrets.json'), '{"server.token":"UI-TOKEN"}');
});
afterEach(async () => {
  await core.stop();
  removeTempDir(home);
});

const mcp: CallContext = { surface: 'mcp', actor: 'mcp:evil' };
const job = (cwd: string, extra: object = {}) => ({ name: 'Reads', kind: 'claude' as const, cron: '0 3 * * *', command: 'summarise {{ notes }}', template: true, cwd, ...extra });

describe('where Claude may work', () => {
  it('refuses the data folder to everyone, and home, above it and its hidden folders from outside the window', async () => {
    const refusedBy = async (cwd: string, ctx: CallContext) => {
      const r = await core.router.call('sessions.create', { title: 'x', cwd }, ctx);
      return r.ok ? null : r.error.message;
    };
    expect(await refusedBy(data, desktopCaller)).toMatch(/cwd: .*Switchboard's data folder/);
    expect(await refusedBy(data, mcp)).toMatch(/Switchboard's data folder/);
    expect(await refusedBy(home, mcp)).toMatch(/holds Switchboard's data folder|home folder/);
    expect(await refusedBy('/', mcp)).toMatch(/holds Switchboard's data folder|home folder/);
    expect(await refusedBy(path.join(home, '.ssh'), mcp)).toMatch(/hidden folder/);
    expect(await refusedBy(path.join(home, 'project'), mcp)).toBeNull();
    expect(await refusedBy(home, desktopCaller)).toBeNull();
    expect(await core.router.call('tasks.start', { prompt: 'read it', cwd: data }, mcp)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it("keeps callers from outside the window out of another session's own folder and worktree, the owner not", async () => {
    const owners = await core.router.call('sessions.create', { title: 'Owner’s notes' }, desktopCaller);
    if (!owners.ok) throw new Error(owners.error.message);
    const folder = owners.value.cwd;
    fs.writeFileSync(path.join(folder, 'plan.md'), 'the owner’s plan');
    fs.symlinkSync(folder, path.join(home, 'project', 'looks-like-a-project'));
    const repo = makeRepo(path.join(home, 'project', 'repo'), { 'a.txt': 'a\n' });
    const tree = await core.router.call('sessions.create', { title: 'In a worktree', cwd: repo, worktree: true }, desktopCaller);
    if (!tree.ok) throw new Error(tree.error.message);
    for (const cwd of [folder, path.join(home, 'project', 'looks-like-a-project'), tree.value.cwd]) {
      expect(await core.router.call('sessions.create', { title: 'x', cwd }, mcp), cwd).toMatchObject({ ok: false, error: { message: expect.stringContaining("another session's own folder") } });
      expect(await core.router.call('tasks.start', { prompt: 'read plan.md', cwd }, mcp), cwd).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await core.router.call('schedules.create', job(cwd), mcp), cwd).toMatchObject({ ok: false, error: { message: expect.stringContaining("another session's own folder") } });
    }
    // Its own folder and its own worktree are still given to a session made from outside.
    expect(await core.router.call('sessions.create', { title: 'Own folder' }, mcp)).toMatchObject({ ok: true });
    expect(await core.router.call('sessions.create', { title: 'Own tree', cwd: repo, worktree: true }, mcp)).toMatchObject({ ok: true });
    expect(await core.router.call('sessions.create', { title: 'Owner may', cwd: folder }, desktopCaller)).toMatchObject({ ok: true });
  });

  it('sees through a symlink to a folder that does not exist yet: a job saved there would run there once it does', async () => {
    // A job's folder may not exist yet (a warning), and it is checked only when the job is saved: its path
    // must be judged as it will resolve, not as written.
    const owners = await core.router.call('sessions.create', { title: 'Owner’s notes' }, desktopCaller);
    if (!owners.ok) throw new Error(owners.error.message);
    fs.symlinkSync(owners.value.cwd, path.join(home, 'project', 'looks-like-a-project'));
    fs.symlinkSync(path.join(home, '.aws'), path.join(home, 'project', 'cloud'));
    fs.symlinkSync(path.join(data, 'later'), path.join(home, 'project', 'data-later'));
    const later = [
      [path.join(home, 'project', 'looks-like-a-project', 'notes'), "another session's own folder"],
      [path.join(home, 'project', 'cloud'), 'hidden folder'],
      [path.join(home, 'project', 'cloud', 'cli'), 'hidden folder'],
      [path.join(home, 'project', 'data-later'), "Switchboard's data folder"],
    ] as const;
    for (const [cwd, why] of later) {
      expect(await core.router.call('schedules.create', job(cwd), mcp), cwd).toMatchObject({ ok: false, error: { message: expect.stringContaining(why) } });
    }
    // A folder that is simply not there yet is still the caller's to name.
    expect(await core.router.call('schedules.create', job(path.join(home, 'project', 'not-yet')), mcp)).toMatchObject({ ok: true, value: { warnings: [expect.stringContaining('does not exist')] } });
  });

  it("holds another session's folder by any other path to it, and through every way in from outside the window", async () => {
    const owners = await core.router.call('sessions.create', { title: 'Owner’s notes' }, desktopCaller);
    if (!owners.ok) throw new Error(owners.error.message);
    const folder = owners.value.cwd;
    fs.mkdirSync(path.join(folder, 'sub'));
    const repo = makeRepo(path.join(home, 'project', 'repo'), { 'a.txt': 'a\n' });
    const tree = await core.router.call('sessions.create', { title: 'In a worktree', cwd: repo, worktree: true }, desktopCaller);
    if (!tree.ok) throw new Error(tree.error.message);
    // The folder of all sessions behind a symlink, its parent named by `..`, a trailing slash, a way round through the data folder.
    fs.symlinkSync(path.join(data, 'sessions'), path.join(home, 'project', 'all-sessions'));
    const paths = [
      `${folder}/`,
      path.join(folder, 'sub') + '/..',
      `${data}/worktrees/../sessions/${owners.value.id}/sub`,
      path.join(home, 'project', 'all-sessions', owners.value.id),
      `${tree.value.cwd}/`,
    ];
    const phone: CallContext = { surface: 'telegram', actor: 'telegram:1001' };
    const made = await core.router.call('schedules.create', job(path.join(home, 'project')), mcp);
    if (!made.ok) throw new Error(made.error.message);
    for (const cwd of paths) {
      expect(await core.router.call('sessions.create', { title: 'x', cwd }, mcp), cwd).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await core.router.call('sessions.create', { title: 'x', cwd }, phone), cwd).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await core.router.call('sessions.ask', { key: `k-${cwd}`, text: 'read plan.md', create: { cwd } }, phone), cwd).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await core.router.call('schedules.update', { id: (made.value as { id: string }).id, cwd }, mcp), cwd).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await core.router.call('schedules.previewPrompt', { command: '{{ notes }}', cwd, sources: [{ kind: 'file', name: 'notes', path: 'plan.md' }] }, mcp), cwd).toMatchObject({ ok: false });
    }
    // A worktree of another session's worktree, from its folder or any folder in it, is refused too.
    expect(await core.router.call('sessions.create', { title: 'x', cwd: `${tree.value.cwd}/`, worktree: true }, mcp)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // Nor can a caller name the id its session (and so its own folder) gets.
    expect(await core.router.call('sessions.create', { title: 'x', id: owners.value.id, cwd: folder } as never, mcp)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(core.sessions.list().filter((s) => s.cwd === folder || s.cwd === tree.value.cwd)).toHaveLength(2);
  });

  it('keeps jobs and their previews out of those folders, and never reads the data folder or the credentials into a prompt', async () => {
    const notes = { sources: [{ kind: 'file', name: 'notes', path: '.switchboard/secrets.json' }] };
    expect(await core.router.call('schedules.create', job(data), mcp)).toMatchObject({ ok: false, error: { message: expect.stringContaining("Switchboard's data folder") } });
    expect(await core.router.call('schedules.create', job(home, notes), mcp)).toMatchObject({ ok: false, error: { message: expect.stringContaining('cwd:') } });
    expect(await core.router.call('schedules.previewPrompt', { command: '{{ notes }}', cwd: home, sources: [{ kind: 'file', name: 'notes', path: '.ssh/id_rsa' }] }, mcp)).toMatchObject({ ok: false });
    // The owner may make a job in home; its file source still cannot read Switchboard's secrets.
    const preview = await core.router.call('schedules.previewPrompt', { command: '{{ notes }}', cwd: home, ...notes }, desktopCaller);
    expect(preview).toMatchObject({ ok: true });
    const value = (preview as { value: { prompt: string; problems: string[] } }).value;
    expect(value.prompt).not.toContain('UI-TOKEN');
    expect(value.problems.join(' ')).toContain("Switchboard's data folder");
  });

  it('holds for a session in a worktree of its own (the folder and its repository) and for any change to a job from outside', async () => {
    const hidden = makeRepo(path.join(home, '.password-store'), { 'bank.gpg': 'secret\n' });
    expect(await core.router.call('sessions.create', { title: 'x', cwd: hidden, worktree: true }, mcp)).toMatchObject({ ok: false, error: { message: expect.stringContaining('hidden folder') } });
    // The owner's job in home: a rename from MCP (that would let MCP run it as a reader of home) is refused.
    const owners = await core.router.call('schedules.create', job(home), desktopCaller);
    expect(owners).toMatchObject({ ok: true });
    const id = (owners as { value: { id: string } }).value.id;
    expect(await core.router.call('schedules.update', { id, name: 'Renamed' }, mcp)).toMatchObject({ ok: false, error: { message: expect.stringContaining('cwd:') } });
  });

  it('a job from outside the window that sends its result to a chat other than the owner’s waits for the owner', async () => {
    const made = await core.router.call('schedules.create', { ...job(path.join(home, 'project')), template: false, command: 'hello', delivery: { desktop: true, chats: [{ surface: 'telegram', target: '6666' }], email: [] } }, mcp);
    expect(made).toMatchObject({ ok: true, value: { approval: expect.objectContaining({ requestedBy: expect.any(String) }) } });
    const toOwner = await core.router.call('schedules.create', { ...job(path.join(home, 'project')), template: false, command: 'hello', delivery: { desktop: true, chats: [{ surface: 'telegram', target: 'owner' }], email: [] } }, mcp);
    expect(toOwner).toMatchObject({ ok: true, value: { approval: null } });
  });
});
