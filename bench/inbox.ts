import https from 'node:https';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { InboxKind } from '../contract';
import type { Core } from '../main/core';
import { desktopCaller } from '../main/ipc/router';
import { FakePushService } from '../main/testing/fake-push-service';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { median, type BenchGroup, type Figure } from './figures';

const ITEMS = 100_000;
const KINDS: InboxKind[] = ['note', 'done', 'job_result', 'job_failed', 'usage_alert', 'failed', 'question', 'stop', 'job_approval'];

async function timeMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** A year of inbox: 100,000 items of every kind, most read or settled, a few hundred still needing you. */
function seed(core: Core): void {
  const db = core.storage.db;

  db.transaction(() => {
    for (let n = 0; n < ITEMS; n++) {
      const kind = KINDS[n % KINDS.length]!;
      const item = core.inbox.record({ key: `bench:${n}`, kind, source: 'bench', sessionId: `session-${n % 500}`, title: `Item ${n}`, text: `what happened in item ${n}`.repeat(3), link: `#/sessions/session-${n % 500}` });
      // The old ones are over: answered, read, put away.
      if (n < ITEMS - 2000) {
        if (n % 3 === 0) core.inbox.settle(item.id, 'Answered on Telegram.');
        else if (n % 3 === 1) core.inbox.dismiss(item.id);
      }
    }
  })();
  core.inbox.markRead({ all: true });

}

async function listAtScale(): Promise<Figure[]> {
  const dir = makeTempDir('switchboard-bench-inbox-');
  const core = await benchCore(path.join(dir, 'data'));
  try {
    const t0 = performance.now();
    seed(core);
    const seedS = (performance.now() - t0) / 1000;
    const list = (input: object) => core.router.call('inbox.list', input, desktopCaller);
    const byFilter: Record<string, number> = {};
    for (const filter of ['needs_you', 'open', 'unread', 'all']) byFilter[filter] = await timeMs(30, () => list({ filter, limit: 50 }));
    const deep = await timeMs(30, () => list({ filter: 'all', limit: 50, before: ITEMS / 2 }));
    const sessions = await timeMs(30, () => core.router.call('inbox.sessions', {}, desktopCaller));
    const worst = Math.max(...Object.values(byFilter));
    return [
      { name: 'inbox.list_ms', value: worst, unit: 'ms', goal: { below: 20 }, note: `a page of 50 through the router over ${ITEMS.toLocaleString('en')} items, the slowest filter (${Object.entries(byFilter).map(([f, v]) => `${f} ${v.toFixed(2)}`).join(', ')}), median of 30` },
      { name: 'inbox.list_deep_page_ms', value: deep, unit: 'ms', note: 'a page half-way down (before = 50,000)' },
      { name: 'inbox.sessions_ms', value: sessions, unit: 'ms', note: 'the open items by session (the Sessions list’s states)' },
      { name: 'inbox.record_items_per_s', value: ITEMS / seedS, unit: 'items/s', note: 'items recorded with their events, settled or dismissed as they go' },
    ];
  } finally {
    await core.stop();
    removeTempDir(dir);
  }
}

/** An item that needs you, from the inbox to the push-service stand-in that decrypts it: encryption, VAPID signing, TLS. */
async function pushLatency(): Promise<Figure[]> {
  const dir = makeTempDir('switchboard-bench-push-');
  const service = await new FakePushService().start();
  const core = await benchCore(path.join(dir, 'data'), { pushAgent: new https.Agent({ ca: service.ca, keepAlive: true }) });
  try {
    await core.router.call('push.subscribe', { subscription: service.subscribe(), name: 'Phone' }, desktopCaller);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      // Apart by more than the gap between pushes (items closer together go as one).
      await new Promise((resolve) => setTimeout(resolve, 600));
      const before = service.received.length;
      const t0 = performance.now();
      core.inbox.record({ key: `push:${i}`, kind: 'question', source: 'bench', title: `Claude asks to use Bash (${i})`, text: 'npm publish' });
      await service.until(() => service.received.length > before, 10_000);
      times.push(performance.now() - t0);
    }
    return [{ name: 'inbox.push_ms', value: median(times.slice(1)), unit: 'ms', goal: { below: 100 }, note: `an item that needs you to the loopback push service, decrypted there; median of 29, 600 ms apart (first, with the TLS handshake: ${times[0]!.toFixed(1)} ms)` }];
  } finally {
    await core.stop();
    await service.stop();
    removeTempDir(dir);
  }
}

/** 1,000 items arriving within one second (a tenth need you, so go to a subscribed phone): the event loop meanwhile. */
async function burst(): Promise<Figure[]> {
  const dir = makeTempDir('switchboard-bench-inbox-burst-');
  const service = await new FakePushService().start();
  const core = await benchCore(path.join(dir, 'data'), { pushAgent: new https.Agent({ ca: service.ca, keepAlive: true }) });
  try {
    await core.router.call('push.subscribe', { subscription: service.subscribe(), name: 'Phone' }, desktopCaller);
    let changes = 0;
    core.events.on('inbox.changed', () => changes++);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      // Ten every 10 ms: a thousand in a second.
      const timer = setInterval(() => {
        for (let i = 0; i < 10; i++, sent++) {
          const needs = sent % 10 === 0;
          core.inbox.record({ key: `burst:${sent}`, kind: needs ? 'question' : 'note', source: 'bench', title: `Item ${sent}`, text: 'arrived in the burst' });
        }
        if (sent >= 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    // Items of a burst go together: one push every half second at most.
    await service.until(() => service.received.some((r) => r.payload.includes('need you')), 30_000, 'the pushes of the burst');
    await new Promise((resolve) => setTimeout(resolve, 600));
    delay.disable();
    const elapsed = performance.now() - started;
    return [
      { name: 'inbox.event_loop_p99_ms', value: delay.percentile(99) / 1e6, unit: 'ms', goal: { below: 20 }, note: `1,000 items in ${(elapsed / 1000).toFixed(2)} s, ${changes} inbox.changed events; the 100 that need you in ${service.received.length} pushes; max ${(delay.max / 1e6).toFixed(1)} ms` },
    ];
  } finally {
    await core.stop();
    await service.stop();
    removeTempDir(dir);
  }
}

export const inboxGroup: BenchGroup = {
  name: 'inbox',
  description: 'the inbox at 100,000 items, an item to a phone by Web Push, 1,000 items in a second',
  async run() {
    return [...(await listAtScale()), ...(await pushLatency()), ...(await burst())];
  },
};


