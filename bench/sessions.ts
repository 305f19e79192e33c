import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createApi } from '../client/api';
import { createWsTransport } from '../client/ws-transport';
import type { Api, SessionSummary } from '../contract';
import { startServe } from '../e2e/support/serve';
import { claudeEnv } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { CLAUDE_BIN, makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { checkUntil } from '../main/testing/wait';
import { benchCore } from './bench-core';
import { RawClaude } from './raw-claude';
import { median, type BenchGroup, type Figure } from './figures';

const FOLLOWUPS = 40;
const NEW_SESSIONS = 10;
const COLD_SESSIONS = 5;
const SPAWNS = 5;
const PARALLEL = 20;
const CHUNKS = 40;

/** One `claude -p --resume` process per message, as the older bots did it. */
function spawnPerMessage(cwd: string, env: NodeJS.ProcessEnv, sessionId: string, first: boolean, text: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const args = ['-p', '--output-format', 'stream-json', '--verbose', '--include-partial-messages', first ? '--session-id' : '--resume', sessionId];
    const child = spawn(CLAUDE_BIN, args, { cwd, env });
    let firstToken = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!firstToken && chunk.toString().includes('"text_delta"')) firstToken = performance.now() - start;
    });
    child.once('error', reject);
    child.once('close', () => (firstToken ? resolve(firstToken) : reject(new Error('no text delta from claude -p'))));
    child.stdin.end(text);
  });
}

async function followupLatency(api: FakeAnthropic, dir: string): Promise<Figure[]> {
  const home = path.join(dir, 'latency-home');
  fs.mkdirSync(home, { recursive: true });
  const env = claudeEnv(api.url, home);
  const core = await benchCore(path.join(dir, 'latency-data'), { env, warmSpare: true });
  const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'browser' });
  const sendAndTime = async (text: string, sessionOf: () => Promise<string> = async () => session.id): Promise<number> => {
    let start = 0;
    let first = 0;
    let target = '';
    const done = new Promise<void>((resolve) => {
      const off = core.events.subscribe((name, payload) => {
        if (name !== 'sessions.stream') return;
        const { sessionId, item } = payload as { sessionId: string; item: { kind: string; turn?: { status: string } } };
        if (sessionId !== target) return;
        if (item.kind === 'text_delta' && !first) first = performance.now() - start;
        if (item.kind === 'turn' && item.turn && !['queued', 'running'].includes(item.turn.status)) {
          off();
          resolve();
        }
      });
    });
    start = performance.now();
    target = await sessionOf();
    const result = await core.router.call('sessions.send', { id: target, text }, { surface: 'browser', actor: 'browser:test' });
    if (!result.ok) throw new Error(result.error.message);
    await done;
    return first;
  };
  const rawCwd = path.join(dir, 'raw');
  fs.mkdirSync(rawCwd);
  const raw = new RawClaude(rawCwd, env);
  // Warm both: the first turn of a process pays for its start.
  await sendAndTime('warm up');
  await raw.turn('warm up');
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < FOLLOWUPS; i++) {
    ours.push(await sendAndTime(`follow-up ${i}`));
    bare.push(await raw.turn(`follow-up ${i}`));
  }
  raw.stop();

  // A new conversation: create + send → first text, with the warm spare refilled (and booted) before each.
  const caller = { surface: 'browser' as const, actor: 'browser:test' };
  const create = async (): Promise<string> => {
    const created = await core.router.call('sessions.create', { title: 'new' }, caller);
    if (!created.ok) throw new Error(created.error.message);
    return (created.value as SessionSummary).id;
  };
  const fresh: number[] = [];
  const before = core.sessions.spare.stats.claimed;
  for (let i = 0; i < NEW_SESSIONS; i++) {
    await checkUntil(core.sessions.spare.changes, () => core.sessions.spare.ready, 60_000, 'a booted warm spare');
    let id = '';
    fresh.push(await sendAndTime(`new ${i}`, async () => (id = await create())));
    await core.sessions.delete(id);
  }
  const warmUsed = core.sessions.spare.stats.claimed - before;
  // The same without the spare, for the record: a CLI started cold for the session.
  core.settings.set({ key: 'sessions.warmSpare', value: false });
  await core.sessions.spare.discard('the benchmark measures cold starts');
  const cold: number[] = [];
  for (let i = 0; i < COLD_SESSIONS; i++) {
    let id = '';
    cold.push(await sendAndTime(`cold ${i}`, async () => (id = await create())));
    await core.sessions.delete(id);
  }
  await core.stop();

  // The CLI's own first turn, the floor of a new conversation: a booted bare claude in a fresh folder, its first message.
  const rawFirst: number[] = [];
  for (let i = 0; i < NEW_SESSIONS; i++) {
    const cwd = path.join(dir, `raw-new-${i}`);
    fs.mkdirSync(cwd);
    const fresh = new RawClaude(cwd, env);
    await fresh.booted();
    rawFirst.push(await fresh.turn(`new ${i}`));
    fresh.stop();
  }

  const spawnCwd = path.join(dir, 'spawn');
  fs.mkdirSync(spawnCwd);
  const spawnSession = randomUUID();
  const spawned: number[] = [];
  for (let i = 0; i < SPAWNS; i++) spawned.push(await spawnPerMessage(spawnCwd, env, spawnSession, i === 0, `message ${i}`));

  const oursMs = median(ours);
  const bareMs = median(bare);
  const spawnMs = median(spawned);
  const newMs = median(fresh);
  return [
    { name: 'sessions.new_first_text_ms', value: newMs, unit: 'ms', note: `median of ${NEW_SESSIONS}: create + send to first text event, warm spare refilled between (${warmUsed} of ${NEW_SESSIONS} used it)` },
    { name: 'sessions.new_cold_first_text_ms', value: median(cold), unit: 'ms', note: `median of ${COLD_SESSIONS}: the same with the spare off (a CLI started for the session)` },
    { name: 'sessions.new_over_followup', value: newMs / oursMs, unit: 'x', goal: { below: 1.5 }, note: 'new conversation over follow-up, same run' },
    { name: 'sessions.new_raw_first_text_ms', value: median(rawFirst), unit: 'ms', note: `median of ${NEW_SESSIONS}: a booted bare claude's first message in a fresh folder (the CLI's own first-turn work), same run` },
    { name: 'sessions.new_over_raw', value: newMs / median(rawFirst), unit: 'x', note: 'new conversation through Switchboard over the bare CLI’s first turn: what Switchboard adds to the floor' },
    { name: 'sessions.followup_switchboard_ms', value: oursMs, unit: 'ms', note: `median of ${FOLLOWUPS}: contract send to first text event` },
    { name: 'sessions.followup_raw_ms', value: bareMs, unit: 'ms', note: 'warm claude stream-json process, same run' },
    { name: 'sessions.followup_spawn_ms', value: spawnMs, unit: 'ms', note: `median of ${SPAWNS}: one claude -p --resume per message` },
    { name: 'sessions.followup_overhead_ms', value: oursMs - bareMs, unit: 'ms', goal: { below: 10 }, note: 'Switchboard minus raw warm process' },
    { name: 'sessions.speedup_vs_spawn', value: spawnMs / oursMs, unit: 'x', goal: { above: 10 }, note: 'process per message over Switchboard' },
  ];
}

/** 20 sessions streaming at once through `serve` and its WebSocket: every delta, in order. */
async function parallelSessions(api: FakeAnthropic, dir: string): Promise<Figure[]> {
  const home = path.join(dir, 'parallel-home');
  fs.mkdirSync(home, { recursive: true });
  const served = await startServe(path.join(dir, 'parallel-data'), { env: claudeEnv(api.url, home) });
  const transport = createWsTransport({ url: `ws://127.0.0.1:${served.port}/ws`, token: served.token });
  const client: Api = createApi(transport);
  try {
    const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    unwrap(await client.settings.set({ key: 'sessions.maxProcesses', value: PARALLEL }));
    const sessions: SessionSummary[] = [];
    for (let i = 0; i < PARALLEL; i++) sessions.push(unwrap(await client.sessions.create({ title: `bench ${i}` })));
    const expected = (i: number) => Array.from({ length: CHUNKS }, (_, c) => `s${i}c${c} `).join('');
    api.respond((request) => {
      const match = /stream (\d+)/.exec(JSON.stringify(request.body.messages ?? []));
      const i = match ? Number(match[1]) : 0;
      return { kind: 'text', text: expected(i), chunks: CHUNKS, chunkDelayMs: 5 };
    });
    const received = new Map<string, string>();
    const ended = new Set<string>();
    let deltas = 0;
    const allDone = new Promise<void>((resolve) => {
      client.on('sessions.stream', ({ sessionId, item }) => {
        if (item.kind === 'text_delta') {
          deltas++;
          received.set(sessionId, (received.get(sessionId) ?? '') + item.text);
        }
        if (item.kind === 'turn' && !['queued', 'running'].includes(item.turn.status)) {
          ended.add(sessionId);
          if (ended.size === PARALLEL) resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await Promise.all(sessions.map((s, i) => client.sessions.send({ id: s.id, text: `stream ${i}` })));
    await allDone;
    const elapsed = performance.now() - started;
    let lost = 0;
    sessions.forEach((s, i) => {
      const want = expected(i).split(' ').filter(Boolean);
      const got = (received.get(s.id) ?? '').split(' ').filter(Boolean);
      // A token missing, or out of place, counts as lost.
      lost += want.filter((token, k) => got[k] !== token).length;
    });
    api.respond(null);
    await new Promise((r) => setTimeout(r, 2000));
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${served.process.pid}/status`, 'utf8'))![1]) / 1024;
    const live = unwrap(await client.sessions.list({})).filter((s) => s.pid !== null).length;
    return [
      { name: 'sessions.events_lost', value: lost, unit: 'count', goal: { below: 1 }, note: `tokens missing or out of order; ${PARALLEL} sessions × ${CHUNKS} API chunks, ${deltas} deltas over the WebSocket` },
      { name: 'sessions.parallel_20_ms', value: elapsed, unit: 'ms', note: `all ${PARALLEL} turns, cold processes, 2 cores` },
      { name: 'sessions.idle_rss_mb_20', value: rss, unit: 'MB', note: `serve with ${live} idle sessions, CLI processes excluded` },
    ];
  } finally {
    transport.close();
    await served.stop();
  }
}

export const sessionsGroup: BenchGroup = {
  name: 'sessions',
  description: 'follow-up latency against raw and per-message CLI processes; 20 sessions at once',
  async run() {
    const api = new FakeAnthropic();
    await api.start();
    const dir = makeTempDir('switchboard-bench-sessions-');
    try {
      return [...(await followupLatency(api, dir)), ...(await parallelSessions(api, dir))];
    } finally {
      await api.stop();
      removeTempDir(dir);
    }
  },
};
