import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVIEW_APPROVAL_TOOL, type MethodInput, type MethodName, type MethodOutput, type Result, type SessionSummary } from '../../contract';
import type { Core } from '../core';
import { desktopCaller, type CallContext } from '../ipc/router';
import { commitAll, GIT_TEST_ENV, gitIn, makeRepo, writeFiles } from '../testing/git-repo';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { nextEvent } from '../testing/wait';
import { parseRawNumstat } from './raw-diff';
import { branchSlug } from './worktree-service';

let dir: string;
let repo: string;
let core: Core;

beforeEach(async () => {
  dir = makeTempDir('switchboard-worktrees-');
  repo = makeRepo(path.join(dir, 'repo'), {
    'README.md': '# project\n',
    'src/app.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n',
    'old-name.txt': 'a file that will move\nline two\nline three\n',
    'gone.txt': 'to be deleted\n',
    'windows.txt': 'line one\r\nline two\r\nline three\r\n',
  });
  core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir, ...GIT_TEST_ENV } });
  await core.start();
});

afterEach(async () => {
  await core.stop();
  removeTempDir(dir);
});

async function call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext = desktopCaller): Promise<MethodOutput<M>> {
  const result = (await core.router.call(method, input, ctx)) as Result<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function refused(method: MethodName, input: unknown, ctx: CallContext = desktopCaller): Promise<{ code: string; message: string }> {
  const result = (await core.router.call(method, input, ctx)) as Result<unknown>;
  if (result.ok) throw new Error(`${method} was not refused`);
  return result.error;
}

async function worktreeSession(title: string, extra: Partial<MethodInput<'sessions.create'>> = {}): Promise<SessionSummary> {
  return call('sessions.create', { title, cwd: repo, worktree: true, ...extra });
}

/** One turn's work as Claude would leave it, then its checkpoint (what the end of a turn does). */
async function turn(session: SessionSummary, seq: number, work: () => void) {
  work();
  return core.worktrees.endTurn(session.id, seq);
}

describe('a session in a worktree of its own', () => {
  it('two sessions in one repository each get their own tree and branch, from the current branch; the repository is untouched', async () => {
    const one = await worktreeSession('Fix the login page');
    const two = await worktreeSession('Fix the login page');
    expect(one.worktree).toMatchObject({ repo: fs.realpathSync(repo), baseBranch: 'main', branch: 'switchboard/fix-the-login-page' });
    expect(two.worktree!.branch).toBe('switchboard/fix-the-login-page-2');
    expect(one.cwd).toBe(path.join(dir, 'data', 'worktrees', one.id));
    expect(two.cwd).not.toBe(one.cwd);
    writeFiles(one.cwd, { 'src/app.ts': 'export const a = 10;\n' });
    expect(fs.readFileSync(path.join(two.cwd, 'src/app.ts'), 'utf8')).toContain('export const b = 2;');
    expect(fs.readFileSync(path.join(repo, 'src/app.ts'), 'utf8')).toContain('export const b = 2;');
    expect(gitIn(repo, 'worktree', 'list')).toContain(one.cwd);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(gitIn(repo, 'branch', '--show-current')).toBe('main');
  });

  it('starts from a chosen base branch', async () => {
    gitIn(repo, 'branch', 'release');
    const s = await worktreeSession('From release', { baseBranch: 'release' });
    expect(s.worktree!.baseBranch).toBe('release');
    expect(gitIn(s.cwd, 'branch', '--show-current')).toBe('switchboard/from-release');
  });

  it('refuses in words: not a repository, an unknown branch, a turn with no checkpoint, a path outside the tree, a session without a worktree', async () => {
    const plain = path.join(dir, 'plain');
    fs.mkdirSync(plain);
    expect((await refused('sessions.create', { cwd: plain, worktree: true })).message).toMatch(/is not in a git repository/);
    expect((await refused('sessions.create', { cwd: repo, worktree: true, baseBranch: 'nope' })).message).toMatch(/has no branch named nope/);
    expect((await refused('sessions.create', { cwd: repo, baseBranch: 'main' })).message).toMatch(/add worktree: true/);
    expect((await refused('sessions.create', { worktree: true })).message).toMatch(/needs the repository/);
    const s = await worktreeSession('Bad input');
    const noTurn = await refused('sessions.changes', { id: s.id, turn: 7 });
    expect(noTurn).toMatchObject({ code: 'not_found' });
    expect(noTurn.message).toMatch(/no turn 7/);
    expect((await refused('sessions.diff', { id: s.id, path: '../repo/README.md' })).message).toMatch(/outside the session's worktree/);
    expect((await refused('sessions.diff', { id: s.id, path: '/etc/passwd' })).message).toMatch(/outside the session's worktree/);
    const without = await call('sessions.create', { cwd: repo });
    expect(without.worktree).toBeNull();
    expect((await refused('sessions.changes', { id: without.id })).message).toMatch(/does not run in a git worktree/);
    expect((await refused('sessions.changes', { id: 'nope' })).code).toBe('not_found');
  });
});

describe('checkpoints and changes', () => {
  it('lists a turn with a modified, added, deleted, renamed, binary and CRLF file, and leaves the index alone', async () => {
    const s = await worktreeSession('Many kinds');
    const indexBefore = fs.readFileSync(path.join(repo, '.git', 'worktrees', path.basename(s.cwd), 'index'));
    const changed = nextEvent(core.events, 'sessions.changesChanged', (e) => e.sessionId === s.id && e.turn === 1);
    await turn(s, 1, () => {
      writeFiles(s.cwd, {
        'src/app.ts': 'export const a = 1;\nexport const b = 20;\nexport const c = 3;\nexport const d = 4;\n',
        'src/new.ts': 'export const added = true;\n',
        'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 255]),
        'windows.txt': 'line one\r\nline 2\r\nline three\r\n',
      });
      fs.rmSync(path.join(s.cwd, 'gone.txt'));
      fs.renameSync(path.join(s.cwd, 'old-name.txt'), path.join(s.cwd, 'new-name.txt'));
    });
    expect(await changed).toMatchObject({ totalFiles: 6 });
    const changes = await call('sessions.changes', { id: s.id, turn: 1 });
    const byPath = Object.fromEntries(changes.files.map((f) => [f.path, f]));
    expect(byPath['src/app.ts']).toMatchObject({ status: 'modified', additions: 2, deletions: 1, binary: false });
    expect(byPath['src/new.ts']).toMatchObject({ status: 'added', additions: 1, deletions: 0 });
    expect(byPath['gone.txt']).toMatchObject({ status: 'deleted', deletions: 1 });
    expect(byPath['new-name.txt']).toMatchObject({ status: 'renamed', renamedFrom: 'old-name.txt' });
    expect(byPath['logo.png']).toMatchObject({ status: 'added', binary: true, additions: 0 });
    expect(byPath['windows.txt']).toMatchObject({ status: 'modified', additions: 1, deletions: 1 });
    expect(changes).toMatchObject({ totalFiles: 6, baseBranch: 'main', turns: [1], problem: null });
    // The worktree's own index is as checkout left it: checkpoints go through a temporary one.
    expect(fs.readFileSync(path.join(repo, '.git', 'worktrees', path.basename(s.cwd), 'index')).equals(indexBefore)).toBe(true);
    expect(gitIn(repo, 'rev-parse', `refs/switchboard/${s.id}/1`)).toMatch(/^[0-9a-f]{40}$/);

    const diff = await call('sessions.diff', { id: s.id, turn: 1, path: 'windows.txt' });
    expect(diff.text).toContain('-line two\r');
    expect(diff.text).toContain('+line 2\r');
    const renamed = await call('sessions.diff', { id: s.id, path: 'new-name.txt' });
    expect(renamed.text).toContain('rename from old-name.txt');
    const binary = await call('sessions.diff', { id: s.id, path: 'logo.png' });
    expect(binary.text).toMatch(/Binary files/);

    // Paged: files and diff lines.
    const page = await call('sessions.changes', { id: s.id, limit: 2 });
    expect(page).toMatchObject({ totalFiles: 6, nextOffset: 2 });
    expect(page.files).toHaveLength(2);
    const lines = await call('sessions.diff', { id: s.id, limit: 5 });
    expect(lines).toMatchObject({ lines: 5, nextOffset: 5 });
    const rest = await call('sessions.diff', { id: s.id, offset: 5, limit: 10_000 });
    expect(rest.nextOffset).toBeNull();
    expect((await call('sessions.diff', { id: s.id, limit: 10_000 })).text).toBe(lines.text + rest.text);
  });

  it('shows each turn against the one before, and the whole session against the base', async () => {
    const s = await worktreeSession('Two turns');
    await turn(s, 1, () => writeFiles(s.cwd, { 'one.txt': 'one\n' }));
    await turn(s, 2, () => writeFiles(s.cwd, { 'two.txt': 'two\n' }));
    expect((await call('sessions.changes', { id: s.id, turn: 2 })).files.map((f) => f.path)).toEqual(['two.txt']);
    expect((await call('sessions.changes', { id: s.id })).files.map((f) => f.path).sort()).toEqual(['one.txt', 'two.txt']);
    writeFiles(s.cwd, { 'live.txt': 'not yet checkpointed\n' });
    expect((await call('sessions.changes', { id: s.id })).totalFiles).toBe(3);
  });

  it('undoes one turn: the files it changed back as they were (bytes, CRLF too), a later turn kept', async () => {
    const s = await worktreeSession('Undo');
    const crlf = fs.readFileSync(path.join(s.cwd, 'windows.txt'));
    await turn(s, 1, () => {
      writeFiles(s.cwd, { 'windows.txt': 'changed\r\n', 'made-in-one.txt': 'x\n' });
      fs.rmSync(path.join(s.cwd, 'gone.txt'));
    });
    await turn(s, 2, () => writeFiles(s.cwd, { 'README.md': '# changed in two\n' }));
    const undone = await call('sessions.undoTurn', { id: s.id, turn: 1 });
    expect(undone.undone).toBe(3);
    expect(fs.readFileSync(path.join(s.cwd, 'windows.txt')).equals(crlf)).toBe(true);
    expect(fs.existsSync(path.join(s.cwd, 'made-in-one.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(s.cwd, 'gone.txt'), 'utf8')).toBe('to be deleted\n');
    expect(fs.readFileSync(path.join(s.cwd, 'README.md'), 'utf8')).toBe('# changed in two\n');
    expect((await call('sessions.changes', { id: s.id })).files.map((f) => f.path)).toEqual(['README.md']);
    // The next turn is compared with what the undo left.
    await turn(s, 3, () => writeFiles(s.cwd, { 'three.txt': '3\n' }));
    expect((await call('sessions.changes', { id: s.id, turn: 3 })).files.map((f) => f.path)).toEqual(['three.txt']);
  });
});

describe('merge, squash, rebase, discard', () => {
  it('merges with a merge commit: the base checked out in the repository fast-forwards to it', async () => {
    const s = await worktreeSession('Add feature');
    await turn(s, 1, () => writeFiles(s.cwd, { 'feature.txt': 'feature\n' }));
    const before = gitIn(repo, 'rev-parse', 'main');
    const result = await call('sessions.merge', { id: s.id, strategy: 'merge' });
    expect(result).toMatchObject({ merged: true, conflicts: [] });
    expect(gitIn(repo, 'rev-parse', 'main')).toBe(result.commit);
    expect(gitIn(repo, 'rev-list', '--parents', '-n', '1', 'main').split(' ')).toHaveLength(3);
    expect(gitIn(repo, 'rev-parse', 'main^1')).toBe(before);
    expect(fs.readFileSync(path.join(repo, 'feature.txt'), 'utf8')).toBe('feature\n');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect((await call('sessions.changes', { id: s.id })).totalFiles).toBe(0);
  });

  it('squashes into one commit on the base, with the base moved on meanwhile (other files)', async () => {
    const s = await worktreeSession('Squash me');
    await turn(s, 1, () => writeFiles(s.cwd, { 'a.txt': 'a\n' }));
    await call('sessions.commit', { id: s.id, message: 'first part' });
    await turn(s, 2, () => writeFiles(s.cwd, { 'b.txt': 'b\n' }));
    writeFiles(repo, { 'base.txt': 'the base moved on\n' });
    const moved = commitAll(repo, 'base moved');
    const result = await call('sessions.merge', { id: s.id, strategy: 'squash' });
    expect(result.merged).toBe(true);
    expect(gitIn(repo, 'rev-parse', 'main^')).toBe(moved);
    expect(gitIn(repo, 'rev-list', '--parents', '-n', '1', 'main').split(' ')).toHaveLength(2);
    expect(gitIn(repo, 'show', '--name-only', '--format=', 'main').split('\n').sort()).toEqual(['a.txt', 'b.txt']);
    expect(fs.existsSync(path.join(s.cwd, 'base.txt'))).toBe(true);
  });

  it('rebases onto a base that moved on, and fast-forwards the base (not checked out anywhere)', async () => {
    gitIn(repo, 'branch', 'develop');
    const s = await worktreeSession('Rebase me', { baseBranch: 'develop' });
    await turn(s, 1, () => writeFiles(s.cwd, { 'mine.txt': 'mine\n' }));
    await call('sessions.commit', { id: s.id });
    gitIn(repo, 'checkout', '--quiet', 'develop');
    writeFiles(repo, { 'theirs.txt': 'theirs\n' });
    const theirs = commitAll(repo, 'theirs');
    gitIn(repo, 'checkout', '--quiet', 'main');
    const result = await call('sessions.merge', { id: s.id, strategy: 'rebase' });
    expect(result.merged).toBe(true);
    expect(gitIn(repo, 'rev-parse', 'develop^')).toBe(theirs);
    expect(gitIn(repo, 'log', '--format=%s', '-1', 'develop')).toBe('Rebase me');
    expect(gitIn(repo, 'rev-parse', 'main')).not.toBe(gitIn(repo, 'rev-parse', 'develop'));
  });

  it('stops on a conflict because the base moved on: files listed, nothing changed on either side', async () => {
    const s = await worktreeSession('Conflicting');
    await turn(s, 1, () => writeFiles(s.cwd, { 'src/app.ts': 'export const a = "session";\n' }));
    writeFiles(repo, { 'src/app.ts': 'export const a = "base";\n' });
    const baseTip = commitAll(repo, 'base edits app');
    for (const strategy of ['merge', 'squash', 'rebase'] as const) {
      const result = await call('sessions.merge', { id: s.id, strategy });
      expect(result).toMatchObject({ merged: false, commit: null, conflicts: [{ path: 'src/app.ts', reason: 'changed on both sides' }] });
      expect(result.message).toMatch(/main moved on, and 1 file could not be merged: src\/app.ts.*Nothing was changed/);
      expect(gitIn(repo, 'rev-parse', 'main')).toBe(baseTip);
      expect(gitIn(s.cwd, 'status', '--porcelain')).toBe('');
      expect(fs.readFileSync(path.join(s.cwd, 'src/app.ts'), 'utf8')).toContain('"session"');
    }
  });

  it('discards: the worktree back at the base, checkpoints gone', async () => {
    const s = await worktreeSession('Throw away');
    await turn(s, 1, () => writeFiles(s.cwd, { 'junk.txt': 'junk\n', 'README.md': 'changed\n' }));
    await call('sessions.commit', { id: s.id });
    writeFiles(s.cwd, { 'more-junk.txt': 'more\n' });
    await call('sessions.discard', { id: s.id });
    expect(fs.existsSync(path.join(s.cwd, 'junk.txt'))).toBe(false);
    expect(fs.existsSync(path.join(s.cwd, 'more-junk.txt'))).toBe(false);
    expect(gitIn(s.cwd, 'rev-parse', 'HEAD')).toBe(gitIn(repo, 'rev-parse', 'main'));
    expect(gitIn(repo, 'for-each-ref', `refs/switchboard/${s.id}/`)).toBe('');
    expect((await call('sessions.changes', { id: s.id })).turns).toEqual([]);
  });

  it('from a chat or MCP, merge waits for the owner through the broker; a no changes nothing', async () => {
    const s = await worktreeSession('Asked from a phone');
    await turn(s, 1, () => writeFiles(s.cwd, { 'phone.txt': 'p\n' }));
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const merging = core.router.call('sessions.merge', { id: s.id, strategy: 'squash' }, { surface: 'telegram', actor: 'telegram:1001' });
    const question = await asked;
    expect(question.input).toMatchObject({ action: 'merge', sessionId: s.id, summary: '1 file changed, +1 −0', requestedBy: 'Telegram user 1001' });
    // Whoever asked cannot give the owner's word themselves.
    expect(await refused('approvals.answer', { id: question.id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:1001' })).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('You asked for this yourself') });
    const main = gitIn(repo, 'rev-parse', 'main');
    await call('approvals.answer', { id: question.id, decision: 'deny' });
    expect(await merging).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(gitIn(repo, 'rev-parse', 'main')).toBe(main);

    const again = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const merging2 = core.router.call('sessions.discard', { id: s.id }, { surface: 'mcp', actor: 'mcp:inspector' });
    await call('approvals.answer', { id: (await again).id, decision: 'once' });
    expect(await merging2).toMatchObject({ ok: true });
    expect(fs.existsSync(path.join(s.cwd, 'phone.txt'))).toBe(false);
  });

  it('a commit from outside the window waits for the owner too; the owner commits at once', async () => {
    const s = await worktreeSession('Committed from MCP');
    writeFiles(s.cwd, { 'mcp.txt': 'm\n' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const committing = core.router.call('sessions.commit', { id: s.id, message: 'from MCP' }, { surface: 'mcp', actor: 'mcp:inspector' });
    const question = await asked;
    expect(question.input).toMatchObject({ action: 'commit', sessionId: s.id });
    const before = gitIn(s.cwd, 'rev-parse', 'HEAD');
    await call('approvals.answer', { id: question.id, decision: 'deny' });
    expect(await committing).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(gitIn(s.cwd, 'rev-parse', 'HEAD')).toBe(before);
    await call('sessions.commit', { id: s.id, message: 'by the owner' });
    expect(gitIn(s.cwd, 'log', '-1', '--format=%s')).toBe('by the owner');
  });
});

describe('deleting, and a repository changed meanwhile', () => {
  it('keeps unmerged work unless told; a merged session leaves no tree or branch', async () => {
    const s = await worktreeSession('Unmerged');
    writeFiles(s.cwd, { 'wip.txt': 'work in progress\n' });
    const kept = await refused('sessions.delete', { id: s.id });
    expect(kept.code).toBe('conflict');
    expect(kept.message).toMatch(/switchboard\/unmerged has 1 file changed and not committed.*discardChanges/);
    await call('sessions.delete', { id: s.id, discardChanges: true });
    expect(fs.existsSync(s.cwd)).toBe(false);
    expect(gitIn(repo, 'branch', '--list', 'switchboard/*')).toBe('');

    const merged = await worktreeSession('Merged');
    writeFiles(merged.cwd, { 'done.txt': 'done\n' });
    await call('sessions.merge', { id: merged.id, strategy: 'squash' });
    await call('sessions.delete', { id: merged.id });
    expect(fs.existsSync(merged.cwd)).toBe(false);
    expect(gitIn(repo, 'branch', '--list', 'switchboard/*')).toBe('');
    expect(gitIn(repo, 'worktree', 'list')).not.toContain(merged.cwd);
  });

  it("lists the worktrees kept for a deleted session's unmerged work; only the owner removes one, and it goes with its branch", async () => {
    const s = await worktreeSession('Kept work');
    writeFiles(s.cwd, { 'wip.txt': 'work in progress\n' });
    // Deleted while Switchboard was stopped (as a session can be by the manager alone): the next start keeps its tree.
    await core.sessions.delete(s.id);
    await core.stop();
    core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir, ...GIT_TEST_ENV } });
    const swept = nextEvent(core.events, 'sessions.keptWorktreesChanged', () => true, 20_000);
    await core.start();
    await swept;
    const kept = await call('sessions.keptWorktrees', {});
    expect(kept).toMatchObject([{ sessionId: s.id, branch: 'switchboard/kept-work', baseBranch: 'main', path: s.cwd, unmerged: 'switchboard/kept-work has 1 file changed and not committed', problem: null }]);
    const fromChat = await refused('sessions.removeKeptWorktree', { sessionId: s.id }, { surface: 'telegram', actor: 'telegram:42' });
    expect(fromChat).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/Only you, in Switchboard's window.*Nothing was removed/) });
    expect(fs.existsSync(path.join(s.cwd, 'wip.txt'))).toBe(true);
    const live = await worktreeSession('Still alive');
    expect((await refused('sessions.removeKeptWorktree', { sessionId: live.id })).code).toBe('conflict');
    const removed = await call('sessions.removeKeptWorktree', { sessionId: s.id });
    expect(removed.message).toMatch(/Removed the worktree and switchboard\/kept-work/);
    expect(fs.existsSync(s.cwd)).toBe(false);
    expect(gitIn(repo, 'branch', '--list', 'switchboard/kept-work')).toBe('');
    expect(await call('sessions.keptWorktrees', {})).toEqual([]);
  });

  it('says in words when the base branch was deleted or the repository moved', async () => {
    gitIn(repo, 'branch', 'short-lived');
    const s = await worktreeSession('Orphan', { baseBranch: 'short-lived' });
    writeFiles(s.cwd, { 'x.txt': 'x\n' });
    gitIn(repo, 'branch', '-D', 'short-lived');
    const changes = await call('sessions.changes', { id: s.id });
    expect(changes.problem).toMatch(/The branch short-lived no longer exists/);
    expect(changes.files.map((f) => f.path)).toEqual(['x.txt']);
    expect((await refused('sessions.merge', { id: s.id, strategy: 'merge' })).message).toMatch(/no longer exists.*Nothing was merged/);
    fs.renameSync(repo, path.join(dir, 'moved'));
    expect((await refused('sessions.changes', { id: s.id })).message).toMatch(/no longer at .*moved or deleted/);
  });
});

describe('pure parts', () => {
  it('reads git raw + numstat output, renames and binaries included', () => {
    const out = [':100644 100644 aaa bbb M', 'a.txt', ':000000 100644 000 ccc A', 'b.bin', ':100644 100644 ddd eee R090', 'old.txt', 'new.txt', '3\t1\ta.txt', '-\t-\tb.bin', '2\t2\t', 'old.txt', 'new.txt', ''].join('\0');
    expect(parseRawNumstat(out)).toEqual([
      { path: 'a.txt', status: 'modified', additions: 3, deletions: 1, binary: false, renamedFrom: null },
      { path: 'b.bin', status: 'added', additions: 0, deletions: 0, binary: true, renamedFrom: null },
      { path: 'new.txt', status: 'renamed', additions: 2, deletions: 2, binary: false, renamedFrom: 'old.txt' },
    ]);
  });
  it('makes branch names from titles', () => {
    expect(branchSlug('Fix the Login page!')).toBe('fix-the-login-page');
    expect(branchSlug('Ünïcödé')).toBe('unicode');
    expect(branchSlug('???')).toBe('session');
  });
});
