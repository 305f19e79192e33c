import net from 'node:net';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PROTOCOL, WS_TOKEN_PREFIX, type TerminalOutput } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { fuzzServer, serverAnswers } from '../testing/request-fuzzer';
import { startTestCore } from '../testing/temp-core';
import { TEST_TOKEN, testServer } from '../testing/test-server';
import type { LoopbackServer, LoopbackServerOptions } from './loopback-server';

const TOKEN = TEST_TOKEN;

/** Sends raw bytes and resolves with whatever came back before the server closed (or 2 s passed). */
function raw(port: number, text: string | Buffer, options: { abortAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on('data', (d) => (answer += d.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    // Every test request asks the server to close after answering, so the answer is whole at close.
    const request = typeof text === 'string' ? text.replace(/\r\n\r\n/, '\r\nConnection: close\r\n\r\n') : text;
    socket.on('connect', () => socket.write(request, () => options.abortAfterWrite && socket.destroy()));
  });
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

describe('the server under hostile and broken requests', () => {
  let dir: string;
  let core: Core;
  let server: LoopbackServer;
  let port: number;

  async function serve(extra: Partial<LoopbackServerOptions> = {}) {
    ({ server, port } = await testServer(core, extra));
  }

  beforeEach(async () => {
    ({ core, dir } = await startTestCore());
  });

  afterEach(async () => {
    await server?.stop();
  });

  it('answers each request that used to end the process, and goes on', async () => {
    await serve();
    const host = `Host: 127.0.0.1:${port}`;
    expect(status(await raw(port, `GET /api/%ZZ HTTP/1.1\r\n${host}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`))).toBe(400);
    expect(status(await raw(port, `POST /api/%E0%A4%A HTTP/1.1\r\n${host}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 0\r\n\r\n`))).toBe(400);
    expect(status(await raw(port, `GET //[ HTTP/1.1\r\n${host}\r\n\r\n`))).toBe(400);
    expect(status(await raw(port, `GET http://localhost:99999/api/x HTTP/1.1\r\n${host}\r\n\r\n`))).toBe(400);
    const upgrade = (origin: string) =>
      `GET /ws HTTP/1.1\r\n${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${WS_PROTOCOL}, ${WS_TOKEN_PREFIX}${TOKEN}\r\nOrigin: ${origin}\r\n\r\n`;
    expect(status(await raw(port, upgrade('null')))).toBe(403);
    expect(status(await raw(port, upgrade('http://[')))).toBe(403);
    // A client that sends half a body and goes away.
    await raw(port, `POST /api/settings.set HTTP/1.1\r\n${host}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 5000\r\n\r\n{"key":`, { abortAfterWrite: true });
    expect(await serverAnswers({ port, token: TOKEN })).toBe(true);
  });

  it('turns a failure inside a handler into a 500 with an error id, and logs it', async () => {
    await serve();
    const broken = core.router as unknown as { call: () => Promise<never> };
    const original = broken.call;
    broken.call = () => Promise.reject(new Error('boom inside'));
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/settings.list`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: '{}' });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('internal');
      const id = /error ([A-Z0-9]{8})/.exec(body.error.message)?.[1];
      expect(id).toBeDefined();
      expect(body.error.message).not.toContain('boom');
      const logged = (await import('node:fs')).readFileSync(`${dir}/logs/switchboard.log`, 'utf8');
      expect(logged).toContain(id);
      expect(logged).toContain('boom inside');
    } finally {
      broken.call = original;
    }
  });

  it('refuses every route to a Host that is not its own (DNS rebinding), saying how to admit it', async () => {
    await serve({ allowedHosts: () => ['box.tailnet.example'] });
    const get = (path: string, host: string, extra = '') => raw(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}\r\n${extra}\r\n`);
    for (const path of ['/', '/index.html', '/api/', '/api/system.health']) {
      const answer = await get(path, `evil.example:${port}`);
      expect(status(answer)).toBe(403);
      expect(answer).toContain('--allow-host evil.example');
      expect(answer).toContain('Settings → Server');
    }
    const ws = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${WS_PROTOCOL}, ${WS_TOKEN_PREFIX}${TOKEN}\r\n`;
    expect(status(await get('/ws', `evil.example:${port}`, ws))).toBe(403);
    // A name of our own on another port is someone else's server.
    expect(status(await get('/api/', `127.0.0.1:${port + 1}`))).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, `box.tailnet.example:${port}`]) {
      expect(status(await get('/api/', host)), host).toBe(204);
    }
    expect(status(await get('/ws', `localhost:${port}`, ws))).toBe(101);
  });

  it("takes a WebSocket only from the server's own origin", async () => {
    await serve();
    const open = (origin?: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`], origin ? { origin } : {});
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.once('error', () => resolve(-1));
      });
    expect(await open('http://evil.example')).toBe(403);
    expect(await open(`http://localhost:${port}`)).toBe(403); // another origin than the Host it asked
    expect(await open('null')).toBe(403);
    expect(await open(`http://127.0.0.1:${port}`)).toBe(101);
    expect(await open()).toBe(101); // not a browser: no Origin, the token decides
  });

  it("bound beyond loopback, answers to the machine's own names", async () => {
    await serve({ host: '0.0.0.0' });
    const get = (host: string) => raw(port, `GET /api/ HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    expect(status(await get(`${os.hostname()}:${port}`))).toBe(204);
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4');
    if (lan) expect(status(await get(`${lan.address}:${port}`))).toBe(204);
    expect(status(await get(`evil.example:${port}`))).toBe(403);
  });

  it('stays up through 10,000 random and mutated requests over raw sockets', async () => {
    await serve({ maxFrameBytes: 64 * 1024 });
    const result = await fuzzServer({ port, token: TOKEN }, { count: 10_000, seed: 20261201 });
    expect(result.sent).toBe(10_000);
    expect(result.crashes).toBe(0);
    expect(await serverAnswers({ port, token: TOKEN })).toBe(true);
  }, 120_000);
});

describe('every contract method, hook and MCP tool with garbage inside', () => {
  it('answers none of them 500, and stays up', async () => {
    const { core } = await startTestCore({ server: { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true } });
    const token = (scope: 'hooks' | 'mcp') => (core.router.call('system.rotateToken', { scope }, desktopCaller) as Promise<{ value: { token: string } }>).then((r) => r.value.token);
    const target = { port: core.server!.address!.port, token: core.serverToken!, hooksToken: await token('hooks'), mcpToken: await token('mcp') };
    const result = await fuzzServer(target, { count: 3000, seed: 20261206, contractShare: 0.8 });
    expect(result.samples).toEqual([]);
    expect(result.status500).toBe(0);
    expect(result.crashes).toBe(0);
    expect(await serverAnswers(target)).toBe(true);
  }, 180_000);
});

describe('backpressure: a client that stops reading', () => {
  let core: Core;
  let server: LoopbackServer;
  let port: number;

  beforeEach(async () => {
    ({ core } = await startTestCore());
  });

  afterEach(async () => {
    await server.stop();
  });

  async function client(): Promise<{ socket: WebSocket; received: () => TerminalOutput[]; events: () => string[] }> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`]);
    const received: TerminalOutput[] = [];
    const events: string[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { t: string; event?: string; payload?: unknown };
      if (message.t !== 'event') return;
      events.push(message.event!);
      if (message.event === 'terminals.output') received.push(message.payload as TerminalOutput);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    for (const event of ['terminals.output', 'system.resync']) {
      socket.send(JSON.stringify({ t: 'sub', id: 1, event }));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { socket, received: () => received, events: () => events };
  }

  /** What the server holds unsent for its clients right now. */
  function buffered(): number[] {
    const wss = (server as unknown as { wss: { clients: Set<WebSocket> } }).wss;
    return [...wss.clients].map((c) => c.bufferedAmount);
  }

  it('drops the stalled client’s stream past its limit, keeps the others whole, and tells it to re-read', async () => {
    const limit = 512 * 1024;
    ({ server, port } = await testServer(core, { maxBufferedBytes: limit }));
    const healthy = await client();
    const stalled = await client();
    // A paused tab: its socket stops reading, so the kernel buffers fill and the server's would grow.
    (stalled.socket as unknown as { _socket: net.Socket })._socket.pause();
    const chunk = 'y'.repeat(64 * 1024);
    const chunks = 640; // 40 MB of terminal output
    let peak = 0;
    for (let i = 0; i < chunks; i++) {
      core.events.emit('terminals.output', { id: 't', data: chunk, offset: i * chunk.length });
      if (i % 16 === 0) {
        peak = Math.max(peak, ...buffered());
        // The healthy client is one that keeps up: on a loaded machine (the suite runs files side by side)
        // the output goes at its pace, so only the stalled one can fall past the limit.
        while (healthy.received().length < i - 4) await new Promise((resolve) => setTimeout(resolve, 2));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    peak = Math.max(peak, ...buffered());
    expect(peak).toBeLessThan(limit + 4 * chunk.length);
    await expect.poll(() => healthy.received().length, { timeout: 20_000 }).toBe(chunks);
    expect(healthy.received().every((out, i) => out.offset === i * chunk.length)).toBe(true);
    expect(healthy.events()).not.toContain('system.resync');

    (stalled.socket as unknown as { _socket: net.Socket })._socket.resume();
    await expect.poll(() => stalled.events().includes('system.resync'), { timeout: 10_000 }).toBe(true);
    expect(stalled.received().length).toBeLessThan(chunks);
    healthy.socket.close();
    stalled.socket.close();
  }, 60_000);

  it('counts answers toward the limit: a client that asks and never reads is dropped, and the server holds no more than the limit', async () => {
    const limit = 512 * 1024;
    ({ server, port } = await testServer(core, { maxBufferedBytes: limit }));
    // Memories worth about 100 KB of export, as the issue measured with memory.export.
    const insert = core.storage.db.prepare(`INSERT INTO memories (text, category, tags, source_kind, created_at, updated_at) VALUES (?, 'general', '[]', 'user', ?, ?)`);
    for (let i = 0; i < 10; i++) insert.run(`memory ${i} `.padEnd(10_000, 'm'), Date.now(), Date.now());
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${TOKEN}`]);
    await new Promise((resolve) => socket.once('open', resolve));
    const first = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(JSON.stringify({ t: 'call', id: 0, method: 'memory.export', input: {} }));
    const answerBytes = Buffer.byteLength(await first);
    expect(answerBytes).toBeGreaterThan(90_000);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    (socket as unknown as { _socket: net.Socket })._socket.pause();
    let peak = 0;
    for (let i = 1; i <= 300 && buffered().length > 0; i++) {
      socket.send(JSON.stringify({ t: 'call', id: i, method: 'memory.export', input: {} }));
      if (i % 5 === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        peak = Math.max(peak, ...buffered());
      }
    }
    // Dropped, once past the limit: the server holds nothing for it any more.
    await expect.poll(() => buffered().length, { timeout: 10_000 }).toBe(0);
    expect(peak).toBeLessThanOrEqual(limit + answerBytes);
    (socket as unknown as { _socket: net.Socket })._socket.resume();
    await closed;
  }, 30_000);

  it('disconnects a client that stays behind past the lag limit', async () => {
    ({ server, port } = await testServer(core, { maxBufferedBytes: 256 * 1024, lagLimitMs: 300 }));
    const stalled = await client();
    const closed = new Promise((resolve) => stalled.socket.once('close', resolve));
    (stalled.socket as unknown as { _socket: net.Socket })._socket.pause();
    const chunk = 'z'.repeat(64 * 1024);
    for (let i = 0; i < 400; i++) {
      core.events.emit('terminals.output', { id: 't', data: chunk, offset: i * chunk.length });
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Behind for longer than the limit allows.
    await expect.poll(() => buffered().length, { timeout: 10_000 }).toBe(0);
    (stalled.socket as unknown as { _socket: net.Socket })._socket.resume();
    await closed;
    expect(buffered()).toEqual([]);
  }, 30_000);
});
