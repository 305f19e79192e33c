import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsTransport } from '../../client/ws-transport';
import { WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../contract';
import type { Core } from '../core';
import { startTestCore } from '../testing/temp-core';
import { defineContractSuite } from '../testing/contract-suite';
import { TEST_TOKEN, testServer } from '../testing/test-server';

const TOKEN = TEST_TOKEN;
const serve = (core: Core, maxFrameBytes?: number) => testServer(core, maxFrameBytes ? { maxFrameBytes } : {});

defineContractSuite('the WebSocket', async (core) => {
  const { server, ws } = await serve(core);
  const transport = createWsTransport({ url: ws, token: TOKEN });
  return {
    transport,
    close: async () => {
      transport.close();
      await server.stop();
    },
  };
});

/** Opens a raw socket; resolves with it once open, or with the HTTP status of a refused upgrade. */
function rawSocket(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

function nextMessage(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
}

describe('headless server', () => {
  let core: Core;
  let running: Awaited<ReturnType<typeof serve>>;

  beforeEach(async () => {
    ({ core } = await startTestCore());
    running = await serve(core, 64 * 1024);
  });

  afterEach(async () => {
    await running.server.stop();
  });

  it('answers the HTTP API only with the token', async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${running.base}/api/settings.list`, { method: 'POST', headers, body: '{}' });
    expect((await call({})).status).toBe(401);
    expect((await call({ Authorization: `Bearer ${'b'.repeat(64)}` })).status).toBe(401);
    const good = await call({ Authorization: `Bearer ${TOKEN}` });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ ok: true, value: { 'appearance.theme': 'system' } });
  });

  it('refuses the socket without the right token', async () => {
    expect(await rawSocket(running.ws, [WS_PROTOCOL])).toBe(401);
    expect(await rawSocket(running.ws, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${'c'.repeat(64)}`])).toBe(401);
    const ok = await rawSocket(running.ws, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`]);
    expect(ok).toBeInstanceOf(WebSocket);
    (ok as WebSocket).close();
  });

  it('refuses a socket from another origin even with the token', async () => {
    const status = await rawSocket(running.ws, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`], { Origin: 'http://evil.example' });
    expect(status).toBe(403);
  });

  it('a client with a wrong token learns it is unauthorized and stops retrying', async () => {
    const states: string[] = [];
    const transport = createWsTransport({ url: running.ws, token: 'wrong', onState: (s) => states.push(s) });
    const result = await transport.call('settings.list', {});
    expect(result.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(transport.state).toBe('unauthorized');
    expect(states).not.toContain('reconnecting');
    transport.close();
  });

  it('answers garbage with invalid_input and keeps the connection', async () => {
    const socket = (await rawSocket(running.ws, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`])) as WebSocket;
    socket.send('{not json');
    expect(await nextMessage(socket)).toMatchObject({ t: 'result', id: null, result: { ok: false, error: { code: 'invalid_input' } } });
    socket.send(JSON.stringify({ t: 'call', id: 'x', method: 'settings.list' }));
    expect(await nextMessage(socket)).toMatchObject({ result: { ok: false, error: { code: 'invalid_input', message: expect.stringContaining('id') } } });
    socket.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    expect(await nextMessage(socket)).toMatchObject({ result: { ok: false, error: { code: 'invalid_input' } } });
    socket.send(JSON.stringify({ t: 'call', id: 7, method: 'settings.list', input: {} }));
    expect(await nextMessage(socket)).toMatchObject({ t: 'result', id: 7, result: { ok: true } });
    socket.close();
  });

  it('refuses an oversized frame by closing that socket, and goes on serving', async () => {
    const socket = (await rawSocket(running.ws, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`])) as WebSocket;
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ t: 'call', id: 1, method: 'settings.list', input: { pad: 'x'.repeat(128 * 1024) } }));
    expect(await closed).toBe(1009);
    const big = await fetch(`${running.base}/api/settings.list`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ pad: 'x'.repeat(128 * 1024) }),
    });
    expect(big.status).toBe(413);
    const again = (await rawSocket(running.ws, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`])) as WebSocket;
    again.send(JSON.stringify({ t: 'call', id: 2, method: 'settings.list', input: {} }));
    expect(await nextMessage(again)).toMatchObject({ id: 2, result: { ok: true } });
    again.close();
  });

  it('reconnects after the server restarts on the same port', async () => {
    const states: string[] = [];
    const port = Number(new URL(running.base).port);
    const transport = createWsTransport({ url: running.ws, token: TOKEN, onState: (s) => states.push(s), maxBackoffMs: 200 });
    expect((await transport.call('settings.list', {})).ok).toBe(true);
    await running.server.stop();
    const { server: restarted } = await testServer(core, { port });
    running = { ...running, server: restarted };
    const deadline = Date.now() + 5000;
    while (transport.state !== 'open' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(states).toContain('reconnecting');
    expect((await transport.call('settings.list', {})).ok).toBe(true);
    transport.close();
  });
});
