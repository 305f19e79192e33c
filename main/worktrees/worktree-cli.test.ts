import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { startHarness, type Harness } from '../testing/claude-harness';
import { commitAll, GIT_TEST_ENV, gitIn, makeRepo, writeFiles } from '../testing/git-repo';
import { nextEvent } from '../testing/wait';

let h: Harness;
let repo: string;

beforeEach(async () => {
  h = await startHarness({ env: GIT_TEST_ENV });
  repo = makeRepo(path.join(h.dir, 'repo'), { 'src/greet.ts': 'export const greeting = "hello";\nexport const name = "world";\n' });
});

afterEach(async () => {
  await h.close();
});

describe('the real CLI in a worktree', () => {
  it("writes and edits through Claude's Write and Edit tools; each turn's checkpoint shows what it did, and one turn can be undone", async () => {
    const created = await h.core.router.call('sessions.create', { title: 'Greeter', cwd: repo, worktree: true, permissionPolicy: 'acceptEdits' }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const s = created.value as { id: string; cwd: string };
    const file = path.join(s.cwd, 'src/farewell.ts');

    h.api.reply({ kind: 'tool', name: 'Write', input: { file_path: file, content: 'export const bye = "goodbye";\n' } }, { kind: 'text', text: 'Wrote it.' });
    const first = nextEvent(h.core.events, 'sessions.changesChanged', (e) => e.sessionId === s.id && e.turn === 1, 45_000);
    const turn1 = h.core.sessions.send(s.id, 'add a farewell', desktopCaller);
    expect((await h.turnEnded(turn1.id)).status).toBe('done');
    expect(await first).toMatchObject({ totalFiles: 1, additions: 1, deletions: 0 });

    const greet = path.join(s.cwd, 'src/greet.ts');
    h.api.reply({ kind: 'tool', name: 'Read', input: { file_path: greet } }, { kind: 'tool', name: 'Edit', input: { file_path: greet, old_string: '"hello"', new_string: '"hi there"' } }, { kind: 'text', text: 'Edited.' });
    const second = nextEvent(h.core.events, 'sessions.changesChanged', (e) => e.sessionId === s.id && e.turn === 2, 45_000);
    const turn2 = h.core.sessions.send(s.id, 'say hi there', desktopCaller);
    expect((await h.turnEnded(turn2.id)).status).toBe('done');
    expect(await second).toMatchObject({ totalFiles: 1, additions: 1, deletions: 1 });

    // The CLI's own patch of the Edit is kept with its result: the transcript shows it as a diff with real line numbers.
    const results = h.core.sessions.transcript(s.id, 100).messages.filter((m) => m.kind === 'tool_result');
    expect(results.map((m) => (m.data as { patch?: unknown }).patch)).toContainEqual({ filePath: greet, hunks: [expect.objectContaining({ oldStart: 1, newStart: 1, lines: expect.arrayContaining(['-export const greeting = "hello";', '+export const greeting = "hi there";']) })] });

    const changes = await h.core.worktrees.changes(s.id, { turn: 2 });
    expect(changes.files).toMatchObject([{ path: 'src/greet.ts', status: 'modified' }]);
    expect((await h.core.worktrees.diff(s.id, { turn: 2 })).text).toContain('+export const greeting = "hi there";');
    expect((await h.core.worktrees.changes(s.id)).files.map((f) => f.path).sort()).toEqual(['src/farewell.ts', 'src/greet.ts']);
    // The user's repository saw none of it.
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(fs.existsSync(path.join(repo, 'src/farewell.ts'))).toBe(false);

    await h.core.worktrees.undoTurn(s.id, 1);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(greet, 'utf8')).toContain('"hi there"');
  }, 120_000);

  it('runs a Claude job in a worktree of its own and delivers what it changed with the result', async () => {
    const created = await h.core.router.call(
      'schedules.create',
      { name: 'Nightly notes', kind: 'claude', cron: '0 3 * * *', command: 'write the notes', cwd: repo, worktree: true, permissionPolicy: 'acceptEdits' },
      desktopCaller,
    );
    if (!created.ok) throw new Error(created.error.message);
    const job = created.value as { id: string };
    h.api.respond((request) => {
      const cwd = /worktrees\/[0-9a-f-]{36}/.exec(JSON.stringify(request.body))?.[0];
      return cwd && !h.api.requests.some((r) => JSON.stringify(r.body).includes('tool_result'))
        ? { kind: 'tool', name: 'Write', input: { file_path: path.join(h.dir, 'data', cwd, 'NOTES.md'), content: '# Notes\n' } }
        : { kind: 'text', text: 'Notes written.' };
    });
    const ended = nextEvent(h.core.events, 'schedules.run', (r) => r.jobId === job.id && r.status !== 'running', 60_000);
    h.core.scheduler.runNow(job.id);
    const run = await ended;
    expect(run.status).toBe('ok');
    expect(run.resultText).toMatch(/Notes written\.\n\n1 file changed, \+1 −0 on switchboard\/job-nightly-notes-.* \(from main\)/);
    const session = h.core.sessions.get(run.sessionId!);
    expect(session.worktree).toMatchObject({ baseBranch: 'main' });
    expect(fs.readFileSync(path.join(session.cwd, 'NOTES.md'), 'utf8')).toBe('# Notes\n');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
  }, 120_000);
  it("holds the next queued message until the finished turn's checkpoint is written: each turn's checkpoint has its own files only", async () => {
    // A checkpoint that takes a second (git runs this clean filter on each .txt it hashes): without the hold,
    // the second turn's write would land in the first turn's checkpoint.
    gitIn(repo, 'config', 'filter.slow.clean', 'sleep 1; cat');
    writeFiles(repo, { '.gitattributes': '*.txt filter=slow\n' });
    commitAll(repo, 'slow filter');
    const created = await h.core.router.call('sessions.create', { title: 'Queued', cwd: repo, worktree: true, permissionPolicy: 'acceptEdits' }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const s = created.value as { id: string; cwd: string };
    const checkpointed = (turn: number) => h.core.storage.db.prepare('SELECT 1 FROM session_checkpoints WHERE session_id = ? AND turn = ?').get(s.id, turn) !== undefined;
    h.api.reply({ kind: 'tool', name: 'Write', input: { file_path: path.join(s.cwd, 'one.txt'), content: 'one\n' } }, { kind: 'text', text: 'First done.' });
    let firstWrittenBeforeSecondStarted: boolean | null = null;
    h.api.respond(() => {
      if (firstWrittenBeforeSecondStarted === null) {
        firstWrittenBeforeSecondStarted = checkpointed(1);
        return { kind: 'tool', name: 'Write', input: { file_path: path.join(s.cwd, 'two.txt'), content: 'two\n' } };
      }
      return { kind: 'text', text: 'Second done.' };
    });
    const counted = nextEvent(h.core.events, 'sessions.changesChanged', (e) => e.sessionId === s.id && e.turn === 2, 60_000);
    const one = h.core.sessions.send(s.id, 'write one', desktopCaller);
    const two = h.core.sessions.send(s.id, 'write two', desktopCaller);
    expect(two.status).toBe('queued');
    expect((await h.turnEnded(one.id)).status).toBe('done');
    expect((await h.turnEnded(two.id)).status).toBe('done');
    await counted;
    expect(firstWrittenBeforeSecondStarted).toBe(true);
    expect((await h.core.worktrees.changes(s.id, { turn: 1 })).files.map((f) => f.path)).toEqual(['one.txt']);
    expect((await h.core.worktrees.changes(s.id, { turn: 2 })).files.map((f) => f.path)).toEqual(['two.txt']);
  }, 120_000);

  it('sessions.ask from a chat can start its conversation in a worktree of its own, and the next ask by the same key finds it', async () => {
    const telegram = { surface: 'telegram' as const, actor: 'telegram:42' };
    h.api.reply({ kind: 'text', text: 'Ready in my own tree.' }, { kind: 'text', text: 'Still here.' });
    const asked = await h.core.router.call('sessions.ask', { key: 'chat-7', create: { title: 'From the phone', cwd: repo, worktree: true }, text: 'hello', timeoutMs: 45_000 }, telegram);
    if (!asked.ok) throw new Error(asked.error.message);
    expect(asked.value).toMatchObject({ status: 'done', text: 'Ready in my own tree.' });
    const session = h.core.sessions.get(asked.value.sessionId);
    expect(session.worktree).toMatchObject({ repo: fs.realpathSync(repo), baseBranch: 'main', branch: 'switchboard/from-the-phone' });
    expect(session.cwd).toBe(session.worktree!.path);
    const again = await h.core.router.call('sessions.ask', { key: 'chat-7', create: { cwd: repo, worktree: true }, text: 'again', timeoutMs: 45_000 }, telegram);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.sessionId).toBe(session.id);
    expect(h.core.sessions.list().filter((x) => x.worktree)).toHaveLength(1);
    // Refused in words: a worktree without a repository to make it from, and a looser mode from a chat.
    const noCwd = await h.core.router.call('sessions.ask', { key: 'chat-8', create: { worktree: true }, text: 'hi', timeoutMs: 1000 }, telegram);
    expect(noCwd.ok ? null : noCwd.error.message).toMatch(/needs the repository/);
    const loose = await h.core.router.call('sessions.ask', { key: 'chat-9', create: { cwd: repo, worktree: true, permissionPolicy: 'bypass' }, text: 'hi', timeoutMs: 1000 }, telegram);
    expect(loose.ok ? null : loose.error.message).toMatch(/only you, in Switchboard's window/);
    const plain = path.join(h.dir, 'plain');
    fs.mkdirSync(plain);
    const outside = await h.core.router.call('sessions.ask', { key: 'chat-10', create: { cwd: plain, worktree: true }, text: 'hi', timeoutMs: 1000 }, telegram);
    expect(outside.ok ? null : outside.error.message).toMatch(/not in a git repository/);
  }, 120_000);
});
