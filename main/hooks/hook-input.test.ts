import http from 'node:http';
import type net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromTerminal, type Approval } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { nextEvent } from '../testing/wait';

const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };

describe('the hooks route on the real loopback server', () => {
  let dir: string;
  let core: Core;
  let port: number;
  let token: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  beforeEach(async () => {
    dir = makeTempDir();
    core = testCore(dir, { server: SERVER });
    await core.start();
    port = core.server!.address!.port;
    token = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
  });

  afterEach(async () => {
    agent.destroy();
    await core.stop();
    removeTempDir(dir);
  });

  /** A POST on the keep-alive agent (one socket for every request); resolves with the status and JSON body. */
  function post(route: string, body: string, auth = token, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', agent, headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Record<string, unknown>, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers a payload with fields of the wrong type 400 in words, never 500', async () => {
    const cases: [string, string, string][] = [
      ['/hooks/notification', '{"cwd":5,"message":"hi"}', 'cwd'],
      ['/hooks/notification', '{"message":{"text":"hi"}}', 'message'],
      ['/hooks/notification', 'null', 'input'],
      ['/hooks/stop', '{"last_assistant_message":7}', 'last_assistant_message'],
      ['/hooks/stop', '[]', 'input'],
      ['/hooks/permission', '{"tool_name":5}', 'tool_name'],
      ['/hooks/permission', '{"tool_input":"rm -rf /"}', 'tool_input'],
      ['/hooks/permission', '{"session_id":["x"]}', 'session_id'],
      ['/hooks/permission', '"text"', 'input'],
    ];
    for (const [route, body, field] of cases) {
      const answer = await post(route, body);
      expect(answer.status, `${route} ${body}`).toBe(400);
      expect(String(answer.body.error), `${route} ${body}`).toContain(field);
      expect(String(answer.body.error)).toMatch(/not what Claude Code sends/);
    }
    // A payload as the CLI sends it still works, nulls and fields this version does not know included.
    const fine = await post('/hooks/notification', JSON.stringify({ session_id: 's', cwd: '/tmp/p', message: 'Claude needs you', transcript_path: null, something_new: { a: 1 } }));
    expect(fine.status).toBe(200);
  });

  it('gives a keep-alive connection no listener per request (hooks and MCP alike)', async () => {
    const sockets: net.Socket[] = [];
    const server = (core.server as unknown as { server: http.Server }).server;
    server.on('connection', (socket: net.Socket) => sockets.push(socket));
    const listeners = () => sockets[0]!.listenerCount('close') + sockets[0]!.listenerCount('end') + sockets[0]!.listenerCount('error');
    const question = async (i: number) => {
      const asked = nextEvent(core.events, 'approvals.changed', (a: Approval) => a.status === 'pending' && fromTerminal(a));
      const reply = post('/hooks/permission', JSON.stringify({ session_id: `terminal-${i}`, cwd: '/tmp/project', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: `make step-${i}` } }));
      const approval = await asked;
      await core.router.call('approvals.answer', { id: approval.id, decision: 'once' }, desktopCaller);
      expect((await reply).status).toBe(200);
    };
    await question(0);
    expect(sockets).toHaveLength(1);
    const before = listeners();
    for (let i = 1; i <= 25; i++) await question(i);
    await core.settings.set({ key: 'hooks.replyWindowSeconds', value: 0 });
    for (let i = 0; i < 5; i++) expect((await post('/hooks/stop', JSON.stringify({ session_id: `t-${i}`, cwd: '/tmp/p', last_assistant_message: 'done' }))).status).toBe(200);
    // MCP on the same connection (the UI token reaches every route).
    const mcpToken = ((await core.router.call('system.rotateToken', { scope: 'mcp' }, desktopCaller)) as { value: { token: string } }).value.token;
    const accept = { Accept: 'application/json, text/event-stream' };
    const init = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'keep-alive', version: '1' } } }), mcpToken, accept);
    expect(init.status).toBe(200);
    const session = { ...accept, 'mcp-session-id': String(init.headers['mcp-session-id']), 'mcp-protocol-version': '2025-06-18' };
    await post('/mcp', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), mcpToken, session);
    for (let i = 1; i <= 25; i++) {
      const listed = await post('/mcp', JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }), mcpToken, session);
      expect(listed.status).toBe(200);
      expect((listed.body.result as { tools: unknown[] }).tools.length).toBeGreaterThan(5);
    }
    expect(sockets).toHaveLength(1);
    expect(listeners()).toBe(before);
  });
});
