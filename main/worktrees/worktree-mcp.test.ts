import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVIEW_APPROVAL_TOOL } from '../../contract';
import { desktopCaller } from '../ipc/router';
import { startHarness, type Harness } from '../testing/claude-harness';
import { GIT_TEST_ENV, gitIn, makeRepo } from '../testing/git-repo';
import { nextEvent } from '../testing/wait';

const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let h: Harness;
let client: Client;
let repo: string;

beforeEach(async () => {
  h = await startHarness({ core: { server: SERVER }, env: GIT_TEST_ENV });
  repo = makeRepo(path.join(h.dir, 'repo'), { 'a.txt': 'one\n' });
  const rotated = (await h.core.router.call('system.rotateToken', { scope: 'mcp' }, desktopCaller)) as { value: { token: string } };
  client = new Client({ name: 'reviewer', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${h.core.server!.address!.port}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${rotated.value.token}` } } }));
});

afterEach(async () => {
  await client.close().catch(() => {});
  await h.close();
});

const text = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as { text: string }[]).map((c) => c.text).join('\n');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const structured = (result: Awaited<ReturnType<Client['callTool']>>): any => result.structuredContent;

describe('work review over MCP (the SDK client)', () => {
  it('creates a session in a worktree, reads its changes and diff, and merges only once the owner allows it', async () => {
    const created = structured(await client.callTool({ name: 'create_session', arguments: { title: 'From MCP', cwd: repo, worktree: true } }));
    expect(created.cwd).toContain(path.join('worktrees', created.id));
    fs.writeFileSync(path.join(created.cwd, 'a.txt'), 'one\ntwo\n');
    fs.writeFileSync(path.join(created.cwd, 'b.txt'), 'new\n');

    const changes = structured(await client.callTool({ name: 'session_changes', arguments: { session_id: created.id } }));
    expect(changes).toMatchObject({ base_branch: 'main', branch: 'switchboard/from-mcp', summary: '2 files changed, +2 −0', more: null });
    expect(changes.files.map((f: { path: string }) => f.path).sort()).toEqual(['a.txt', 'b.txt']);
    const diff = structured(await client.callTool({ name: 'session_diff', arguments: { session_id: created.id, path: 'a.txt' } }));
    expect(diff.diff).toContain('+two');

    const asked = nextEvent(h.core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const merging = client.callTool({ name: 'merge_session', arguments: { session_id: created.id, strategy: 'squash' } });
    const question = await asked;
    expect(question.input).toMatchObject({ action: 'merge', requestedBy: 'the MCP client “reviewer”', summary: '2 files changed, +2 −0' });
    expect(gitIn(repo, 'log', '--format=%s')).toBe('first');
    await h.core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller);
    const merged = structured(await merging);
    expect(merged).toMatchObject({ merged: true, conflicts: [] });
    expect(gitIn(repo, 'log', '--format=%s', '-1')).toBe('From MCP');
    expect(fs.readFileSync(path.join(repo, 'b.txt'), 'utf8')).toBe('new\n');

    fs.writeFileSync(path.join(created.cwd, 'c.txt'), 'unwanted\n');
    const askedAgain = nextEvent(h.core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const discarding = client.callTool({ name: 'discard_session', arguments: { session_id: created.id } });
    await h.core.router.call('approvals.answer', { id: (await askedAgain).id, decision: 'deny', message: 'keep it' }, desktopCaller);
    const refused = await discarding;
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/The owner did not allow this.*keep it.*Nothing was changed/);
    expect(fs.existsSync(path.join(created.cwd, 'c.txt'))).toBe(true);
  }, 60_000);

  it('refuses bad input in words: a folder outside any repository, an unknown turn, a path outside the worktree', async () => {
    const plain = path.join(h.dir, 'plain');
    fs.mkdirSync(plain);
    expect(text(await client.callTool({ name: 'create_session', arguments: { cwd: plain, worktree: true } }))).toMatch(/is not in a git repository/);
    const s = structured(await client.callTool({ name: 'create_session', arguments: { cwd: repo, worktree: true } }));
    expect(text(await client.callTool({ name: 'session_changes', arguments: { session_id: s.id, turn: 3 } }))).toMatch(/no turn 3/);
    expect(text(await client.callTool({ name: 'session_diff', arguments: { session_id: s.id, path: '../../etc/passwd' } }))).toMatch(/outside the session's worktree/);
    const plainSession = structured(await client.callTool({ name: 'create_session', arguments: { cwd: repo } }));
    expect(text(await client.callTool({ name: 'merge_session', arguments: { session_id: plainSession.id } }))).toMatch(/does not run in a git worktree/);
  }, 60_000);
});
