import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type net from 'node:net';
import WebSocket from 'ws';
import { WS_PROTOCOL, WS_TOKEN_PREFIX, type TerminalInfo } from '../contract';
import { startServe, type Served } from '../e2e/support/serve';
import { fuzzServer } from '../main/testing/request-fuzzer';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import type { BenchGroup, Figure } from './figures';

const FLOOD_BYTES = 120 * 1000 * 1000;
const FUZZ_REQUESTS = 10_000;
const ANSWERS = 300;

/** Resident memory of a process, in MB, from /proc. */
function rssMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

async function call<T>(served: Served, method: string, input: unknown): Promise<T> {
  const res = await fetch(`${served.base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}

/** A browser tab that subscribed to terminal output and then stopped reading (paused, asleep). */
async function stalledSubscriber(served: Served): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${served.port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${served.token}`]);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ t: 'sub', id: 1, event: 'terminals.output' }));
  await new Promise((resolve) => socket.once('message', resolve));
  (socket as unknown as { _socket: net.Socket })._socket.pause();
  return socket;
}

/** Server memory growth while a terminal prints FLOOD_BYTES, with or without a subscriber that reads none of it. */
async function floodGrowth(served: Served, withStalled: boolean): Promise<{ growth: number; baseline: number; peak: number; seconds: number }> {
  const pid = served.process.pid!;
  const stalled = withStalled ? await stalledSubscriber(served) : null;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baseline = rssMb(pid);
  const terminal = await call<TerminalInfo>(served, 'terminals.open', { command: 'shell', cols: 120, rows: 40 });
  const started = performance.now();
  await call(served, 'terminals.write', { id: terminal.id, data: `head -c ${FLOOD_BYTES} /dev/zero | tr '\\0' x; exit\r` });
  let peak = baseline;
  for (;;) {
    peak = Math.max(peak, rssMb(pid));
    const list = await call<TerminalInfo[]>(served, 'terminals.list', {});
    if (list.find((t) => t.id === terminal.id)?.exit) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, rssMb(pid));
  stalled?.terminate();
  return { growth: peak - baseline, baseline, peak, seconds };
}

async function floods(served: Served): Promise<Figure[]> {
  // Side by side: the flood alone first (what the pty and the heap cost), then with the stalled subscriber.
  const alone = await floodGrowth(served, false);
  const stalled = await floodGrowth(served, true);
  return [
    {
      name: 'server.stalled_client_growth_mb',
      value: stalled.growth,
      unit: 'MB',
      goal: { below: 50 },
      note: `serve RSS ${stalled.baseline.toFixed(0)} → peak ${stalled.peak.toFixed(0)} MB while ${FLOOD_BYTES / 1e6} MB went to a terminal`,
    },
    { name: 'server.flood_growth_no_client_mb', value: alone.growth, unit: 'MB', note: 'the same flood with no subscriber: the share of the heap, not of the stalled client' },
    { name: 'server.terminal_flood_mb_per_s', value: FLOOD_BYTES / 1e6 / stalled.seconds, unit: 'MB/s', note: 'through the pty and the event stream, one stalled subscriber' },
  ];
}

/**
 * A client that never reads asks for answers of about 100 KB (memory.export of ten 10 KB memories),
 * ANSWERS times: the server's growth, and whether it dropped the client rather than hold its answers.
 */
async function answerGrowth(served: Served): Promise<Figure[]> {
  const memories = Array.from({ length: 10 }, () => ({ text: randomBytes(5000).toString('hex'), category: 'bench' }));
  await call(served, 'memory.import', { data: { memories } });
  const pid = served.process.pid!;
  const socket = new WebSocket(`ws://127.0.0.1:${served.port}/ws`, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${served.token}`]);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const first = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  socket.send(JSON.stringify({ t: 'call', id: 0, method: 'memory.export', input: {} }));
  const answerKb = Buffer.byteLength(await first) / 1024;
  let dropped = false;
  socket.on('close', () => (dropped = true));
  socket.on('error', () => {});
  (socket as unknown as { _socket: net.Socket })._socket.pause();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baseline = rssMb(pid);
  let peak = baseline;
  for (let i = 1; i <= ANSWERS; i++) {
    if (socket.readyState !== socket.OPEN) break;
    socket.send(JSON.stringify({ t: 'call', id: i, method: 'memory.export', input: {} }));
    if (i % 10 === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      peak = Math.max(peak, rssMb(pid));
    }
  }
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    peak = Math.max(peak, rssMb(pid));
  }
  (socket as unknown as { _socket: net.Socket })._socket.resume();
  await new Promise((resolve) => setTimeout(resolve, 500));
  socket.terminate();
  return [
    {
      name: 'server.ws_answer_growth_mb',
      value: peak - baseline,
      unit: 'MB',
      goal: { below: 50 },
      note: `serve RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB while a client that never reads asked ${ANSWERS} answers of ${answerKb.toFixed(0)} KB; ${dropped ? 'the client was dropped' : 'the client was NOT dropped'}`,
    },
  ];
}

async function fuzz(served: Served): Promise<Figure[]> {
  const hooksToken = (await call<{ token: string }>(served, 'system.rotateToken', { scope: 'hooks' })).token;
  const mcpToken = (await call<{ token: string }>(served, 'system.rotateToken', { scope: 'mcp' })).token;
  const result = await fuzzServer({ port: served.port, token: served.token, hooksToken, mcpToken }, { count: FUZZ_REQUESTS, seed: Date.now() });
  const died = served.process.exitCode !== null || served.process.signalCode !== null;
  return [
    { name: 'server.fuzz_requests_per_s', value: result.sent / (result.ms / 1000), unit: 'req/s', note: `${result.sent} requests over raw sockets, 32 at a time: half random and mutated HTTP, half garbage inside well-formed calls to every contract method, /hooks and /mcp` },
    { name: 'server.fuzz_crashes', value: result.crashes + (died ? 1 : 0), unit: 'count', goal: { below: 1 } },
    { name: 'server.fuzz_500s', value: result.status500, unit: 'count', goal: { below: 1 }, note: result.samples.length ? `first: ${result.samples[0]!.split('\r\n')[0]}` : 'no answer of 500' },
  ];
}

export const serverGroup: BenchGroup = {
  name: 'server',
  description: `serve with a stalled subscriber while a terminal prints ${FLOOD_BYTES / 1e6} MB; a client that never reads asking ${ANSWERS} answers; ${FUZZ_REQUESTS} fuzzed requests`,
  async run() {
    const dir = makeTempDir('switchboard-bench-server-');
    try {
      const flood = await startServe(dir, { env: { SHELL: '/bin/bash' } });
      let figures: Figure[];
      try {
        figures = await floods(flood);
        figures.push(...(await answerGrowth(flood)));
        figures.push(...(await fuzz(flood)));
      } finally {
        await flood.stop();
      }
      return figures;
    } finally {
      removeTempDir(dir);
    }
  },
};
