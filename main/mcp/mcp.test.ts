import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { REVIEW_APPROVAL_TOOL } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { nextEvent, runClaude, startHarness, type Harness } from '../testing/claude-harness';
import { makeRepo } from '../testing/git-repo';
import { owner, pair, startTelegram, type TelegramHarness } from '../testing/telegram-harness';
import { tools } from '../tools/registry';

// The MCP SDK's own client against Switchboard's MCP server on the loopback server; the real claude CLI
// calling one of its tools; ask_user answered through the Telegram stand-in.
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let h: Harness | null = null;
let t: TelegramHarness | null = null;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await h?.close();
  await t?.close();
  h = null;
  t = null;
});

async function mcpToken(core: Core): Promise<string> {
  const rotated = await core.router.call('system.rotateToken', { scope: 'mcp' }, desktopCaller);
  return (rotated as { value: { token: string } }).value.token;
}

/** A tool's structured answer, read loosely: the client already checked it against the tool's output schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Structured = any;

const urlOf = (core: Core) => `http://127.0.0.1:${core.server!.address!.port}/mcp`;

async function connect(core: Core, token: string, name = 'test-client'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(urlOf(core)), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

/** A raw request to the server, Host included (fetch will not send another Host). */
function raw(port: number, options: { token?: string; host?: string; body?: unknown }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Host: options.host ?? `127.0.0.1:${port}`,
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(options.body ?? { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  });
}

describe('the MCP server, with the SDK’s own client', { timeout: 60_000 }, () => {
  it('refuses no token and a wrong one (401), the hooks token and a foreign Host (403), and answers the discovery probe with an error', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    const port = core.server!.address!.port;
    const token = await mcpToken(core);
    const hooks = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    expect((await raw(port, {})).status).toBe(401);
    expect((await raw(port, { token: 'not-the-token' })).status).toBe(401);
    expect((await raw(port, { token: hooks })).status).toBe(403);
    expect((await raw(port, { token, host: 'evil.example:80' })).status).toBe(403);
    const probe = await raw(port, { token, body: { jsonrpc: '2.0', id: 7, method: 'server/discover', params: {} } });
    expect(probe.status).toBe(200);
    expect(JSON.parse(probe.body)).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
    const garbage = await raw(port, { token, body: 'not json at all' });
    expect(JSON.parse(garbage.body)).toMatchObject({ error: { code: -32000 } });
  });

  it('lists every tool with an input and an output schema and hints', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const client = await connect(h.core, await mcpToken(h.core));
    const listed = (await client.listTools()).tools;
    expect(listed.map((x) => x.name).sort()).toEqual(
      [
        'list_sessions', 'create_session', 'ask_session', 'start_task', 'get_task', 'stop_session', 'reset_session',
        'list_jobs', 'create_job', 'update_job', 'delete_job', 'run_job', 'job_history', 'set_next_prompt',
        'remember', 'recall', 'update_memory', 'forget', 'list_memories',
        'list_conversations', 'read_conversation', 'search_history',
        'notify_user', 'ask_user', 'inbox', 'health', 'usage',
        'session_changes', 'session_diff', 'merge_session', 'discard_session',
      ].sort(),
    );
    for (const x of listed) {
      expect(x.inputSchema.type, x.name).toBe('object');
      expect(x.outputSchema?.type, x.name).toBe('object');
      expect(x.description!.length, x.name).toBeGreaterThan(30);
    }
    expect(listed.find((x) => x.name === 'forget')!.annotations).toMatchObject({ destructiveHint: true });
    expect(listed.find((x) => x.name === 'recall')!.annotations).toMatchObject({ readOnlyHint: true });
    // Asking the user puts a question in front of them: not read-only.
    expect(listed.find((x) => x.name === 'ask_user')!.annotations).toMatchObject({ readOnlyHint: false });
    expect(listed.find((x) => x.name === 'get_task')!.inputSchema).toMatchObject({ additionalProperties: false });
  });

  it('runs every tool’s success path, as the client, and refuses bad arguments in words', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, harness } = { core: h.core, harness: h };
    const client = await connect(core, await mcpToken(core), 'claude-code');
    const ok = async (name: string, args: Record<string, unknown> = {}) => {
      const result = await client.callTool({ name, arguments: args });
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Structured;
    };
    const called = new Set<string>();
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      called.add(name);
      return ok(name, args);
    };

    const remembered = await call('remember', { text: 'The staging host is called kite', category: 'infra' });
    expect(remembered).toMatchObject({ action: 'added', memory: { text: 'The staging host is called kite', category: 'infra' } });
    expect(core.memory.get(remembered.memory.id).source).toMatchObject({ kind: 'tool', actor: expect.stringMatching(/^mcp:claude-code@[0-9a-f]{8}$/) });
    expect((await call('recall', { query: 'staging host' })).memories[0]).toMatchObject({ text: 'The staging host is called kite' });
    expect(await call('update_memory', { id: remembered.memory.id, text: 'The staging host is called falcon' })).toMatchObject({ text: 'The staging host is called falcon' });
    expect((await call('list_memories', { limit: 1 })).memories).toHaveLength(1);
    expect(await call('forget', { id: remembered.memory.id })).toMatchObject({ forgotten: { id: remembered.memory.id } });

    const session = await call('create_session', { title: 'From MCP' });
    expect(session).toMatchObject({ title: 'From MCP', surface: 'mcp' });
    const asked = await call('ask_session', { session_id: session.id, text: 'hello there' });
    expect(asked).toMatchObject({ status: 'done', text: 'echo: hello there', timedOut: false });
    const task = await call('start_task', { session_id: session.id, text: 'in the background' });
    await harness.turnEnded(task.turnId);
    expect(await call('get_task', { turn_id: task.turnId })).toMatchObject({ status: 'done', text: 'echo: in the background' });
    expect((await call('list_sessions', { query: 'from mcp' })).sessions.map((s: { id: string }) => s.id)).toEqual([session.id]);
    expect(await call('stop_session', { session_id: session.id })).toMatchObject({ interrupted: false });
    expect((await call('list_conversations', { query: 'from mcp' })).conversations[0]).toMatchObject({ id: session.id });
    const page = await call('read_conversation', { conversation_id: session.id, limit: 2 });
    expect(page.messages.map((m: { text: string }) => m.text)).toEqual(['hello there', 'echo: hello there']);
    expect(page.next).not.toBeNull();
    expect((await call('search_history', { query: 'background' })).hits[0]).toMatchObject({ conversationId: session.id });
    expect(await call('reset_session', { session_id: session.id })).toMatchObject({ id: session.id });

    const job = await call('create_job', { name: 'Nightly', kind: 'shell', cron: '0 3 * * *', command: 'echo nightly' });
    expect(job).toMatchObject({ name: 'Nightly', enabled: true, waitingForApproval: true, warnings: [] });
    // A shell job made over MCP waits for the owner (job-approvals.test.ts); allowed in the window, it is an ordinary job.
    const question = core.approvals.list('pending', 10).find((a) => a.input.jobId === job.id)!;
    await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller);
    await expect.poll(() => core.scheduler.get(job.id).approval).toBeNull();
    expect((await call('list_jobs')).jobs[0]).toMatchObject({ id: job.id });
    expect(await call('delete_job', { job_id: job.id })).toMatchObject({ deleted: true });
    // A Claude job that asks before it acts runs no code unasked: MCP may change it and run it now.
    const asks = await call('create_job', { name: 'Digest', kind: 'claude', cron: '0 3 * * *', command: 'digest the day' });
    expect(asks).toMatchObject({ waitingForApproval: false });
    expect(await call('update_job', { job_id: asks.id, enabled: false })).toMatchObject({ enabled: false });
    const run = await call('run_job', { job_id: asks.id });
    expect(run.id).toBeTruthy();
    await expect.poll(async () => (await ok('job_history', { job_id: asks.id })).runs[0]?.status, { timeout: 30_000 }).toBe('ok');
    called.add('job_history');

    // Work review (worktree-mcp.test.ts has the details): merge and discard wait for the owner.
    const repo = makeRepo(path.join(harness.dir, 'repo'));
    const reviewed = await call('create_session', { title: 'Reviewed', cwd: repo, worktree: true });
    fs.writeFileSync(path.join(reviewed.cwd, 'made.txt'), 'made\n');
    expect((await call('session_changes', { session_id: reviewed.id })).summary).toBe('1 file changed, +1 −0');
    expect((await call('session_diff', { session_id: reviewed.id })).diff).toContain('+made');
    for (const [name, result] of [['merge_session', { merged: true }], ['discard_session', { discarded: true }]] as const) {
      const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
      const acting = call(name, { session_id: reviewed.id });
      await core.router.call('approvals.answer', { id: (await asked).id, decision: 'once' }, desktopCaller);
      expect(await acting).toMatchObject(result);
    }

    // Only the desktop takes it here (no window open, no bot): the answer says so, not a bare `sent`.
    expect(await call('notify_user', { text: 'Build finished', title: 'CI' })).toEqual({ delivered: ['desktop'] });
    expect(harness.notifications).toContainEqual({ title: 'CI', body: 'Build finished' });
    expect(await call('ask_user', { question: 'Deploy now?', choices: ['yes', 'no'], timeout_seconds: 5 })).toEqual({ answer: null, timedOut: true, answeredBy: null, via: null });
    // What the user was told, and how the question ended (nobody answered in time).
    const told = await call('inbox', { filter: 'all', limit: 5 });
    expect(told.items.map((i: { kind: string; title: string; state: string }) => [i.kind, i.title, i.state])).toEqual([
      ['question', 'Claude asks: Deploy now?', 'settled'],
      ['note', 'CI', 'open'],
    ].concat(told.items.slice(2).map((i: { kind: string; title: string; state: string }) => [i.kind, i.title, i.state])));
    expect((await call('health')).services.length).toBeGreaterThan(5);
    expect((await call('usage')).totalUsd).toBeGreaterThan(0);
    // set_next_prompt answers only a job's own running session: its success path is in scheduler/reports.test.ts.
    expect([...called].sort()).toEqual(tools.map((x) => x.name).filter((name) => name !== 'set_next_prompt').sort());

    expect((await ok('health')).services.length).toBeGreaterThan(5);
  });

  it('answers bad arguments for every tool as the protocol says: a tool error naming the field in words, or -32602; never -32603', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    const client = await connect(core, await mcpToken(core));
    const text = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as { text: string }[]).map((c) => c.text).join('\n');
    for (const x of tools) {
      const fields = Object.keys(x.input.shape);
      // Every field given a value of no type it takes: each is named, in words, and no schema dump comes back.
      for (const field of fields) {
        const result = await client.callTool({ name: x.name, arguments: { [field]: [[1]] } });
        expect(result.isError, `${x.name}.${field}`).toBe(true);
        expect(text(result), `${x.name}.${field}`).toMatch(new RegExp(`^Invalid arguments for ${x.name}: (.*; )?${field}(\\.\\d+)*: (must|is|has) `));
        expect(text(result), `${x.name}.${field}`).not.toMatch(/"code"|invalid_type|expected/);
      }
      // An argument the tool does not take is refused, not ignored, and the answer says what it takes.
      const unknown = await client.callTool({ name: x.name, arguments: { colour: 'blue' } });
      expect(unknown.isError, x.name).toBe(true);
      expect(text(unknown), x.name).toContain(`colour: not an argument of ${x.name} (it takes ${fields.length ? fields.join(', ') : 'none'})`);
      // Arguments that are not an object of named values: JSON-RPC -32602, in words.
      for (const args of ['a string', [1, 2], 42]) {
        const error = await client.request({ method: 'tools/call', params: { name: x.name, arguments: args } }, CallToolResultSchema).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, `${x.name} ${JSON.stringify(args)}`).toBeInstanceOf(McpError);
        expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
        expect((error as McpError).message).toMatch(/`arguments` must be an object of named values/);
      }
    }
    const noName = await client.request({ method: 'tools/call', params: { arguments: {} } } as never, CallToolResultSchema).catch((e: unknown) => e);
    expect(noName).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('`name` must be the name of a tool') });
    expect(text(await client.callTool({ name: 'no_such_tool', arguments: {} }))).toMatch(/^There is no tool no_such_tool/);

    // A conversation that does not exist is not found, not an empty page.
    const missing = await client.callTool({ name: 'read_conversation', arguments: { conversation_id: 'no-such-conversation' } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe('There is no conversation no-such-conversation.');
    // update_memory with nothing to change is refused; the same values again leave updatedAt as it was.
    const kept = (await client.callTool({ name: 'remember', arguments: { text: 'The office plant is a fern', category: 'office' } })).structuredContent as Structured;
    const nothing = await client.callTool({ name: 'update_memory', arguments: { id: kept.memory.id } });
    expect(nothing.isError).toBe(true);
    expect(text(nothing)).toBe('Invalid arguments for update_memory: input: nothing to change: give text, category or tags');
    await new Promise((r) => setTimeout(r, 5));
    const same = (await client.callTool({ name: 'update_memory', arguments: { id: kept.memory.id, text: 'The office plant is a fern', category: 'office' } })).structuredContent as Structured;
    expect(same.updatedAt).toBe(kept.memory.updatedAt);
    expect(core.memory.get(kept.memory.id).updatedAt).toBe(kept.memory.updatedAt);
    // The server goes on.
    expect(((await client.callTool({ name: 'health', arguments: {} })).structuredContent as Structured).services.length).toBeGreaterThan(5);
  });

  it('lets the real claude CLI call mcp__switchboard__remember, and the memory shows in Switchboard', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api, env, dir } = h;
    const token = await mcpToken(core);
    const config = JSON.stringify({ mcpServers: { switchboard: { type: 'http', url: urlOf(core), headers: { Authorization: `Bearer ${token}` } } } });
    api.reply({ kind: 'tool', name: 'mcp__switchboard__remember', input: { text: 'Deploys happen on Tuesdays', category: 'process' } }, { kind: 'text', text: 'Noted.' });
    const run = await runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--mcp-config', config, '--strict-mcp-config', '--allowedTools', 'mcp__switchboard__remember', '--', 'remember our deploy day'], { env, cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const init = run.lines.find((l) => (l as { subtype?: string }).subtype === 'init') as { mcp_servers: { name: string; status: string }[] };
    expect(init.mcp_servers).toContainEqual(expect.objectContaining({ name: 'switchboard', status: 'connected' }));
    const memory = core.memory.list({ limit: 10, offset: 0 }).memories.find((m) => m.text === 'Deploys happen on Tuesdays');
    expect(memory).toMatchObject({ category: 'process', source: { kind: 'tool', actor: expect.stringMatching(/^mcp:/) } });
  });

  it('gives the sessions Switchboard runs its MCP server, the session being the caller (the token never in argv)', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api, turnEnded } = h;
    const token = await mcpToken(core);
    const session = core.sessions.create({ title: 'Remembers', permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'tool', name: 'mcp__switchboard__remember', input: { text: 'The release train leaves on Fridays' } }, { kind: 'text', text: 'Remembered.' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && a.toolName === 'mcp__switchboard__remember');
    const turn = core.sessions.send(session.id, 'remember the release day', desktopCaller);
    const approval = await asked;
    const pid = core.sessions.get(session.id).pid!;
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(token);
    await core.router.call('approvals.answer', { id: approval.id, decision: 'once' }, desktopCaller);
    expect((await turnEnded(turn.id)).status).toBe('done');
    const memory = core.memory.list({ limit: 10, offset: 0 }).memories.find((m) => m.text === 'The release train leaves on Fridays');
    expect(memory?.source.actor).toBe(`session:${session.id}`);
  });

  it('names a session by its own token only: a header naming it changes nothing, a forged token is refused, an MCP session cannot be taken over', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api, turnEnded } = h;
    const shared = await mcpToken(core);
    const session = core.sessions.create({ title: 'Has its own token', permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'text', text: 'Hello.' });
    await turnEnded(core.sessions.send(session.id, 'hi', desktopCaller).id);
    const config = JSON.parse(fs.readFileSync(path.join(h.dir, 'data', 'prompts', `${session.id}.mcp.json`), 'utf8'));
    const own: string = config.mcpServers.switchboard.headers.Authorization.replace('Bearer ', '');
    expect(config.mcpServers.switchboard.headers).toEqual({ Authorization: `Bearer ${own}` });
    expect(own).not.toBe(shared);
    const actorOf = async (client: Client, text: string) => {
      await client.callTool({ name: 'remember', arguments: { text } });
      return core.memory.list({ limit: 50, offset: 0 }).memories.find((m) => m.text === text)?.source.actor;
    };

    // The shared MCP token with a header naming the session: still an outside client, not the session.
    const pretender = new Client({ name: 'pretender', version: '1.0.0' });
    await pretender.connect(new StreamableHTTPClientTransport(new URL(urlOf(core)), { requestInit: { headers: { Authorization: `Bearer ${shared}`, 'X-Switchboard-Session': session.id } } }));
    clients.push(pretender);
    expect(await actorOf(pretender, 'claimed by a header')).toMatch(/^mcp:pretender@[0-9a-f]{8}$/);

    expect(await actorOf(await connect(core, own), 'said by the session')).toBe(`session:${session.id}`);

    // Another session's id with this session's signature: refused at the door.
    const other = core.sessions.create({ title: 'Another', permissionPolicy: 'ask', surface: 'desktop' });
    const forged = own.replace(session.id, other.id);
    expect((await raw(core.server!.address!.port, { token: forged })).status).toBe(401);
    // Nor can a client that holds the MCP token make one: the key is a secret of its own.
    const madeWithShared = `s.${other.id}.${createHmac('sha256', shared).update(`session:${other.id}`).digest('hex')}`;
    expect((await raw(core.server!.address!.port, { token: madeWithShared })).status).toBe(401);

    // The pretender's MCP session id presented with the session's token: not found, not adopted.
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const opened = await fetch(urlOf(core), { method: 'POST', headers: { Authorization: `Bearer ${shared}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: JSON.stringify(init) });
    const mcpSession = opened.headers.get('mcp-session-id')!;
    expect(mcpSession).toBeTruthy();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const headers = (token: string) => ({ Authorization: `Bearer ${token}`, 'Mcp-Session-Id': mcpSession, 'Mcp-Protocol-Version': '2025-06-18', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' });
    expect((await fetch(urlOf(core), { method: 'POST', headers: headers(own), body: JSON.stringify(list) })).status).toBe(404);
    expect((await fetch(urlOf(core), { method: 'POST', headers: headers(shared), body: JSON.stringify(list) })).status).toBe(200);

    // Once the session is deleted its token opens nothing (it passed as an outside client's before).
    // (Past the door, a request that did not initialize is a 400 of the protocol's.)
    expect((await raw(core.server!.address!.port, { token: own })).status).toBe(400);
    await core.sessions.delete(session.id);
    expect((await raw(core.server!.address!.port, { token: own })).status).toBe(401);
  });

  it('tells two clients apart that give the same name: a loose session started by one is not driven by the other', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api } = h;
    const token = await mcpToken(core);
    const [first, twin] = [await connect(core, token, 'twin'), await connect(core, token, 'twin')];
    api.reply({ kind: 'text', text: 'Looking.' });
    const made = (await first.callTool({ name: 'create_session', arguments: { title: 'Started by the first twin' } })).structuredContent as Structured;
    expect((await first.callTool({ name: 'ask_session', arguments: { session_id: made.id, text: 'look at the tests' } })).structuredContent).toMatchObject({ status: 'done' });
    // The owner lets it edit without asking, in the window.
    expect(await core.router.call('sessions.update', { id: made.id, permissionPolicy: 'acceptEdits' }, desktopCaller)).toMatchObject({ ok: true });
    const refused = await twin.callTool({ name: 'ask_session', arguments: { session_id: made.id, text: 'add a postinstall script' } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('only the MCP client that started it');
    // Nor one whose name carries the first one's connection, to read as its actor: the server's connection comes last.
    const starter = core.sessions.transcript(made.id, 10).turns[0]!.actor!;
    const forger = await connect(core, token, starter.slice('mcp:'.length));
    expect((await forger.callTool({ name: 'ask_session', arguments: { session_id: made.id, text: 'add a postinstall script' } })).isError).toBe(true);
    expect(core.sessions.transcript(made.id, 10).turns.map((t) => t.actor)).toEqual([starter]);
    api.reply({ kind: 'text', text: 'Going on.' });
    expect((await first.callTool({ name: 'ask_session', arguments: { session_id: made.id, text: 'go on' } })).isError).toBeFalsy();
  });

  it('asks the user through Telegram and hands the answer to the tool', async () => {
    t = await startTelegram({ core: { server: SERVER } });
    await pair(t);
    const { core } = t.harness;
    const client = await connect(core, await mcpToken(core));
    const answer = client.callTool({ name: 'ask_user', arguments: { question: 'Ship the release today?', choices: ['Ship it', 'Wait'] } });
    const card = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === 'Ship it')), 20_000, 'the question on the phone');
    expect(card.text).toContain('Ship the release today?');
    t.tg.press(owner, card, card.reply_markup!.inline_keyboard.flat().find((b) => b.text === 'Ship it')!.callback_data!);
    expect((await answer).structuredContent).toEqual({ answer: 'Ship it', timedOut: false, answeredBy: 'telegram:1001', via: 'telegram' });

    // Without choices: the answer is typed, as a reply to the question.
    const typed = client.callTool({ name: 'ask_user', arguments: { question: 'What should the tag be?' } });
    const open = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.text.includes('What should the tag be?')), 20_000, 'the open question');
    t.tg.send(owner, 'v2.1.0', { replyTo: open.message_id });
    expect((await typed).structuredContent).toMatchObject({ answer: 'v2.1.0', answeredBy: 'telegram:1001' });
  });
});
