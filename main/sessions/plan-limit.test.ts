import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxItem, SessionInbox } from '../../contract';
import { desktopCaller } from '../ipc/router';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { lastUserText } from '../testing/fake-anthropic';
import { ManualClock } from '../testing/manual-clock';
import { LimitWaiter, resetFromText, UNKNOWN_RESET_WAIT_MS } from './plan-limit';

// The real CLI against the Anthropic stand-in answering the plan-limit 429 with the API's reset headers,
// and a clock the test moves past the reset.
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** What the API sends a subscriber whose 5-hour window is spent (and, before, nearly spent). */
const planHeaders = (status: string, utilization: number, reset: number) => ({
  'anthropic-ratelimit-unified-status': status,
  'anthropic-ratelimit-unified-reset': String(reset),
  'anthropic-ratelimit-unified-representative-claim': 'five_hour',
  'anthropic-ratelimit-unified-5h-status': status,
  'anthropic-ratelimit-unified-5h-utilization': String(utilization),
  'anthropic-ratelimit-unified-5h-reset': String(reset),
});

describe('past the plan’s limit', { timeout: 90_000 }, () => {
  it('reads a reset time from what the CLI says, when it says one', () => {
    const now = new Date(2026, 5, 1, 9, 30).getTime();
    expect(resetFromText('Claude AI usage limit reached|1767225600', now)).toBe(1_767_225_600_000);
    expect(resetFromText('You’ve hit your limit · resets 2pm', now)).toBe(new Date(2026, 5, 1, 14, 0).getTime());
    expect(resetFromText("You've hit your 5-hour limit · resets 6:07am (UTC)", Date.UTC(2026, 5, 1, 9, 30))).toBe(Date.UTC(2026, 5, 2, 6, 7));
    expect(resetFromText('limit reached, resets at 8:15', now)).toBe(new Date(2026, 5, 2, 8, 15).getTime());
    expect(resetFromText('API Error: Request rejected (429) · This request would exceed your account’s rate limit.', now)).toBeNull();
  });

  it('wakes each waiting session once at the reset, in order, then the held jobs; one interrupted meanwhile is not woken', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    let planReset: number | null = clock.now() + 3_600_000;
    const waiter = new LimitWaiter({
      clock,
      enabled: () => true,
      planReset: () => planReset,
      continueSession: (id) => log.push(`continue ${id}`),
      releaseHeld: () => log.push('release held'),
      onWait: ({ sessionIds }) => log.push(`wait ${sessionIds.join(',')}`),
      onReset: ({ sessionIds }) => log.push(`reset ${sessionIds.join(',')}`),
      onLeave: (id) => log.push(`leave ${id}`),
    });
    expect(waiter.wait('a', 'Request rejected (429)')).toBe(planReset);
    waiter.wait('b', 'Request rejected (429)');
    waiter.wait('c', 'Request rejected (429)');
    expect(waiter.holdUntil()).toBe(planReset);
    waiter.forget('b');
    waiter.forget('b');
    clock.advanceTo(planReset! - 1000);
    expect(log).toEqual(['wait a', 'wait a,b', 'wait a,b,c', 'leave b']);
    clock.advanceTo(planReset!);
    expect(log.slice(4)).toEqual(['continue a', 'continue c', 'release held', 'reset a,c']);
    // Once: the clock moving on wakes nothing again.
    clock.advanceTo(planReset! + 3_600_000);
    expect(log).toHaveLength(8);
    expect(waiter.holdUntil()).toBeNull();
    // No reset known at all: it tries again a quarter of an hour later.
    planReset = null;
    const before = clock.now();
    const until = waiter.wait('d', 'Request rejected (429)')!;
    expect(until - before).toBeGreaterThanOrEqual(UNKNOWN_RESET_WAIT_MS);
    expect(until - before).toBeLessThan(UNKNOWN_RESET_WAIT_MS + 1000);
  });

  it('waits for the reset, then carries on once in the same session; the queue after it, a held job after that; one note for every waiting session', async () => {
    const clock = new ManualClock();
    // The CLI reports the plan's figures (rate_limit_event) only for a subscription or gateway credential.
    const gatewayToken = ['e30', Buffer.from(JSON.stringify({ aud: 'claude-gateway' })).toString('base64url'), 'sig'].join('.');
    h = await startHarness({ core: { clock, now: () => clock.now() }, env: { ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: gatewayToken } });
    const { core, api } = h;
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const r = await core.router.call(method, input, desktopCaller);
      if (!r.ok) throw new Error(r.error.message);
      return r.value as T;
    };
    const reset = Math.ceil(clock.now() / 1000) + 3600;
    const a = await call<{ id: string }>('sessions.create', { title: 'Report' });
    const b = await call<{ id: string }>('sessions.create', { title: 'Refactor' });

    // The window is spent: the API refuses with the reset headers; the CLI says "You've hit your 5-hour limit · resets …".
    const refused = { kind: 'error' as const, status: 429, type: 'rate_limit_error', message: 'This request would exceed your account’s rate limit. Please try again later.', headers: { ...planHeaders('rejected', 1, reset), 'retry-after': '3600' } };
    api.reply(refused, refused);
    api.respond((request) => {
      const said = lastUserText(request);
      if (said.includes('Your usage limit has reset')) return { kind: 'text', text: `Carried on after the reset (${request.body.messages?.length} messages).` };
      return { kind: 'text', text: `done: ${said}` };
    });
    const waitingA = nextEvent(core.events, 'inbox.changed', (p) => p.item?.kind === 'limit_wait' && p.item.sessionId === a.id);
    const turn = await call<{ id: string }>('sessions.send', { id: a.id, text: 'write the report' });
    const item = (await waitingA).item as InboxItem;
    const notice = core.sessions.transcript(a.id, 100).messages.find((m) => m.kind === 'notice' && m.text.includes('usage limit is reached'));
    expect(notice?.text).toMatch(/this turn waits for it to reset at [\d:]+( [AP]M)?, then carries on by itself/);
    expect(item).toMatchObject({ state: 'open', until: reset * 1000, link: `#/sessions/${a.id}` });
    expect(item.title).toMatch(/^Waiting for the plan’s limit to reset at [\d:]+/);
    const waitingB = nextEvent(core.events, 'inbox.changed', (p) => p.item?.kind === 'limit_wait' && p.item.sessionId === b.id);
    const other = await call<{ id: string }>('sessions.send', { id: b.id, text: 'refactor it' });
    await waitingB;
    // The turns wait (not failed), their processes stopped; a message sent meanwhile waits behind.
    expect(core.sessions.turn(turn.id).status).toBe('running');
    expect(core.sessions.get(a.id)).toMatchObject({ status: 'running', pid: null });
    const queued = await call<{ id: string; status: string }>('sessions.send', { id: a.id, text: 'then summarise it' });
    expect(queued.status).toBe('queued');
    // A scheduled job due meanwhile is held until the reset.
    const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const job = await call<{ id: string }>('schedules.create', { name: 'Digest', kind: 'claude', cron: `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`, timeZone: 'UTC', command: 'send the digest', missed: 'once' });
    const held = await nextEvent(core.events, 'schedules.run', (r) => r.jobId === job.id && r.status === 'held', 10_000);
    expect(held.reason).toContain('the plan’s usage limit is reached');
    expect(core.inbox.byKey(`hold:${held.id}`)).toMatchObject({ kind: 'usage_hold', state: 'open', title: 'Digest is held' });
    const before = api.mainRequests().length;
    // One note, for both sessions.
    expect(h.notifications.filter((n) => n.title.startsWith('Claude’s plan limit is reached'))).toHaveLength(1);

    // The reset: each waiting turn carries on once, then the queued message, and the held job after them.
    const jobRan = nextEvent(core.events, 'schedules.run', (r) => r.jobId === job.id && r.status === 'ok', 30_000);
    clock.advanceTo(reset * 1000);
    const continued = await h.turnEnded(turn.id);
    expect(continued.status).toBe('done');
    expect(continued.resultText).toMatch(/^Carried on after the reset/);
    expect((await h.turnEnded(other.id)).resultText).toMatch(/^Carried on after the reset/);
    const next = await h.turnEnded(queued.id);
    expect(next.resultText).toBe('done: then summarise it');
    expect(next.startedAt!).toBeGreaterThanOrEqual(continued.endedAt!);
    const ran = await jobRan;
    expect(ran.trigger).toBe('catch-up');
    // Nothing twice: one continuation per waiting turn, the queued message once, the job once.
    const said = api.mainRequests().slice(before).map(lastUserText);
    // The CLI sends the refused prompt again with the continuation, as one message (its error reply was never the model's).
    expect(said.filter((t) => t.includes('Your usage limit has reset')).sort()).toEqual([
      'refactor it\nYour usage limit has reset. Continue where you left off.',
      'write the report\nYour usage limit has reset. Continue where you left off.',
    ]);
    expect(said.filter((t) => t === 'then summarise it')).toHaveLength(1);
    expect(said.filter((t) => t.includes('send the digest'))).toHaveLength(1);
    expect(core.scheduler.runs(job.id, 10).map((r) => r.status)).toEqual(['ok', 'held']);
    expect(core.inbox.byKey(`hold:${held.id}`)).toMatchObject({ state: 'settled', outcome: 'Released: the window reset.' });
    // The same Claude session all along, and the wait settled in the inbox.
    expect(core.sessions.turn(turn.id).status).toBe('done');
    const page = await call<{ items: InboxItem[] }>('inbox.list', { filter: 'all' });
    expect(page.items.filter((i) => i.kind === 'limit_wait').map((i) => i.state)).toEqual(['settled', 'settled']);
  });
  it('keeps a wait across a restart: the session still waits for the reset, carries on once after it, its queue after that; nothing runs twice', async () => {
    const clock = new ManualClock();
    const gatewayToken = ['e30', Buffer.from(JSON.stringify({ aud: 'claude-gateway' })).toString('base64url'), 'sig'].join('.');
    const start = (dir?: string) => startHarness({ ...(dir ? { dir } : {}), core: { clock, now: () => clock.now() }, env: { ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: gatewayToken } });
    h = await start();
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const r = await h!.core.router.call(method, input, desktopCaller);
      if (!r.ok) throw new Error(r.error.message);
      return r.value as T;
    };
    const reset = Math.ceil(clock.now() / 1000) + 3600;
    const refused = { kind: 'error' as const, status: 429, type: 'rate_limit_error', message: 'This request would exceed your account’s rate limit. Please try again later.', headers: { ...planHeaders('rejected', 1, reset), 'retry-after': '3600' } };
    h.api.reply(refused, refused);
    const a = await call<{ id: string }>('sessions.create', { title: 'Report' });
    const waiting = nextEvent(h.core.events, 'inbox.changed', (p) => p.item?.kind === 'limit_wait' && p.item.sessionId === a.id);
    const turn = await call<{ id: string }>('sessions.send', { id: a.id, text: 'write the report' });
    await waiting;
    const queued = await call<{ id: string; status: string }>('sessions.send', { id: a.id, text: 'then summarise it' });
    expect(queued.status).toBe('queued');
    const kept = path.join(h.core.config.dataDir, 'limit-waits.json');
    expect(JSON.parse(fs.readFileSync(kept, 'utf8'))).toMatchObject({ waits: [{ sessionId: a.id, turnId: turn.id, until: reset * 1000 }] });
    expect((fs.statSync(kept).mode & 0o777).toString(8)).toBe('600');

    // Switchboard restarts before the reset: the turn still waits, the message behind it still queued.
    const dir = h.dir;
    await h.close(true);
    h = await start(dir);
    h.api.respond((request) => {
      const said = lastUserText(request);
      if (said.includes('Your usage limit has reset')) return { kind: 'text', text: 'Carried on after the restart and the reset.' };
      return { kind: 'text', text: `done: ${said}` };
    });
    expect(h.core.sessions.get(a.id).status).toBe('running');
    expect(h.core.sessions.turn(turn.id)).toMatchObject({ status: 'running', position: 0 });
    expect(h.core.sessions.turn(queued.id)).toMatchObject({ status: 'queued', position: 1 });
    const bySession = await call<Record<string, SessionInbox>>('inbox.sessions', {});
    expect(bySession[a.id]!.limitUntil).toBe(reset * 1000);
    const open = (await call<{ items: InboxItem[] }>('inbox.list', { filter: 'all' })).items.filter((i) => i.kind === 'limit_wait');
    expect(open.map((i) => i.state)).toEqual(['open']);
    expect(open[0]!.title).toMatch(/^Waiting for the plan’s limit to reset at [\d:]+/);
    // Nothing ran at the restart, and no second note.
    expect(h.api.mainRequests()).toHaveLength(0);
    expect(h.notifications.filter((n) => n.title.startsWith('Claude’s plan limit is reached'))).toHaveLength(0);

    // The reset: the turn carries on once in the same session, then the queued message.
    clock.advanceTo(reset * 1000);
    const continued = await h.turnEnded(turn.id);
    expect(continued).toMatchObject({ status: 'done', resultText: 'Carried on after the restart and the reset.' });
    const next = await h.turnEnded(queued.id);
    expect(next.resultText).toBe('done: then summarise it');
    expect(next.startedAt!).toBeGreaterThanOrEqual(continued.endedAt!);
    expect(h.api.mainRequests().map(lastUserText)).toEqual(['write the report\nYour usage limit has reset. Continue where you left off.', 'then summarise it']);
    expect((await call<{ items: InboxItem[] }>('inbox.list', { filter: 'all' })).items.filter((i) => i.kind === 'limit_wait').map((i) => i.state)).toEqual(['settled']);
    expect(fs.existsSync(kept)).toBe(false);

    // Another restart runs nothing again.
    await h.close(true);
    h = await start(dir);
    clock.advanceTo(reset * 1000 + 3_600_000);
    expect(h.core.sessions.get(a.id).status).not.toBe('running');
    expect(h.core.sessions.turn(turn.id).status).toBe('done');
    expect(h.api.mainRequests()).toHaveLength(0);
  });
});
