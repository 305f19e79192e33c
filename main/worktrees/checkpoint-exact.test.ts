import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { GIT_TEST_ENV, gitIn, makeRepo, writeFiles } from '../testing/git-repo';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { parseStatus } from './stage';

// A checkpoint is exact: every change of the turn, deletions and new untracked files included, ignored
// files left out, whatever shape the change takes and however fast it follows the last one.

let dir: string;
let repo: string;
let core: Core;

beforeEach(async () => {
  dir = makeTempDir('switchboard-checkpoint-exact-');
  repo = makeRepo(path.join(dir, 'repo'), {
    '.gitignore': 'build/\n*.log\n',
    'README.md': '# project\n',
    'src/a.ts': 'a\n',
    'src/b.ts': 'b\n',
    'becomes-folder': 'a file, for now\n',
    'folder-becomes-file/one.txt': 'one\n',
    'folder-becomes-file/two.txt': 'two\n',
  });
  writeFiles(repo, { 'tracked.log': 'tracked even though ignored\n' });
  gitIn(repo, 'add', '--force', 'tracked.log');
  gitIn(repo, 'commit', '--quiet', '-m', 'a tracked file its ignore pattern matches');
  core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir, ...GIT_TEST_ENV } });
  await core.start();
});

afterEach(async () => {
  await core.stop();
  removeTempDir(dir);
});

async function session(): Promise<SessionSummary> {
  const result = await core.router.call('sessions.create', { title: 'exact', cwd: repo, worktree: true }, desktopCaller);
  if (!result.ok) throw new Error(result.error.message);
  return result.value as SessionSummary;
}

/** The turn's checkpoint, as `git diff --name-status` between what it started from and what it holds. */
async function checkpointed(s: SessionSummary, turn: number): Promise<string[]> {
  await core.worktrees.endTurn(s.id, turn);
  const ref = `refs/switchboard/${s.id}/${turn}`;
  return gitIn(repo, 'diff', '--no-renames', '--name-status', `${ref}^`, ref)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace('\t', ' '))
    .sort();
}

/** The files a checkpoint holds, as paths. */
function tree(s: SessionSummary, turn: number): string[] {
  return gitIn(repo, 'ls-tree', '-r', '--name-only', `refs/switchboard/${s.id}/${turn}`).split('\n').sort();
}

describe('a checkpoint holds exactly the worktree', () => {
  it('new untracked folders, deletions, a file become a folder and a folder a file, ignored files left out, a symlink', async () => {
    const s = await session();
    writeFiles(s.cwd, { 'new/deep/folder/file.ts': 'new\n', 'new/other.ts': 'other\n', 'build/out.js': 'ignored\n', 'debug.log': 'ignored\n', 'tracked.log': 'changed\n' });
    fs.rmSync(path.join(s.cwd, 'src/b.ts'));
    fs.rmSync(path.join(s.cwd, 'becomes-folder'));
    writeFiles(s.cwd, { 'becomes-folder/inside.txt': 'inside\n' });
    fs.rmSync(path.join(s.cwd, 'folder-becomes-file'), { recursive: true });
    writeFiles(s.cwd, { 'folder-becomes-file': 'now a file\n' });
    fs.symlinkSync('README.md', path.join(s.cwd, 'link'));
    expect(await checkpointed(s, 1)).toEqual([
      'A becomes-folder/inside.txt',
      'A folder-becomes-file',
      'A link',
      'A new/deep/folder/file.ts',
      'A new/other.ts',
      'D becomes-folder',
      'D folder-becomes-file/one.txt',
      'D folder-becomes-file/two.txt',
      'D src/b.ts',
      'M tracked.log',
    ]);
    expect(tree(s, 1)).not.toContain('build/out.js');
    expect(gitIn(repo, 'cat-file', '-p', `refs/switchboard/${s.id}/1:link`)).toBe('README.md');
    // The next turn starts from there: back the other way.
    fs.rmSync(path.join(s.cwd, 'new'), { recursive: true });
    fs.rmSync(path.join(s.cwd, 'becomes-folder'), { recursive: true });
    writeFiles(s.cwd, { 'becomes-folder': 'a file again\n' });
    expect(await checkpointed(s, 2)).toEqual(['A becomes-folder', 'D becomes-folder/inside.txt', 'D new/deep/folder/file.ts', 'D new/other.ts']);
  });

  it('a file changed twice within one second, keeping its size, is in each checkpoint (racy git)', async () => {
    const s = await session();
    const file = path.join(s.cwd, 'src/a.ts');
    const seen: string[] = [];
    for (let turn = 1; turn <= 4; turn++) {
      const content = `v${turn}\n`; // the same size every time
      fs.writeFileSync(file, content);
      // The same time stamp as the index written by the last checkpoint, to the second and below.
      const when = new Date(Math.floor(Date.now() / 1000) * 1000);
      fs.utimesSync(file, when, when);
      await core.worktrees.endTurn(s.id, turn);
      seen.push(gitIn(repo, 'show', `refs/switchboard/${s.id}/${turn}:src/a.ts`));
    }
    expect(seen).toEqual(['v1', 'v2', 'v3', 'v4']);
  });

  it('the untracked scan of later checkpoints (from the cache in our index) sees every new file, an un-ignored one, and one whose folder time was set back', async () => {
    const s = await session();
    // Folder times well before the index's, so git trusts its cache of them (a folder as recent as the index is read again anyway).
    const age = () => {
      const old = new Date('2020-01-01T00:00:00Z');
      const walk = (folder: string) => {
        for (const entry of fs.readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) walk(path.join(folder, entry.name));
        fs.utimesSync(folder, old, old);
      };
      walk(s.cwd);
    };
    writeFiles(s.cwd, { 'src/first.ts': 'first\n' });
    age();
    expect(await checkpointed(s, 1)).toEqual(['A src/first.ts']);
    writeFiles(s.cwd, { 'src/second.ts': 'second\n', 'src/deeper/third.ts': 'third\n', 'build/kept-out.js': 'ignored\n' });
    age();
    expect(await checkpointed(s, 2)).toEqual(['A src/deeper/third.ts', 'A src/second.ts']);
    writeFiles(s.cwd, { '.gitignore': '*.log\n' });
    age();
    expect(await checkpointed(s, 3)).toEqual(['A build/kept-out.js', 'M .gitignore']);
    // A program hiding a new file: the folder's times put back as they were before it came (its ctime still moves).
    writeFiles(s.cwd, { 'src/hidden.ts': 'hidden\n' });
    age();
    expect(await checkpointed(s, 4)).toEqual(['A src/hidden.ts']);
    fs.rmSync(path.join(s.cwd, 'src/second.ts'));
    age();
    expect(await checkpointed(s, 5)).toEqual(['D src/second.ts']);
    expect(await checkpointed(s, 6)).toEqual([]);
  });

  it('a nested repository: with a commit it is recorded as git records one; an empty one does not stop the checkpoint', async () => {
    const s = await session();
    makeRepo(path.join(s.cwd, 'vendor/lib'), { 'lib.txt': 'lib\n' });
    fs.mkdirSync(path.join(s.cwd, 'vendor/empty'));
    gitIn(path.join(s.cwd, 'vendor/empty'), 'init', '--quiet');
    writeFiles(s.cwd, { 'plain.txt': 'plain\n' });
    expect(await checkpointed(s, 1)).toEqual(['A plain.txt', 'A vendor/lib']);
    const mode = gitIn(repo, 'ls-tree', `refs/switchboard/${s.id}/1`, 'vendor/lib');
    expect(mode).toMatch(/^160000 commit /);
    const committed = await core.router.call('sessions.commit', { id: s.id, message: 'with a nested repository' }, desktopCaller);
    expect(committed.ok).toBe(true);
    expect(gitIn(s.cwd, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['plain.txt', 'vendor/lib']);
  });

  it('reads status v2 output: tracked changes in the worktree first, new files, nested repositories apart', () => {
    const status = [
      '1 .M N... 100644 100644 100644 aaa aaa src/a.ts',
      '1 .D N... 100644 100644 000000 bbb bbb gone file.txt',
      '1 M. N... 100644 100644 100644 ccc ddd staged only.txt',
      '1 .M SC.. 160000 160000 160000 eee eee vendor/sub',
      'u UU N... 100644 100644 100644 100644 f1 f2 f3 both sides.txt',
      '? new file\nwith a line break',
      '? vendor/lib/',
      '',
    ].join('\0');
    expect(parseStatus(status)).toEqual({
      tracked: ['src/a.ts', 'gone file.txt', 'vendor/sub', 'both sides.txt'],
      untracked: ['new file\nwith a line break'],
      nested: ['vendor/lib'],
    });
  });
});
