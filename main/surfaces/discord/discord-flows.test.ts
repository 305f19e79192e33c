import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../../ipc/router';
import { userTexts } from '../../testing/fake-anthropic';
import { allow, bindChannel, member, outsider, startDiscord, type DiscordHarness } from '../../testing/discord-harness';
import type { DiscordMessage } from '../../testing/fake-discord';
import { nextEvent } from '../../testing/wait';

// Approvals, slash commands, deliveries, failures and rate limits: discord.js against the Discord
// stand-in, the real CLI against the Anthropic stand-in.
let t: DiscordHarness | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function bound() {
  t = await startDiscord();
  await allow(t);
  const general = t.dc.channelByName('general');
  await bindChannel(t, general.id);
  return { core: t.harness.core, dc: t.dc, api: t.harness.api, harness: t.harness, general };
}

const button = (m: DiscordMessage, label: string) => m.components.flatMap((r) => r.components).find((b) => b.label === label)!;

describe('Discord: approvals', { timeout: 60_000 }, () => {
  it('runs a tool approved by button and not one denied; only allowed people can press; each card shows who answered', async () => {
    const { core, dc, api, general } = await bound();
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch approved.txt', description: 'make a file' } }, { kind: 'text', text: 'made it' });
    dc.send(member, general.id, 'make approved.txt', { mention: true });
    const card = await dc.until(() => dc.in(general.id).find((m) => m.components.length && m.content.includes('touch approved.txt')), 30_000, 'the card');
    expect(card.components.flatMap((r) => r.components).map((b) => b.label)).toEqual(['Allow once', 'This session', 'Deny']);
    // A stranger's press is refused (privately) and changes nothing.
    dc.press(outsider, card.id, button(card, 'Allow once').custom_id);
    await dc.until(() => dc.calls.some((c) => c.path.includes('/callback') && JSON.stringify(c.body).includes('Only people allowed')), 10_000, 'the refusal');
    expect(core.approvals.list('pending', 10)).toHaveLength(1);
    dc.press(member, card.id, button(card, 'Allow once').custom_id);
    await dc.until(() => dc.in(general.id).some((m) => m.content === 'made it'), 30_000, 'the answer after approval');
    const session = core.sessions.list().find((s) => s.surface === 'discord')!;
    expect(fs.existsSync(path.join(session.cwd, 'approved.txt'))).toBe(true);
    await dc.until(() => card.content.includes('Allowed once by Olivia') && !card.components.length, 10_000, 'the card to show the answer');
    expect(core.approvals.list('all', 10)[0]).toMatchObject({ decision: 'once', answeredBy: `discord:${member.id}`, answeredVia: 'discord' });

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch denied.txt', description: 'make a file' } }, { kind: 'text', text: 'did not make it' });
    dc.send(member, general.id, 'make denied.txt', { mention: true });
    const second = await dc.until(() => dc.in(general.id).find((m) => m.components.length && m.content.includes('touch denied.txt')), 30_000, 'the second card');
    dc.press(member, second.id, button(second, 'Deny').custom_id);
    await dc.until(() => dc.in(general.id).some((m) => m.content === 'did not make it'), 30_000);
    expect(fs.existsSync(path.join(session.cwd, 'denied.txt'))).toBe(false);
    await dc.until(() => second.content.includes('Denied by Olivia'), 10_000);
  });

  it('updates a card answered in the window', async () => {
    const { core, dc, api, general } = await bound();
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch from-window.txt', description: 'make a file' } }, { kind: 'text', text: 'done here' });
    dc.send(member, general.id, 'make from-window.txt', { mention: true });
    const card = await dc.until(() => dc.in(general.id).find((m) => m.components.length > 0), 30_000, 'the card');
    const pending = core.approvals.list('pending', 10)[0]!;
    expect(await core.router.call('approvals.answer', { id: pending.id, decision: 'once' }, desktopCaller)).toMatchObject({ ok: true });
    await dc.until(() => card.content.includes('Allowed once by you in the desktop app') && !card.components.length, 10_000, 'the card to update');
  });
});

describe('Discord: slash commands', { timeout: 60_000 }, () => {
  it('answers /status in the command’s own reply, /new changes the session, /reset needs Manage Messages, unbound channels say how to bind', async () => {
    const { core, dc, general } = await bound();
    dc.slash(member, general.id, 'status');
    const status = await dc.until(() => dc.in(general.id).find((m) => m.interactionReply && m.content.includes('#general')), 10_000, 'the /status reply');
    expect(status.content).toMatch(/Folder: `.+`/);
    const first = core.sessions.list().find((s) => s.surface === 'discord')!.id;
    dc.slash(member, general.id, 'new');
    await dc.until(() => dc.in(general.id).some((m) => m.interactionReply && m.content.startsWith('🆕 New session')), 10_000, 'the /new reply');
    expect(core.sessions.list().filter((s) => s.surface === 'discord').map((s) => s.id)).toContain(first);
    expect(await core.chats.discord.sessionOf(general.id, desktopCaller)).not.toBe(first);
    // Without Manage Messages (permissions "0"), /reset is refused, privately.
    dc.slash(member, general.id, 'reset', {}, '0');
    await dc.until(() => dc.calls.some((c) => c.path.includes('/callback') && JSON.stringify(c.body).includes('for people who may manage messages')), 10_000, 'the refusal');
    dc.slash(member, general.id, 'memory', { query: 'kite' });
    await dc.until(() => dc.in(general.id).some((m) => m.interactionReply && m.content.includes('Nothing remembered about “kite”')), 10_000, 'the /memory reply');
    const other = dc.addChannel({ name: 'random' });
    dc.slash(member, other.id, 'status');
    await dc.until(() => dc.in(other.id).some((m) => m.interactionReply && m.content.includes('Bind this one in Switchboard → Settings → Discord')), 10_000, 'the unbound reply');
    expect(core.sessions.list().filter((s) => s.surface === 'discord')).toHaveLength(2);
  });
});

describe('Discord: deliveries, failures and rate limits', { timeout: 90_000 }, () => {
  it('delivers a scheduled job’s result to its channel', async () => {
    const { core, dc, general } = await bound();
    const job = await core.router.call(
      'schedules.create',
      { name: 'Nightly check', kind: 'shell', cron: '0 3 * * *', command: 'echo all good', delivery: { desktop: false, chats: [{ surface: 'discord', target: general.id }] } },
      desktopCaller,
    );
    if (!job.ok) throw new Error(job.error.message);
    await core.router.call('schedules.runNow', { id: (job.value as { id: string }).id }, desktopCaller);
    const note = await dc.until(() => dc.in(general.id).find((m) => m.content.includes('Nightly check')), 20_000, 'the job result');
    expect(note.content).toContain('all good');
  });

  it('brings a note from Claude or a script to the DMs of the people allowed, and nowhere else', async () => {
    const { core, dc, general } = await bound();
    const sent = await core.router.call('user.notify', { text: 'The deploy finished.', title: 'Deploy' }, desktopCaller);
    expect(sent).toMatchObject({ ok: true });
    const note = await dc.until(() => dc.in(dc.dm(member).id).find((m) => m.content.includes('The deploy finished.')), 20_000, 'the note');
    expect(note.content).toContain('Deploy');
    expect(dc.in(general.id).some((m) => m.content.includes('The deploy finished.'))).toBe(false);
    expect(dc.in(dc.dm(outsider).id).some((m) => m.content.includes('The deploy finished.'))).toBe(false);
  });

  it('shows a failure with a short error id in words a user understands; the log has the details under that id', async () => {
    t = await startDiscord();
    await allow(t);
    const { dc } = t;
    const general = dc.channelByName('general');
    const project = path.join(t.harness.dir, 'gone-soon');
    fs.mkdirSync(project);
    await bindChannel(t, general.id, { cwd: project });
    fs.rmSync(project, { recursive: true });
    dc.send(member, general.id, 'work on the project', { mention: true });
    const shown = await dc.until(() => dc.in(general.id).find((m) => m.content.startsWith('⚠️')), 20_000, 'the error');
    const id = /\(error (\w{8})\)/.exec(shown.content)?.[1];
    expect(id).toBeDefined();
    expect(shown.content).toContain(`${project} is not a folder`);
    expect(shown.content).not.toMatch(/at .+\.ts:\d+|Error:|stack/);
    const logged = fs
      .readFileSync(path.join(t.harness.dir, 'data', 'logs', 'switchboard.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id?: string; level: string; chat?: string });
    expect(logged.find((l) => l.id === id)).toMatchObject({ level: 'error', chat: general.id });
  });

  it('says in Settings when it may not post in a channel, until it can again', async () => {
    const { core, dc } = await bound();
    const locked = dc.addChannel({ name: 'locked', denySend: true });
    await bindChannel(t!, locked.id, { name: 'locked', replyTo: 'all' });
    // Discord tells a bot about a channel it was added to; here the stand-in has it from the start of the next message.
    dc.send(member, locked.id, 'hello in the locked channel');
    const status = await nextEvent(core.events, 'chat.status', (s) => s.surface === 'discord' && !!s.problem, 30_000);
    expect(status.problem).toMatch(/^Switchboard may not post in a channel \(Discord: Missing Permissions\)\. Give its role View Channel, Send Messages/);
    // Permission given: the next message there goes out, and the problem is gone from Settings.
    locked.denySend = false;
    dc.send(member, locked.id, 'and now?');
    await nextEvent(core.events, 'chat.status', (s) => s.surface === 'discord' && s.problem === null, 30_000);
    expect(dc.in(locked.id).some((m) => m.from_bot)).toBe(true);
  });

  it('loses nothing and doubles nothing in a storm of 429s', async () => {
    const { dc, api, general } = await bound();
    await bindChannel(t!, general.id, { replyTo: 'all' });
    api.respond((request) => ({ kind: 'text', text: `answer to ${userTexts(request).at(-1)}`, chunks: 4, chunkDelayMs: 30 }));
    dc.rateLimit(/^(POST|PATCH) \/channels\/\d+\/messages/, 12, 1);
    for (const text of ['alpha', 'beta', 'gamma']) dc.send(member, general.id, text);
    const texts = () => dc.in(general.id).map((m) => m.content);
    await dc.until(() => ['alpha', 'beta', 'gamma'].every((x) => texts().includes(`answer to ${x}`)), 60_000, 'every answer');
    for (const x of ['alpha', 'beta', 'gamma']) expect(texts().filter((m) => m.includes(`answer to ${x}`))).toHaveLength(1);
    expect(dc.calls.filter((c) => c.status === 429).length).toBe(12);
  });
});

describe('Discord: changing a bound channel', { timeout: 60_000 }, () => {
  it('keeps the project settings it was not given', async () => {
    t = await startDiscord();
    await allow(t);
    const general = t.dc.channelByName('general');
    const project = path.join(t.harness.dir, 'project');
    fs.mkdirSync(project);
    const first = await bindChannel(t, general.id, { cwd: project, model: 'opus', allowedTools: ['Bash(git status:*)'], systemPrompt: 'be brief', replyTo: 'all' });
    const renamed = await bindChannel(t, general.id, { name: 'general chat' });
    expect(renamed).toEqual({ ...first, name: 'general chat' });
  });
});
