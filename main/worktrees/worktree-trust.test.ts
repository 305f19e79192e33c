import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput, Result, SessionSummary } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { GIT_TEST_ENV, gitIn, makeRepo, writeFiles } from '../testing/git-repo';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';

// Claude may edit any file in its worktree without asking (acceptEdits), the worktree's `.git` file too.
// These tests point that file at a git folder of "Claude's" making, whose config and hooks would run a
// program, then run every git job Switchboard has: nothing of it may run, and the jobs act on the real
// repository.

let dir: string;
let repo: string;
let evil: string;
let markers: string;
let core: Core;

beforeEach(async () => {
  dir = makeTempDir('switchboard-worktree-trust-');
  repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# project\n', 'src/app.ts': 'export const a = 1;\n' });
  markers = path.join(dir, 'markers');
  fs.mkdirSync(markers);
  evil = craftGitDir(path.join(dir, 'evil'));
  core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir, ...GIT_TEST_ENV } });
  await core.start();
});

afterEach(async () => {
  await core.stop();
  removeTempDir(dir);
});

/** A script that leaves a marker named after what ran it, then does what git expects of its kind. */
function script(file: string, name: string, body = 'exit 0'): string {
  fs.writeFileSync(file, `#!/bin/sh\necho ran > ${JSON.stringify(path.join(markers, name))}\n${body}\n`, { mode: 0o755 });
  return file;
}

/**
 * A repository whose git folder runs a program from every place git takes one from: core.fsmonitor,
 * core.hooksPath (every hook), a clean/smudge filter and a diff textconv (named by a .gitattributes Claude
 * would write beside), an external diff, a pager, a ssh command; and the same set as includes.
 */
function craftGitDir(folder: string): string {
  makeRepo(folder, { 'README.md': "# Claude's\n" });
  const gitDir = path.join(folder, '.git');
  const hooks = path.join(folder, 'hooks');
  fs.mkdirSync(hooks);
  for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'post-checkout', 'post-merge', 'post-rewrite', 'pre-rebase', 'reference-transaction', 'post-index-change', 'pre-auto-gc']) script(path.join(hooks, hook), `hook-${hook}`);
  fs.cpSync(hooks, path.join(gitDir, 'hooks'), { recursive: true });
  const set = (key: string, value: string) => gitIn(folder, 'config', key, value);
  set('core.fsmonitor', script(path.join(folder, 'fsmonitor.sh'), 'fsmonitor'));
  set('core.hooksPath', hooks);
  set('filter.evil.clean', script(path.join(folder, 'clean.sh'), 'filter-clean', 'cat'));
  set('filter.evil.smudge', script(path.join(folder, 'smudge.sh'), 'filter-smudge', 'cat'));
  set('filter.evil.required', 'true');
  set('diff.evil.textconv', script(path.join(folder, 'textconv.sh'), 'textconv', 'cat "$1"'));
  set('diff.external', script(path.join(folder, 'extdiff.sh'), 'external-diff'));
  set('core.pager', script(path.join(folder, 'pager.sh'), 'pager', 'cat'));
  set('core.sshCommand', script(path.join(folder, 'ssh.sh'), 'ssh'));
  set('merge.evil.driver', script(path.join(folder, 'merge.sh'), 'merge-driver'));
  return gitDir;
}

/** What Claude's Edit tool could do: the worktree's `.git` file pointed at the crafted git folder, and attributes naming its drivers. */
function hijack(tree: string): void {
  fs.writeFileSync(path.join(tree, '.git'), `gitdir: ${evil}\n`);
  writeFiles(tree, { '.gitattributes': '* filter=evil diff=evil merge=evil\n' });
}

function ran(): string[] {
  return fs.readdirSync(markers);
}

async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const result = (await core.router.call(method, input, desktopCaller)) as Result<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function worktreeSession(title: string): Promise<SessionSummary> {
  return call('sessions.create', { title, cwd: repo, worktree: true });
}

describe("a worktree's .git file pointed elsewhere by Claude", () => {
  it('checkpoint, changes, diff, commit, undo, merge and discard run nothing of the crafted git folder and act on the real repository', async () => {
    const s = await worktreeSession('Hijacked');
    const evilHead = gitIn(path.dirname(evil), 'rev-parse', 'HEAD');
    hijack(s.cwd);
    writeFiles(s.cwd, { 'src/app.ts': 'export const a = 2;\n', 'new.txt': 'new\n' });
    await core.worktrees.endTurn(s.id, 1);
    expect(gitIn(repo, 'rev-parse', `refs/switchboard/${s.id}/1`)).toMatch(/^[0-9a-f]{40}$/);
    const turn = await call('sessions.changes', { id: s.id, turn: 1 });
    expect(turn.files.map((f) => f.path).sort()).toEqual(['.gitattributes', 'new.txt', 'src/app.ts']);
    const whole = await call('sessions.changes', { id: s.id });
    expect(whole.totalFiles).toBe(3);
    expect((await call('sessions.diff', { id: s.id, path: 'src/app.ts' })).text).toContain('+export const a = 2;');

    writeFiles(s.cwd, { 'two.txt': 'turn two\n' });
    await core.worktrees.endTurn(s.id, 2);
    expect((await call('sessions.undoTurn', { id: s.id, turn: 2 })).undone).toBe(1);
    expect(fs.existsSync(path.join(s.cwd, 'two.txt'))).toBe(false);

    const committed = await call('sessions.commit', { id: s.id, message: 'from the hijacked tree' });
    expect(committed.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(gitIn(repo, 'log', '-1', '--format=%s', s.worktree!.branch)).toBe('from the hijacked tree');

    writeFiles(repo, { 'base.txt': 'the base moved on\n' });
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'base moved');
    const merged = await call('sessions.merge', { id: s.id, strategy: 'rebase' });
    expect(merged).toMatchObject({ merged: true });
    expect(gitIn(repo, 'rev-parse', 'main')).toBe(merged.commit);
    expect(fs.readFileSync(path.join(repo, 'new.txt'), 'utf8')).toBe('new\n');

    writeFiles(s.cwd, { 'later.txt': 'to be thrown away\n' });
    await call('sessions.discard', { id: s.id });
    expect(fs.existsSync(path.join(s.cwd, 'later.txt'))).toBe(false);

    await call('sessions.delete', { id: s.id, discardChanges: true });
    expect(fs.existsSync(s.cwd)).toBe(false);
    expect(gitIn(repo, 'branch', '--list', 'switchboard/*')).toBe('');

    expect(ran()).toEqual([]);
    // Claude's repository was not touched either: no checkpoint ref, no commit.
    expect(gitIn(path.dirname(evil), 'rev-parse', 'HEAD')).toBe(evilHead);
    expect(gitIn(path.dirname(evil), 'for-each-ref', 'refs/switchboard/')).toBe('');
  });

  it('a merge and squash with the base checked out, a conflict, and a new session from the repository run nothing either', async () => {
    const s = await worktreeSession('Squashed');
    hijack(s.cwd);
    writeFiles(s.cwd, { 'README.md': '# changed by the session\n' });
    await core.worktrees.endTurn(s.id, 1);
    writeFiles(repo, { 'README.md': '# changed on the base\n' });
    gitIn(repo, 'commit', '--quiet', '-am', 'base changed the readme');
    const conflict = await call('sessions.merge', { id: s.id, strategy: 'merge' });
    expect(conflict).toMatchObject({ merged: false, conflicts: [{ path: 'README.md' }] });
    const rebase = await call('sessions.merge', { id: s.id, strategy: 'rebase' });
    expect(rebase.conflicts.map((c) => c.path)).toEqual(['README.md']);
    gitIn(repo, 'reset', '--quiet', '--hard', 'HEAD~1');
    const squashed = await call('sessions.merge', { id: s.id, strategy: 'squash' });
    expect(squashed).toMatchObject({ merged: true });
    expect(fs.readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('# changed by the session\n');
    const refused = (await core.router.call('sessions.create', { title: 'from the tree', cwd: s.cwd, worktree: true }, desktopCaller)) as Result<unknown>;
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/another Switchboard session's worktree/) } });
    expect(ran()).toEqual([]);
  });

  it("a nested repository of Claude's making (its own .git folder and config) runs nothing on commit, status or delete", async () => {
    const s = await worktreeSession('Nested');
    const nested = path.join(s.cwd, 'vendor', 'lib');
    makeRepo(nested, { 'lib.txt': 'lib\n' });
    gitIn(nested, 'config', 'filter.evil.clean', script(path.join(dir, 'nested-clean.sh'), 'nested-filter', 'cat'));
    gitIn(nested, 'config', 'core.fsmonitor', script(path.join(dir, 'nested-fsmonitor.sh'), 'nested-fsmonitor'));
    writeFiles(nested, { '.gitattributes': '* filter=evil\n' });
    await core.worktrees.endTurn(s.id, 1);
    await call('sessions.commit', { id: s.id, message: 'with a nested repository' });
    // Same size, new time: git in the nested repository would have to hash it, through its filter.
    writeFiles(nested, { 'lib.txt': 'LIB\n' });
    await call('sessions.changes', { id: s.id });
    const guarded = (await core.router.call('sessions.delete', { id: s.id }, desktopCaller)) as Result<unknown>;
    expect(guarded.ok).toBe(false);
    expect(ran()).toEqual([]);
  });

  it('a .git file deleted or made garbage: the jobs still act on the real repository', async () => {
    const s = await worktreeSession('Damaged');
    fs.writeFileSync(path.join(s.cwd, '.git'), 'not a git file at all\n');
    writeFiles(s.cwd, { 'made.txt': 'made\n' });
    await core.worktrees.endTurn(s.id, 1);
    expect((await call('sessions.changes', { id: s.id, turn: 1 })).files.map((f) => f.path)).toEqual(['made.txt']);
    fs.rmSync(path.join(s.cwd, '.git'));
    expect((await call('sessions.commit', { id: s.id })).commit).toMatch(/^[0-9a-f]{40}$/);
    expect(gitIn(repo, 'show', '--name-only', '--format=', s.worktree!.branch)).toBe('made.txt');
  });

  it("git variables inherited from Switchboard's own environment (GIT_DIR, GIT_INDEX_FILE…) do not redirect its git", async () => {
    await core.stop();
    const misdirect = { GIT_DIR: evil, GIT_WORK_TREE: path.dirname(evil), GIT_INDEX_FILE: path.join(evil, 'index'), GIT_OBJECT_DIRECTORY: path.join(evil, 'objects'), GIT_CONFIG_PARAMETERS: "'core.fsmonitor'='/bin/false'" };
    core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir, ...GIT_TEST_ENV, ...misdirect } });
    await core.start();
    const s = await worktreeSession('Inherited');
    writeFiles(s.cwd, { 'made.txt': 'made\n' });
    await core.worktrees.endTurn(s.id, 1);
    expect((await call('sessions.changes', { id: s.id, turn: 1 })).files.map((f) => f.path)).toEqual(['made.txt']);
    expect(gitIn(repo, 'rev-parse', `refs/switchboard/${s.id}/1`)).toMatch(/^[0-9a-f]{40}$/);
    expect(gitIn(path.dirname(evil), 'for-each-ref', 'refs/switchboard/')).toBe('');
    expect(ran()).toEqual([]);
  });

  it("says in words when the repository no longer lists the worktree (its record pruned), and runs nothing there", async () => {
    const s = await worktreeSession('Pruned');
    writeFiles(s.cwd, { 'x.txt': 'x\n' });
    fs.rmSync(path.join(repo, '.git', 'worktrees', path.basename(s.cwd)), { recursive: true });
    hijack(s.cwd);
    const result = (await core.router.call('sessions.changes', { id: s.id }, desktopCaller)) as Result<unknown>;
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/no longer lists the session's worktree/) } });
    const merge = (await core.router.call('sessions.merge', { id: s.id, strategy: 'merge' }, desktopCaller)) as Result<unknown>;
    expect(merge).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no longer lists.*Nothing was merged/) } });
    expect(ran()).toEqual([]);
  });
});
