import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionState, type InboxItem, type InboxPage, type SessionInbox } from '../../contract';
import type { Core } from '../core';
import { desktopCaller, type CallContext } from '../ipc/router';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { owner, pair, startTelegram, type TelegramHarness } from '../testing/telegram-harness';
import { htmlToPlain } from '../surfaces/telegram/telegram-html';

// Every source of the inbox with the real components: the real CLI against the Anthropic stand-in, the
// Telegram stand-in with grammY, the MCP SDK's client, the hooks on the loopback server, real jobs.
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

async function call<T>(core: Core, method: string, input: unknown, ctx: CallContext = desktopCaller): Promise<T> {
  const result = await core.router.call(method, input, ctx);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.value as T;
}

const list = (core: Core, input: object = {}) => call<InboxPage>(core, 'inbox.list', input);
const changed = (core: Core, match: (item: InboxItem) => boolean) => nextEvent(core.events, 'inbox.changed', (p) => !!p.item && match(p.item));

describe('the inbox', { timeout: 90_000 }, () => {
  it('mirrors a question from a session: needs you, and answered on Telegram it settles at once in the window', async () => {
    t = await startTelegram({});
    await pair(t);
    const { core, api } = t.harness;
    // A question from a window's session reaches the phone at once.
    await call(core, 'settings.set', { key: 'telegram.questionDelaySeconds', value: 0 });
    const session = await call<{ id: string }>(core, 'sessions.create', { title: 'Deploy' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch deployed.txt', description: 'deploy' } }, { kind: 'text', text: 'deployed' });
    const opened = changed(core, (i) => i.kind === 'question' && i.state === 'open');
    await call(core, 'sessions.send', { id: session.id, text: 'deploy it' });
    const item = (await opened).item!;
    expect(item).toMatchObject({ title: 'Claude asks to use Bash', sessionId: session.id, link: `#/sessions/${session.id}`, read: false });
    expect(item.text).toContain('touch deployed.txt');
    const page = await list(core, { filter: 'needs_you' });
    expect(page.items.map((i) => i.id)).toEqual([item.id]);
    expect(page.counts).toMatchObject({ needsYou: 1, badge: 1 });
    // The session's one state.
    const bySession = await call<Record<string, SessionInbox>>(core, 'inbox.sessions', {});
    expect(sessionState('running', bySession[session.id])).toBe('needs_you');

    const card = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.reply_markup && htmlToPlain(m.text).includes('touch deployed.txt')), 30_000, 'the card');
    const settled = changed(core, (i) => i.id === item.id && i.state === 'settled');
    t.tg.press(owner, card, card.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    const after = await settled;
    expect(after.item!.outcome).toBe('Allowed on Telegram.');
    expect(after.counts.needsYou).toBe(0);
    expect((await list(core, { filter: 'open' })).items.find((i) => i.id === item.id)).toBeUndefined();
  });

  it('keeps a note from notify_user (the MCP client), which Claude can read back with the inbox tool; read and dismissed survive a restart', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const token = (await call<{ token: string }>(h.core, 'system.rotateToken', { scope: 'mcp' })).token;
    const client = new Client({ name: 'ide', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${h.core.server!.address!.port}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
    );
    clients.push(client);
    await client.callTool({ name: 'notify_user', arguments: { title: 'Build', text: 'The build is green.' } });
    await client.callTool({ name: 'notify_user', arguments: { title: 'Tests', text: 'Two tests are slow.' } });
    const read = await client.callTool({ name: 'inbox', arguments: { filter: 'unread' } });
    const items = (read.structuredContent as { items: { title: string; text: string; kind: string; id: number }[]; unread: number }).items;
    expect(items.map((i) => [i.kind, i.title, i.text])).toEqual([
      ['note', 'Tests', 'Two tests are slow.'],
      ['note', 'Build', 'The build is green.'],
    ]);
    const [tests, build] = items;
    expect((await list(h.core)).items[0]).toMatchObject({ actor: expect.stringMatching(/^mcp:ide@/), source: 'user' });

    await call(h.core, 'inbox.markRead', { ids: [build!.id] });
    await call(h.core, 'inbox.dismiss', { id: tests!.id });
    expect((await list(h.core)).counts).toMatchObject({ unread: 0, badge: 0 });

    const dir = h.dir;
    await h.close(true);
    h = await startHarness({ dir, core: { server: SERVER } });
    const kept = await list(h.core);
    // Dismissed items leave every list; the read note is still there, still read.
    expect(kept.items.map((i) => [i.title, i.read, i.state])).toEqual([['Build', true, 'open']]);
    expect(kept.counts).toEqual({ needsYou: 0, unread: 0, badge: 0 });
    await expect(call(h.core, 'inbox.dismiss', { id: 999_999 })).rejects.toThrow('There is no inbox item 999999.');
  });

  it('shows a terminal stopped within its reply window, with its last message; a reply continues it and settles the item; a restart settles one left open', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    await call(core, 'settings.set', { key: 'hooks.replyWindowSeconds', value: 600 });
    const hooksToken = (await call<{ token: string }>(core, 'system.rotateToken', { scope: 'hooks' })).token;
    const post = (route: string, body: object) =>
      fetch(`http://127.0.0.1:${core.server!.address!.port}/hooks/${route}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json', 'X-Switchboard-Poll': '1' },
        body: JSON.stringify({ session_id: 'terminal-1', cwd: '/home/me/app', ...body }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    // A hook notification is a note.
    const noted = changed(core, (i) => i.kind === 'note');
    // 2.1.329 names its notifications' kinds: a permission_prompt repeats the question its hook already asked, so it is no second item.
    await post('notification', { hook_event_name: 'Notification', message: 'Claude needs your permission to use Bash', notification_type: 'permission_prompt' });
    await post('notification', { hook_event_name: 'Notification', message: 'Claude is waiting for your input', notification_type: 'idle_prompt' });
    expect((await noted).item).toMatchObject({ source: 'hooks', title: 'Claude Code · app', text: 'Claude is waiting for your input', actor: 'hook:terminal-1' });
    expect((await list(core)).items.filter((i) => i.kind === 'note')).toHaveLength(1);

    const opened = changed(core, (i) => i.kind === 'stop');
    const first = await post('stop', { hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'Part one is done. Go on?' });
    expect(first.pending).toBeTruthy();
    const stop = (await opened).item!;
    expect(stop).toMatchObject({ title: 'Claude Code stopped · app', text: 'Part one is done. Go on?', state: 'open' });
    expect(stop.until).toBeGreaterThan(Date.now() + 500_000);
    expect((await list(core)).counts.needsYou).toBe(1);
    const settled = changed(core, (i) => i.id === stop.id && i.state === 'settled');
    await call(core, 'hooks.reply', { id: stop.ref, text: 'yes, go on' });
    expect((await settled).item!.outcome).toBe('Continued with your reply.');
    expect(await post(`wait/${String(first.pending)}`, {})).toEqual({ decision: 'block', reason: 'yes, go on' });

    // Another stop, still open when Switchboard stops: the terminal no longer waits on this process.
    const again = changed(core, (i) => i.kind === 'stop' && i.id !== stop.id);
    await post('stop', { hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'Part two done.' });
    const second = (await again).item!;
    const dir = h.dir;
    await h.close(true);
    h = await startHarness({ dir, core: { server: SERVER } });
    const restarted = (await list(h.core)).items.find((i) => i.id === second.id)!;
    expect(restarted.state).toBe('settled');
    expect((await list(h.core)).counts.needsYou).toBe(0);
  });

  it('tells job results and failures, and a job waiting for approval settles when the owner approves it in the window', async () => {
    h = await startHarness();
    const { core } = h;
    const dir = fs.mkdtempSync(path.join(h.dir, 'job-'));
    const ok = await call<{ id: string }>(core, 'schedules.create', { name: 'Backup', kind: 'shell', cron: '0 3 * * *', command: 'echo backed up', cwd: dir });
    const bad = await call<{ id: string }>(core, 'schedules.create', { name: 'Lint', kind: 'shell', cron: '0 3 * * *', command: 'echo broken >&2; exit 3', cwd: dir });
    const result = changed(core, (i) => i.kind === 'job_result');
    await call(core, 'schedules.runNow', { id: ok.id });
    expect((await result).item).toMatchObject({ title: 'Backup: done', text: 'backed up', jobId: ok.id });
    const failed = changed(core, (i) => i.kind === 'job_failed');
    await call(core, 'schedules.runNow', { id: bad.id });
    expect((await failed).item).toMatchObject({ title: 'Lint: failed', jobId: bad.id });

    // A job made by an MCP client waits for the owner's approval: an item that needs you, with the job's link.
    const mcp: CallContext = { surface: 'mcp', actor: 'mcp:ide' };
    const asked = changed(core, (i) => i.kind === 'job_approval');
    const job = await call<{ id: string }>(core, 'schedules.create', { name: 'Cleanup', kind: 'shell', cron: '0 4 * * *', command: 'rm -rf tmp', cwd: dir }, mcp);
    const item = (await asked).item!;
    expect(item).toMatchObject({ title: 'A job waits for your approval: Cleanup', jobId: job.id, link: `#/schedules/${job.id}`, state: 'open' });
    const settled = changed(core, (i) => i.id === item.id && i.state === 'settled');
    await call(core, 'approvals.answer', { id: item.ref, decision: 'once' });
    expect((await settled).item!.outcome).toBe('Approved in the desktop app.');
  });

  it('collapses a job\'s results into one item and its failures into another, counting the runs since the user last looked', async () => {
    h = await startHarness();
    const { core } = h;
    const dir = fs.mkdtempSync(path.join(h.dir, 'job-'));
    const job = await call<{ id: string }>(core, 'schedules.create', { name: 'Tick', kind: 'shell', cron: '* * * * *', command: 'echo "tick $(cat n 2>/dev/null)"; [ -f fail ] && exit 4; true', cwd: dir });
    // One run, ended and told: the inbox heard it by the time this resolves (its listener runs on the same event).
    const run = async () => {
      const started = await call<{ id: string }>(core, 'schedules.runNow', { id: job.id });
      await nextEvent(core.events, 'schedules.run', (r) => r.id === started.id && !!r.endedAt);
      return started.id;
    };
    const jobItems = async () => (await list(core)).items.filter((i) => i.jobId === job.id);
    for (const n of [1, 2, 3]) {
      fs.writeFileSync(path.join(dir, 'n'), String(n));
      await run();
    }
    let items = await jobItems();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'job_result', title: 'Tick: done', text: '3 runs since you last looked. The latest: tick 3', read: false, state: 'open' });
    const first = items[0]!;
    expect((await list(core)).counts.unread).toBe(1);

    // Read: the next run opens it again as new, unread, at the top, counting from one.
    await call(core, 'inbox.markRead', { ids: [first.id] });
    fs.writeFileSync(path.join(dir, 'n'), '4');
    const fourth = await run();
    items = await jobItems();
    expect(items).toHaveLength(1);
    expect(items[0]!.id).toBeGreaterThan(first.id);
    expect(items[0]).toMatchObject({ text: 'tick 4', read: false, state: 'open', link: `#/schedules/${job.id}/runs/${fourth}` });
    expect((await list(core)).items[0]!.id).toBe(items[0]!.id);

    // Failures: their own item, never hidden by a later success; a dismissed one comes back with the next failure.
    fs.writeFileSync(path.join(dir, 'fail'), '');
    await run();
    await run();
    fs.rmSync(path.join(dir, 'fail'));
    await run();
    items = await jobItems();
    // An unread item is updated where it is; the failures' item is the newer one.
    expect(items.map((i) => [i.kind, i.text])).toEqual([
      ['job_failed', '2 failures since you last looked. The latest: exit code 4'],
      ['job_result', '2 runs since you last looked. The latest: tick 4'],
    ]);
    const failed = items[0]!;
    await call(core, 'inbox.dismiss', { id: failed.id });
    fs.writeFileSync(path.join(dir, 'fail'), '');
    await run();
    items = await jobItems();
    expect(items.map((i) => [i.kind, i.state, i.read])).toEqual([
      ['job_failed', 'open', false],
      ['job_result', 'open', false],
    ]);
    expect((await list(core)).counts.unread).toBe(2);
  });

  it('forgets what a deleted session said: its items no longer carry its words (the inbox tool read them back over MCP)', async () => {
    h = await startHarness({ settings: [{ key: 'sessions.notifyAfterSeconds', value: 0 }], core: { server: SERVER } });
    const { core, api } = h;
    const session = await call<{ id: string }>(core, 'sessions.create', { title: 'Payroll zq-19' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch raise-zq-19.txt', description: 'note the raise' } }, { kind: 'text', text: 'Alice earns zq-19 dollars.' });
    const asked = changed(core, (i) => i.kind === 'question' && i.state === 'open');
    const done = changed(core, (i) => i.kind === 'done');
    await call(core, 'sessions.send', { id: session.id, text: 'who earns what?' });
    await asked;
    const [pending] = core.approvals.list('pending', 10);
    await call(core, 'approvals.answer', { id: pending!.id, decision: 'deny' });
    expect((await done).item!.text).toContain('zq-19');
    await call(core, 'sessions.delete', { id: session.id });
    const token = (await call<{ token: string }>(core, 'system.rotateToken', { scope: 'mcp' })).token;
    const client = new Client({ name: 'ide', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${core.server!.address!.port}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    clients.push(client);
    const read = await client.callTool({ name: 'inbox', arguments: { filter: 'all' } });
    expect(JSON.stringify(read.structuredContent)).not.toContain('zq-19');
    expect(JSON.stringify(await list(core, { filter: 'all' }))).not.toContain('zq-19');
  });

  it('tells a long turn that finished: the session is done, then idle once opened', async () => {
    h = await startHarness({ settings: [{ key: 'sessions.notifyAfterSeconds', value: 0 }] });
    const { core, api } = h;
    const session = await call<{ id: string }>(core, 'sessions.create', { title: 'Refactor' });
    api.reply({ kind: 'text', text: 'All refactored.' });
    const done = changed(core, (i) => i.kind === 'done');
    await call(core, 'sessions.send', { id: session.id, text: 'refactor it' });
    expect((await done).item).toMatchObject({ title: 'Claude finished: Refactor', text: 'All refactored.', sessionId: session.id });
    const summary = core.sessions.get(session.id);
    let open = (await call<Record<string, SessionInbox>>(core, 'inbox.sessions', {}))[session.id];
    expect(sessionState(summary.status, open)).toBe('done');
    await call(core, 'inbox.markRead', { sessionId: session.id });
    open = (await call<Record<string, SessionInbox>>(core, 'inbox.sessions', {}))[session.id];
    expect(sessionState(summary.status, open)).toBe('idle');
  });
});
