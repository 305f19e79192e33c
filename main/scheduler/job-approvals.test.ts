import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { JOB_APPROVAL_TOOL, type Approval } from '../../contract';
import type { Core } from '../core';
import { desktopCaller, type CallContext } from '../ipc/router';
import { htmlToPlain } from '../surfaces/telegram/telegram-html';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { allow, member, startDiscord, type DiscordHarness } from '../testing/discord-harness';
import { FakeTelegram } from '../testing/fake-telegram';
import { owner, pair, startTelegram, type TelegramHarness } from '../testing/telegram-harness';

// Jobs made outside the owner's window (the MCP SDK's own client, a chat, a Claude session) wait for the
// owner's answer in the one broker; the window, the real loopback server and the Telegram stand-in answer.
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
const mcpCaller: CallContext = { surface: 'mcp', actor: 'mcp:inspector' };
let h: Harness | null = null;
let t: TelegramHarness | null = null;
let d: DiscordHarness | null = null;
const clients: Client[] = [];
const extra: { stop: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await h?.close();
  await t?.close();
  await d?.close();
  d = null;
  await Promise.all(extra.splice(0).map((x) => x.stop()));
  h = null;
  t = null;
});

async function mcpClient(core: Core, name: string): Promise<(tool: string, args: Record<string, unknown>) => Promise<{ isError: boolean; text: string; value: Record<string, unknown> }>> {
  const rotated = (await core.router.call('system.rotateToken', { scope: 'mcp' }, desktopCaller)) as { value: { token: string } };
  const client = new Client({ name, version: '1.0.0' });
  const url = new URL(`http://127.0.0.1:${core.server!.address!.port}/mcp`);
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${rotated.value.token}` } } }));
  clients.push(client);
  return async (tool, args) => {
    const result = await client.callTool({ name: tool, arguments: args });
    return { isError: result.isError === true, text: JSON.stringify(result.content), value: (result.structuredContent ?? {}) as Record<string, unknown> };
  };
}

const jobQuestion = (core: Core, match: (a: Approval) => boolean = () => true) =>
  nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending' && match(a));

describe('jobs made outside the owner’s window', { timeout: 90_000 }, () => {
  it('over MCP: a shell job waits, run_job refuses it in words, Allow in the window makes it ordinary; changing its command asks again, and Deny deletes it', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core } = h;
    // A project folder: from outside the window, not a folder holding home or the data folder.
    const dir = path.join(h.dir, 'project');
    fs.mkdirSync(dir);
    const call = await mcpClient(core, 'inspector');
    const marker = path.join(dir, 'ran');
    const asked = jobQuestion(core);
    const created = await call('create_job', { name: 'Backdoor', kind: 'shell', cron: '0 3 * * *', command: `touch ${marker}`, cwd: dir });
    expect(created.value).toMatchObject({ waitingForApproval: true, nextRun: null });
    const id = created.value.id as string;
    const question = await asked;
    expect(question.input).toMatchObject({ jobId: id, name: 'Backdoor', kind: 'shell', command: `touch ${marker}`, cwd: dir, cron: '0 3 * * *', timeZone: 'UTC', requestedBy: 'the MCP client “inspector”', change: 'created' });
    expect(core.scheduler.get(id).approval).toMatchObject({ approvalId: question.id, requestedBy: 'the MCP client “inspector”' });

    const refused = await call('run_job', { job_id: id });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('is waiting for the owner');
    expect(await core.router.call('schedules.runNow', { id }, { surface: 'telegram', actor: 'telegram:1001' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(fs.existsSync(marker)).toBe(false);

    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller)).toMatchObject({ ok: true });
    await expect.poll(() => core.scheduler.get(id).approval).toBeNull();
    expect(core.scheduler.get(id).nextRun).not.toBeNull();
    // Allowed, it runs on its schedule; running it now is still the owner's (from the window).
    expect((await call('run_job', { job_id: id })).text).toContain('only you, in Switchboard');
    expect(await core.router.call('schedules.runNow', { id }, desktopCaller)).toMatchObject({ ok: true, value: { status: 'running' } });
    await core.scheduler.settled(id);
    expect(fs.existsSync(marker)).toBe(true);

    // From outside the window any change to a job that runs code asks again (a schedule of every minute is as
    // much what it does as its command), and says what it runs now.
    const again = jobQuestion(core, (a) => a.id !== question.id);
    expect((await call('update_job', { job_id: id, command: 'echo changed', cron: '0 4 * * *' })).value).toMatchObject({ waitingForApproval: true });
    expect((await again).input).toMatchObject({ command: 'echo changed', cron: '0 4 * * *', change: 'changed' });
    expect((await call('run_job', { job_id: id })).isError).toBe(true);

    const removed = nextEvent(core.events, 'schedules.removed', (r) => r.id === id);
    await core.router.call('approvals.answer', { id: core.scheduler.get(id).approval!.approvalId!, decision: 'deny' }, desktopCaller);
    await removed;
    expect(core.scheduler.list().some((j) => j.id === id)).toBe(false);
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Job deleted: Backdoor' });
  });

  it('waits for shell jobs and loose Claude jobs from every surface but the owner’s; bypass is refused for every user; the window and UI-token scripts work as before', async () => {
    h = await startHarness();
    const { core } = h;
    const create = (input: Record<string, unknown>, ctx: CallContext) => core.router.call('schedules.create', { name: 'x', cron: '0 3 * * *', command: 'echo hi', ...input }, ctx);
    const waits = async (input: Record<string, unknown>, ctx: CallContext) => ((await create(input, ctx)) as { value: { approval: unknown } }).value.approval !== null;
    const chat: CallContext = { surface: 'telegram', actor: 'telegram:1001' };
    const session: CallContext = { surface: 'mcp', actor: 'session:abc' };
    expect(await waits({ kind: 'shell' }, mcpCaller)).toBe(true);
    expect(await waits({ kind: 'shell' }, chat)).toBe(true);
    expect(await waits({ kind: 'shell' }, session)).toBe(true);
    expect(await waits({ kind: 'claude', permissionPolicy: 'acceptEdits' }, mcpCaller)).toBe(true);
    // Claude that asks before it acts runs nothing on its own.
    expect(await waits({ kind: 'claude', permissionPolicy: 'ask' }, mcpCaller)).toBe(false);
    expect(await waits({ kind: 'claude', permissionPolicy: 'plan' }, chat)).toBe(false);
    // The owner: the window, a browser, a script with the UI token.
    expect(await waits({ kind: 'shell' }, desktopCaller)).toBe(false);
    expect(await waits({ kind: 'shell' }, { surface: 'browser', actor: 'api:127.0.0.1' })).toBe(false);

    for (const ctx of [mcpCaller, chat, session]) {
      expect(await create({ kind: 'claude', permissionPolicy: 'bypass' }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', message: expect.stringContaining('bypasses permissions can be made or changed only in the Switchboard window') },
      });
    }
    // Nor made so by a change: an ordinary Claude job turned to bypass from outside.
    const ordinary = (await create({ kind: 'claude' }, mcpCaller)) as { value: { id: string } };
    expect(await core.router.call('schedules.update', { id: ordinary.value.id, permissionPolicy: 'bypass' }, chat)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // Turned loose from outside, it waits.
    expect(await core.router.call('schedules.update', { id: ordinary.value.id, permissionPolicy: 'acceptEdits' }, chat)).toMatchObject({ ok: true, value: { approval: { requestedBy: 'Telegram user 1001' } } });
  });

  it('a waiting job does not fire at its times; allowed, it does; its command changed over MCP, it stops again', async () => {
    h = await startHarness();
    const { core, dir } = h;
    const log = path.join(dir, 'fired');
    const created = (await core.router.call('schedules.create', { name: 'every second', kind: 'shell', cron: '* * * * * *', command: `echo x >> ${log}` }, mcpCaller)) as { value: { id: string } };
    const id = created.value.id;
    await new Promise((r) => setTimeout(r, 2500));
    expect(fs.existsSync(log)).toBe(false);
    expect(core.scheduler.runs(id, 10)).toEqual([]);

    await core.router.call('approvals.answer', { id: core.scheduler.get(id).approval!.approvalId!, decision: 'once' }, desktopCaller);
    await expect.poll(() => core.scheduler.runs(id, 10).filter((r) => r.status === 'ok').length, { timeout: 5000 }).toBeGreaterThan(0);

    await core.router.call('schedules.update', { id, command: `echo y >> ${log}` }, mcpCaller);
    await core.scheduler.settled(id);
    const count = core.scheduler.runs(id, 100).length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(core.scheduler.runs(id, 100).length).toBe(count);
    expect(fs.readFileSync(log, 'utf8')).not.toContain('y');
  });

  it('sends the question to Telegram with what the job runs; it survives a restart, and Allow pressed there settles it in the window too', async () => {
    const tg = await new FakeTelegram().start();
    extra.push(tg);
    t = await startTelegram({ telegram: tg });
    await pair(t);
    const { core, dir } = t.harness;
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    const created = (await core.router.call('schedules.create', { name: 'Nightly sync', kind: 'shell', cron: '30 2 * * *', timeZone: 'Europe/Berlin', command: 'rsync -a ~/notes backup:', cwd: project, env: { RSYNC_RSH: 'ssh' } }, mcpCaller)) as {
      value: { id: string; approval: { approvalId: string } };
    };
    const { id } = created.value;
    const approvalId = created.value.approval.approvalId;
    const card = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('waits for your approval')), 20_000, 'the job card');
    const text = htmlToPlain(card.text);
    expect(text).toContain('A new job waits for your approval: Nightly sync');
    expect(text).toContain('Asked by the MCP client “inspector”. It runs a shell command:');
    expect(text).toContain('rsync -a ~/notes backup:');
    expect(text).toContain(`Folder: ${project}`);
    expect(text).toContain('Schedule: 30 2 * * * (Europe/Berlin)');
    expect(text).toContain('Environment: RSYNC_RSH');
    expect(card.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['Allow the job', 'Deny and delete']);

    await t.close(true);
    t = await startTelegram({ telegram: tg, dir });
    const restarted = t.harness.core;
    // Still waiting, on the same question: the card already sent still answers it.
    expect(restarted.scheduler.get(id).approval).toMatchObject({ approvalId });
    expect(restarted.approvals.list('pending', 10).map((a) => a.id)).toEqual([approvalId]);
    expect(restarted.scheduler.get(id).nextRun).toBeNull();

    const settled = nextEvent(restarted.events, 'approvals.changed', (a) => a.id === approvalId && a.status !== 'pending');
    tg.press(owner, card, card.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    expect(await settled).toMatchObject({ status: 'allowed', answeredVia: 'telegram', answeredBy: `telegram:${owner.id}` });
    // The window's list of questions has it no more; the job is ordinary; the card says so.
    expect(restarted.approvals.list('pending', 10)).toEqual([]);
    await expect.poll(() => restarted.scheduler.get(id).approval).toBeNull();
    await tg.until(() => htmlToPlain(tg.chat(owner.id).find((m) => m.message_id === card.message_id)!.text).includes('Allowed: it runs on its schedule'), 10_000, 'the card settled');
  });

  it('sends the question to Discord too; Deny pressed there deletes the job, and the card says so', async () => {
    d = await startDiscord();
    await allow(d);
    const { core } = d.harness;
    const created = (await core.router.call('schedules.create', { name: 'Cleanup', kind: 'claude', permissionPolicy: 'acceptEdits', cron: '0 3 * * *', command: 'Delete the old logs' }, { surface: 'telegram', actor: 'telegram:42' })) as {
      value: { id: string };
    };
    const dm = d.dc.dm(member).id;
    const card = await d.dc.until(() => d!.dc.in(dm).find((m) => m.components.length && m.content.includes('waits for your approval')), 20_000, 'the job card');
    expect(card.content).toContain('Asked by Telegram user 42. It runs a Claude prompt (permissions: acceptEdits):');
    expect(card.content).toContain('Delete the old logs');
    const buttons = card.components.flatMap((r) => r.components);
    expect(buttons.map((b) => b.label)).toEqual(['Allow the job', 'Deny and delete']);
    const removed = nextEvent(core.events, 'schedules.removed', (r) => r.id === created.value.id);
    d.dc.press(member, card.id, buttons[1]!.custom_id);
    await removed;
    await d.dc.until(() => card.content.includes('Denied: the job was deleted by Olivia') && !card.components.length, 10_000, 'the card to say so');
  });

  it('deletes a job nobody approved in time, and says so', async () => {
    h = await startHarness({ settings: [{ key: 'approvals.timeoutMinutes', value: 0.01 }] });
    const { core } = h;
    const created = (await core.router.call('schedules.create', { name: 'Unanswered', kind: 'shell', cron: '0 3 * * *', command: 'echo hi' }, mcpCaller)) as { value: { id: string } };
    const expired = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'expired', 10_000);
    await nextEvent(core.events, 'schedules.removed', (r) => r.id === created.value.id, 10_000);
    expect((await expired).message).toBe('No answer within 0.01 min, so Switchboard denied it and deleted the job.');
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Job deleted: Unanswered', body: expect.stringContaining('Nobody approved it in time') });
  });
});
