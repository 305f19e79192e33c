import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { money, type UsageGroup, type UsageSummary, type UserNotification } from '../../contract';
import { desktopCaller } from '../ipc/router';
import { startHarness, type Harness } from '../testing/claude-harness';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { nextEvent } from '../testing/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = Record<string, unknown>;
const assistant = (o: { uuid: string; session: string; cwd: string; at: string; id: string; model: string; usage: [number, number, number, number]; sidechain?: boolean; costUSD?: number }): Line => ({
  type: 'assistant',
  uuid: o.uuid,
  sessionId: o.session,
  cwd: o.cwd,
  timestamp: o.at,
  requestId: `req_${o.id}`,
  isSidechain: o.sidechain ?? false,
  ...(o.costUSD === undefined ? {} : { costUSD: o.costUSD }),
  message: {
    id: o.id,
    model: o.model,
    role: 'assistant',
    content: [{ type: 'text', text: `answer ${o.uuid}` }],
    usage: { input_tokens: o.usage[0], output_tokens: o.usage[1], cache_creation_input_tokens: o.usage[2], cache_read_input_tokens: o.usage[3] },
  },
});
const user = (uuid: string, session: string, cwd: string, at: string, text: string): Line => ({ type: 'user', uuid, sessionId: session, cwd, timestamp: at, message: { role: 'user', content: text } });
const write = (file: string, lines: Line[]) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
};

describe('usage from transcripts', () => {
  it('counts every answer once (lines written twice, partial lines, subagent copies) and prices what has no cost', async () => {
    const dir = makeTempDir('switchboard-usage-');
    cleanups.push(() => removeTempDir(dir));
    const projects = path.join(dir, 'home', '.claude', 'projects');
    const alpha = { session: 'aaaaaaaa-0000-0000-0000-000000000001', cwd: '/work/alpha' };
    const day = '2026-12-01T12:';
    write(path.join(projects, '-work-alpha', `${alpha.session}.jsonl`), [
      user('u0', alpha.session, alpha.cwd, `${day}00:00.000Z`, 'hello'),
      // Sonnet: 100 in, 50 out, 1,000 cache write, 2,000 cache read = $0.0054; the same answer written twice.
      assistant({ ...alpha, uuid: 'u1', at: `${day}00:01.000Z`, id: 'msg_1', model: 'claude-sonnet-4-5-20250929', usage: [100, 50, 1000, 2000] }),
      assistant({ ...alpha, uuid: 'u1b', at: `${day}00:01.000Z`, id: 'msg_1', model: 'claude-sonnet-4-5-20250929', usage: [100, 50, 1000, 2000] }),
      // Opus 4.5: 10 in, 200 out, 5,000 cache read = $0.00755.
      assistant({ ...alpha, uuid: 'u2', at: `${day}05:00.000Z`, id: 'msg_2', model: 'claude-opus-4-5-20251101', usage: [10, 200, 0, 5000] }),
      // Haiku 4.5, one answer in two lines: the first with the output so far, the second with all of it (300) = $0.00152.
      assistant({ ...alpha, uuid: 'u3', at: `${day}06:00.000Z`, id: 'msg_3', model: 'claude-haiku-4-5', usage: [20, 1, 0, 0] }),
      assistant({ ...alpha, uuid: 'u3b', at: `${day}06:00.000Z`, id: 'msg_3', model: 'claude-haiku-4-5', usage: [20, 300, 0, 0] }),
      // A subagent's answer in the parent's transcript (sidechain): 1,000 in, 100 out = $0.0045 ...
      assistant({ ...alpha, uuid: 'u4', at: `${day}07:00.000Z`, id: 'msg_4', model: 'claude-sonnet-4-5', usage: [1000, 100, 0, 0], sidechain: true }),
      // A model the price table does not know: counted, cost 0, named as unpriced.
      assistant({ ...alpha, uuid: 'u6', at: `${day}08:00.000Z`, id: 'msg_6', model: 'mystery-model-1', usage: [100, 0, 0, 0] }),
    ]);
    // ... and the same answer again in the subagent's own file.
    write(path.join(projects, '-work-alpha', alpha.session, 'subagents', 'agent-1.jsonl'), [
      assistant({ ...alpha, uuid: 'a1', at: `${day}07:00.000Z`, id: 'msg_4', model: 'claude-sonnet-4-5', usage: [1000, 100, 0, 0], sidechain: true }),
    ]);
    // An older CLI wrote the cost on the line: that cost wins over the table.
    const beta = { session: 'bbbbbbbb-0000-0000-0000-000000000002', cwd: '/work/beta' };
    write(path.join(projects, '-work-beta', `${beta.session}.jsonl`), [
      user('v0', beta.session, beta.cwd, `${day}30:00.000Z`, 'build it'),
      assistant({ ...beta, uuid: 'v1', at: `${day}30:01.000Z`, id: 'msg_5', model: 'claude-sonnet-4-5', usage: [10, 10, 0, 0], costUSD: 0.5 }),
    ]);

    const core = testCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: path.join(dir, 'home') } });
    await core.start();
    cleanups.push(() => core.stop());
    await core.transcripts.importAll();
    const result = await core.router.call('usage.summary', { from: '2026-11-30', to: '2026-12-02' }, desktopCaller);
    if (!result.ok) throw new Error(result.error.message);
    const u = result.value as UsageSummary;
    expect(u.totals).toEqual({ input: 1240, output: 660, cacheWrite: 1000, cacheRead: 7000, costUsd: expect.closeTo(0.51897, 10), requests: 6 });
    expect(u.byProject.map((p) => [p.key, p.requests])).toEqual([
      ['/work/beta', 1],
      ['/work/alpha', 5],
    ]);
    expect(u.bySurface.map((s) => s.key)).toEqual(['external']);
    expect(u.byModel.find((m) => m.key === 'claude-opus-4-5-20251101')?.costUsd).toBeCloseTo(0.00755, 10);
    expect(u.unpriced).toEqual(['mystery-model-1']);
    expect(u.days.map((d) => d.day)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    expect(u.days.reduce((sum, d) => sum + d.requests, 0)).toBe(6);
    // Drill down: the day's sessions, then one session's answers, each linked to its conversation.
    const day1 = u.days.find((d) => d.requests)!.day;
    const sessions = await core.router.call('usage.sessions', { day: day1 }, desktopCaller);
    if (!sessions.ok) throw new Error(sessions.error.message);
    const list = sessions.value as UsageGroup[];
    expect(list.map((s) => s.label)).toEqual(['build it', 'hello']);
    const turns = await core.router.call('usage.turns', { sessionId: list[1]!.key }, desktopCaller);
    expect(turns).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ model: 'claude-haiku-4-5', output: 300, requests: 1 })]) });

    // Read again from the start (a rewritten file): nothing doubles.
    core.storage.db.prepare('UPDATE transcript_files SET offset = 0').run();
    await core.transcripts.importAll();
    const again = await core.router.call('usage.summary', { from: '2026-11-30', to: '2026-12-02' }, desktopCaller);
    expect(again).toMatchObject({ ok: true, value: { totals: { requests: 6, output: 660 } } });
  });
});

describe('usage by project', () => {
  it("counts sessions started without a folder (each in its own under the data folder) as one project, not one per id", async () => {
    const dir = makeTempDir('switchboard-usage-');
    cleanups.push(() => removeTempDir(dir));
    const data = path.join(dir, 'data');
    const projects = path.join(dir, 'home', '.claude', 'projects');
    const at = '2026-12-01T12:00:01.000Z';
    ['11111111-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000002'].forEach((session, i) => {
      const cwd = path.join(data, 'sessions', `own-${i}`);
      write(path.join(projects, cwd.replaceAll('/', '-'), `${session}.jsonl`), [
        user(`u${i}`, session, cwd, at, 'hi'),
        assistant({ session, cwd, uuid: `a${i}`, at, id: `msg_own_${i}`, model: 'claude-sonnet-4-5', usage: [100, 10, 0, 0] }),
      ]);
    });
    const elsewhere = { session: '33333333-0000-4000-8000-000000000003', cwd: '/work/gamma' };
    write(path.join(projects, '-work-gamma', `${elsewhere.session}.jsonl`), [
      assistant({ ...elsewhere, uuid: 'g1', at, id: 'msg_gamma', model: 'claude-sonnet-4-5', usage: [100, 10, 0, 0] }),
    ]);
    const core = testCore(data, { env: { PATH: process.env.PATH, HOME: path.join(dir, 'home') } });
    await core.start();
    cleanups.push(() => core.stop());
    await core.transcripts.importAll();
    const result = await core.router.call('usage.summary', { from: '2026-11-30', to: '2026-12-02' }, desktopCaller);
    if (!result.ok) throw new Error(result.error.message);
    const byProject = (result.value as UsageSummary).byProject;
    expect(byProject.map((p) => [p.label, p.requests])).toEqual([
      ['No project folder', 2],
      ['/work/gamma', 1],
    ]);
  });
});

describe('estimates of the plan windows', () => {
  it("shows the first window without a percentage and warns nobody; against a limit set in Settings it warns once", async () => {
    const dir = makeTempDir('switchboard-usage-');
    cleanups.push(() => removeTempDir(dir));
    const core = testCore(path.join(dir, 'data'));
    await core.start();
    cleanups.push(() => core.stop());
    const notes: UserNotification[] = [];
    core.events.on('system.notification', (n) => notes.push(n));
    const answer = (key: string, tokens: number) => ({ key, at: Date.now() - 60_000, model: 'claude-sonnet-4-5', input: tokens, output: 0, cacheWrite: 0, cacheRead: 0, costUsd: null });
    core.usage.record([answer('a', 900)], { sessionId: null, surface: 'external', project: '/p', ours: false });
    await nextEvent(core.events, 'usage.changed', () => true, 5000);
    expect(core.usage.windows().fiveHour).toMatchObject({ source: 'estimate', basis: null, percent: null, tokens: 900 });
    core.settings.set({ key: 'usage.windowTokenLimit', value: 1000 });
    core.usage.record([answer('b', 10)], { sessionId: null, surface: 'external', project: '/p', ours: false });
    const warned = await nextEvent(core.events, 'system.notification', (n) => n.title.includes('5-hour window'), 5000);
    expect(warned.title).toBe("Switchboard: Claude's 5-hour window is at 91%");
    expect(core.usage.windows().fiveHour).toMatchObject({ basis: 'setting', percent: 91 });
    // The same through the contract, as the sidebar meter asks for it.
    expect(await core.router.call('usage.windows', {}, desktopCaller)).toMatchObject({ ok: true, value: { fiveHour: { basis: 'setting', percent: 91 }, week: { kind: 'seven_day' } } });
    // Once per window: more use in the same window warns no more until the next threshold.
    core.usage.record([answer('c', 20)], { sessionId: null, surface: 'external', project: '/p', ours: false });
    await nextEvent(core.events, 'usage.changed', () => true, 5000);
    expect(notes.filter((n) => n.title.includes('5-hour window'))).toHaveLength(1);
  });
});

describe('usage of Switchboard’s own sessions, plan windows, budgets and holds', { timeout: 60_000 }, () => {
  let h: Harness;
  const start = async (options: Parameters<typeof startHarness>[0] = {}) => {
    h = await startHarness(options);
    cleanups.push(() => h.close());
    return h;
  };

  it("shows the plan's own figure once the real CLI reports it (rate_limit_event from the API's headers), and counts the turn's usage with its surface and turn", async () => {
    // The CLI reads Anthropic's unified rate-limit headers and reports them only for a subscription or gateway
    // credential: a token whose audience is claude-gateway, used against a base URL of our own.
    const gatewayToken = ['e30', Buffer.from(JSON.stringify({ aud: 'claude-gateway' })).toString('base64url'), 'sig'].join('.');
    const { core, api } = await start({ env: { ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: gatewayToken } });
    const reset = Math.round(Date.now() / 1000) + 2 * 3600;
    api.headers = {
      'anthropic-ratelimit-unified-status': 'allowed_warning',
      'anthropic-ratelimit-unified-reset': String(reset),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
      'anthropic-ratelimit-unified-5h-utilization': '0.91',
      'anthropic-ratelimit-unified-5h-reset': String(reset),
      'anthropic-ratelimit-unified-7d-status': 'allowed',
      'anthropic-ratelimit-unified-7d-utilization': '0.35',
      'anthropic-ratelimit-unified-7d-reset': String(reset + 3 * 86_400),
    };
    const before = core.usage.windows();
    expect(before.fiveHour.source).toBe('estimate');
    const alert = nextEvent(core.events, 'system.notification', (n: UserNotification) => n.title.includes("5-hour window is at 91%"), 20_000);
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'telegram' });
    const turn = await h.turnEnded(core.sessions.send(session.id, 'hello', { surface: 'telegram', actor: 'telegram:1' }).id);
    await nextEvent(core.events, 'usage.changed', () => core.usage.windows().fiveHour.source === 'plan' && core.usage.summary({ days: 1 }).totals.requests > 0, 20_000).catch(() => null);
    const { fiveHour, week } = core.usage.windows();
    expect(fiveHour).toMatchObject({ source: 'plan', percent: 91, resetsAt: reset * 1000, status: 'allowed_warning' });
    expect(week).toMatchObject({ source: 'plan', percent: 35 });
    // One warning for this window, on the desktop and (through the notification) on Telegram.
    expect((await alert).body).toContain("Your plan's own figure");
    // Kept in the inbox too.
    expect(core.inbox.list({ filter: 'all', limit: 10 }).items.find((i) => i.kind === 'usage_alert')).toMatchObject({ source: 'usage', link: '#/usage' });
    const summary = core.usage.summary({ days: 1 });
    expect(summary.bySurface.map((s) => s.key)).toEqual(['telegram']);
    expect(summary.bySession[0]).toMatchObject({ key: session.id, surface: 'telegram' });
    const turns = core.usage.turns(session.id);
    expect(turns[0]).toMatchObject({ turnId: turn.id, label: 'hello' });
    expect(turns[0]!.input).toBeGreaterThan(0);
  });

  it('holds a scheduled Claude job while the window is over the threshold, and runs it after the reset, across a restart', async () => {
    let { core } = await start();
    core.settings.set({ key: 'usage.holdJobsAbovePercent', value: 90 });
    const resetsAt = Math.ceil(Date.now() / 1000) + 6;
    core.usage.observeRateLimit({ status: 'allowed_warning', unifiedWindows: { five_hour: { utilization: 0.93, resetsAt, status: 'allowed_warning' } } });
    // Due once, two seconds from now.
    const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
    const created = await core.router.call('schedules.create', { name: 'Nightly summary', kind: 'claude', cron, timeZone: 'UTC', command: 'summarise', missed: 'once' }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const job = created.value as { id: string };
    const held = await nextEvent(core.events, 'schedules.run', (r) => r.jobId === job.id && r.status === 'held', 10_000);
    expect(held.reason).toMatch(/^held: the 5-hour window is at 93% \(the plan's own figure\), over the 90% hold; it resets at .+; it runs once then$/);
    // Switchboard restarts before the reset: the held run still waits, and goes after it.
    const dir = h.dir;
    await h.close(true);
    cleanups.pop();
    // The second harness removes the folder when it closes.
    ({ core } = await start({ dir }));
    const ran = await nextEvent(core.events, 'schedules.run', (r) => r.jobId === job.id && r.status === 'ok', 20_000);
    expect(ran.trigger).toBe('catch-up');
    expect(ran.startedAt!).toBeGreaterThanOrEqual(resetsAt * 1000);
    expect(core.scheduler.runs(job.id, 10).map((r) => r.status)).toEqual(['ok', 'held']);
  });

  it('refuses a turn past the daily budget with a clear message (a job due then is skipped), and past a surface’s own cap only on that surface', async () => {
    const { core } = await start();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    // A desk session continued from Telegram: the turn counts for Telegram.
    await h.turnEnded(core.sessions.send(session.id, 'hello', { surface: 'telegram', actor: 'telegram:1' }).id);
    await nextEvent(core.events, 'usage.changed', () => core.usage.summary({ days: 1 }).today.costUsd > 0, 20_000).catch(() => null);
    const spent = core.usage.summary({ days: 1 }).today.costUsd;
    expect(spent).toBeGreaterThan(0);
    core.settings.set({ key: 'usage.dailyBudgetUsd', value: spent / 2 });
    const refused = await core.router.call('sessions.send', { id: session.id, text: 'one more' }, desktopCaller);
    // Small amounts keep their digits (one formatter): never "budget of $0.00 is spent ($0.01)".
    expect(refused).toMatchObject({ ok: false, error: { code: 'capacity', message: `Today's Claude budget of ${money(spent / 2)} is spent (${money(spent)}). New turns wait until tomorrow, or raise it in Settings → Usage.` } });
    expect(money(spent / 2)).not.toBe('$0.00');
    // A Claude job due now is skipped with that reason, without starting Claude.
    const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const created = await core.router.call(
      'schedules.create',
      { name: 'Report', kind: 'claude', cron: `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`, timeZone: 'UTC', command: 'report' },
      desktopCaller,
    );
    if (!created.ok) throw new Error(created.error.message);
    const skipped = await nextEvent(core.events, 'schedules.run', (r) => r.jobId === (created.value as { id: string }).id, 10_000);
    expect(skipped).toMatchObject({ status: 'skipped', reason: expect.stringContaining(`not started: Today's Claude budget of ${money(spent / 2)} is spent`) });
    // A surface's own cap: Telegram's turns are refused, the desktop's are not.
    core.settings.set({ key: 'usage.dailyBudgetUsd', value: 0 });
    core.settings.set({ key: 'usage.surfaceBudgets', value: `telegram=${spent / 2}` });
    expect(await core.router.call('sessions.send', { id: session.id, text: 'from telegram' }, { surface: 'telegram', actor: 'telegram:1' })).toMatchObject({ ok: false, error: { message: expect.stringContaining("Today's budget for telegram") } });
    const ok = await core.router.call('sessions.send', { id: session.id, text: 'from the desk' }, desktopCaller);
    expect(ok).toMatchObject({ ok: true });
  });
});
