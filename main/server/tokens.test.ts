import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import WebSocket from 'ws';
import { WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../contract';
import type { Core } from '../core';
import { startTestCore } from '../testing/temp-core';

async function startCore(): Promise<{ core: Core; dir: string; base: string; port: number }> {
  const { core, dir } = await startTestCore({ server: { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true } });
  const port = core.server!.address!.port;
  return { core, dir, base: `http://127.0.0.1:${port}`, port };
}

/** The MCP client's first probe: answered by the MCP server itself once a token passes. */
const probe = { jsonrpc: '2.0', id: 1, method: 'server/discover' };

const status = async (url: string, token: string, body?: unknown) =>
  (await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers: { Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) })).status;

function upgrade(port: number, token: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${token}`]);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => resolve(-1));
  });
}

describe('who calls over the server', () => {
  it('names the HTTP API and a WebSocket client apart, on the same browser surface', async () => {
    const { core: c, base, port } = await startCore();
    const token = c.serverToken!;
    const added = await fetch(`${base}/api/memory.add`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ text: 'added by a script' }) });
    expect(((await added.json()) as { value: { memory: { source: { actor: string } } } }).value.memory.source.actor).toBe('api:127.0.0.1');

    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${token}`]);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ t: 'call', id: 1, method: 'memory.add', input: { text: 'added from a browser window' } }));
    const reply = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.close();
    expect((JSON.parse(reply) as { result: { value: { memory: { source: { actor: string } } } } }).result.value.memory.source.actor).toBe('browser:127.0.0.1');
  });
});

describe('scoped tokens', () => {
  it('lets a hooks token reach only /hooks: no API method (terminals.open included), no WebSocket, no MCP', async () => {
    const { core: c, base, port } = await startCore();
    const tokens = { ui: c.serverToken!, mcp: '', hooks: '' };
    const rotate = async (scope: 'mcp' | 'hooks') => ((await c.router.call('system.rotateToken', { scope }, desktopCaller)) as { value: { token: string } }).value.token;
    tokens.mcp = await rotate('mcp');
    tokens.hooks = await rotate('hooks');

    expect(await status(`${base}/hooks/notification`, tokens.hooks, {})).toBe(200);
    expect(await status(`${base}/api/terminals.open`, tokens.hooks, { command: 'shell' })).toBe(403);
    expect(await status(`${base}/api/system.health`, tokens.hooks, {})).toBe(403);
    expect(await status(`${base}/api/`, tokens.hooks)).toBe(403);
    expect(await upgrade(port, tokens.hooks)).toBe(403);
    expect(await status(`${base}/mcp`, tokens.hooks, {})).toBe(403);
    expect(c.terminals.list()).toEqual([]);

    expect(await status(`${base}/mcp`, tokens.mcp, probe)).toBe(200);
    expect(await status(`${base}/hooks/stop`, tokens.mcp, {})).toBe(403);
    expect(await status(`${base}/api/system.health`, tokens.mcp, {})).toBe(403);
    expect(await upgrade(port, tokens.mcp)).toBe(403);

    // The UI token can do everything.
    expect(await status(`${base}/mcp`, tokens.ui, probe)).toBe(200);
    for (const url of [`${base}/hooks/notification`, `${base}/api/system.health`]) expect(await status(url, tokens.ui, {})).toBe(200);
    expect(await upgrade(port, tokens.ui)).toBe(101);
  });

  it('keeps tokens as secrets, rotates one (the old refused at once), and lists what each reaches', async () => {
    const { core: c, dir, base } = await startCore();
    const old = ((await c.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    const secrets = fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8');
    expect(secrets).toContain(old);
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(c.storage.db.prepare("SELECT count(*) FROM settings WHERE value LIKE ?").pluck().get(`%${old}%`)).toBe(0);
    const fresh = ((await c.router.call('system.rotateToken', { scope: 'hooks' }, desktopCaller)) as { value: { token: string } }).value.token;
    expect(fresh).not.toBe(old);
    expect(await status(`${base}/hooks/notification`, old, {})).toBe(401);
    expect(await status(`${base}/hooks/notification`, fresh, {})).toBe(200);
    const listed = await c.router.call('system.tokens', {}, desktopCaller);
    expect(listed).toMatchObject({ ok: true, value: [{ scope: 'ui' }, { scope: 'mcp' }, { scope: 'hooks' }] });
    expect(JSON.stringify(listed)).not.toContain(fresh);
  });
});
