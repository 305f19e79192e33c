import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput, Result } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { GIT_TEST_ENV, makeRepo } from '../testing/git-repo';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import type { UsageStore } from '../usage/usage-store';

// Finding 5 of the new user's run: a worktree session was known by its `<data>/worktrees/<uuid>` folder.
let dir: string;
let repo: string;
let core: Core;

beforeEach(async () => {
  dir = makeTempDir('switchboard-wt-project-');
  repo = makeRepo(path.join(dir, 'repo'), { 'README.md': '# project\n' });
  core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: dir, ...GIT_TEST_ENV } });
  await core.start();
});

afterEach(async () => {
  await core.stop();
  removeTempDir(dir);
});

async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const result = (await core.router.call(method, input, desktopCaller)) as Result<MethodOutput<M>>;
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const entry = (key: string, costUsd: number) => ({ key, at: Date.now(), model: 'claude-sonnet-4-5', input: 10, output: 5, cacheWrite: 0, cacheRead: 0, costUsd });

describe("a worktree session's project is its repository", () => {
  it('in the recent folders (no Switchboard folder offered), in Chats, in its search filter and in Usage by project', async () => {
    const wt = await call('sessions.create', { title: 'discard me', cwd: repo, worktree: true });
    await call('sessions.create', { title: 'no folder' });
    expect(wt.cwd).toBe(path.join(dir, 'data', 'worktrees', wt.id));

    const folders = await call('sessions.folders', {});
    expect(folders).toEqual([repo]);

    const conversations = await call('history.conversations', {});
    expect(conversations.find((c) => c.id === wt.id)!.cwd).toBe(repo);

    core.history.ingest(wt.id, [{ role: 'user', kind: 'text', text: 'the zebra crossing is broken', data: null, createdAt: Date.now(), externalId: 'x1', surface: 'desktop' }]);
    const found = await call('history.search', { query: 'zebra', filters: { cwd: repo } });
    expect(found.hits.map((h) => [h.sessionId, h.cwd])).toEqual([[wt.id, repo]]);

    // Counted now (through the service), and counted before this fix (the worktree folder stored as is).
    core.usage.record([entry('a', 0.5)], { sessionId: wt.id, surface: 'desktop', project: wt.cwd, ours: false });
    (core.usage as unknown as { store: UsageStore }).store.record([entry('b', 0.25)], { sessionId: wt.id, surface: 'desktop', project: wt.cwd, ours: false });
    core.usage.record([entry('c', 0.125)], { sessionId: null, surface: 'external', project: repo, ours: false });
    const summary = await call('usage.summary', { days: 1 });
    expect(summary.byProject.map((g) => [g.key, g.costUsd])).toEqual([[repo, 0.875]]);
  });

  it("names the repository Switchboard recorded, not one the tree's .git file is rewritten to name", async () => {
    const wt = await call('sessions.create', { title: 'rewritten', cwd: repo, worktree: true });
    // What Claude could do with its Edit tool: point the tree at a repository of its own making.
    const decoy = makeRepo(path.join(dir, 'decoy'), { 'x.txt': 'x\n' });
    fs.mkdirSync(path.join(decoy, '.git', 'worktrees', 'fake'), { recursive: true });
    fs.writeFileSync(path.join(decoy, '.git', 'worktrees', 'fake', 'commondir'), '../..\n');
    fs.writeFileSync(path.join(wt.cwd, '.git'), `gitdir: ${path.join(decoy, '.git', 'worktrees', 'fake')}\n`);

    expect(await call('sessions.folders', {})).toEqual([repo]);
    expect((await call('history.conversations', {})).find((c) => c.id === wt.id)!.cwd).toBe(repo);
  });

  it('refuses a worktree of another session’s worktree, in words', async () => {
    const wt = await call('sessions.create', { title: 'first', cwd: repo, worktree: true });
    const result = (await core.router.call('sessions.create', { title: 'wt of wt', cwd: wt.cwd, worktree: true }, desktopCaller)) as Result<unknown>;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe(`cwd: ${wt.cwd} is another Switchboard session's worktree. Start the new session from the repository itself (${repo}).`);
    expect((await call('sessions.list', {})).map((s) => s.title).sort()).toEqual(['first']);
  });
});
