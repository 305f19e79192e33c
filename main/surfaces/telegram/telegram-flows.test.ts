import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../../ipc/router';
import { lastUserText, userTexts } from '../../testing/fake-anthropic';
import { nextEvent } from '../../testing/wait';
import { FakeTelegram } from '../../testing/fake-telegram';
import { htmlToPlain } from './telegram-html';
import { owner, pair, startTelegram, type TelegramHarness } from '../../testing/telegram-harness';

// Commands, other sessions, deliveries, files, groups, rate limits and restarts, all through grammY
// against the Bot API stand-in and the real CLI against the Anthropic stand-in.
let t: TelegramHarness | null = null;
const extra: FakeTelegram[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const tg of extra.splice(0)) await tg.stop();
});

async function paired(options: Parameters<typeof startTelegram>[0] = {}) {
  t = await startTelegram(options);
  await pair(t);
  return { core: t.harness.core, tg: t.tg, api: t.harness.api, harness: t.harness };
}

/** What the user reads in the chat: the bot's messages without their markup. */
const texts = (tg: FakeTelegram, chat = owner.id) => tg.chat(chat).map((m) => htmlToPlain(m.text));

/** The bot's state as Settings shows it, once it is `state` (it changes without a Bot API call to wait on). */
async function statusIs(core: TelegramHarness['harness']['core'], state: string) {
  if (core.chats.telegram.status().state !== state) await nextEvent(core.events, 'chat.status', (s) => s.state === state, 30_000);
  return core.chats.telegram.status();
}

describe('Telegram: commands and sessions', { timeout: 60_000 }, () => {
  it('registers its commands; /new changes the session id, /status names it', async () => {
    const { core, tg } = await paired();
    expect(tg.commands.map((c) => c.command)).toEqual(['new', 'reset', 'stop', 'status', 'model', 'folder', 'sessions', 'jobs', 'task', 'memory', 'remember', 'cost', 'changes', 'help']);
    tg.send(owner, 'first');
    await tg.until(() => texts(tg).includes('echo: first'), 30_000);
    const before = core.sessions.list().find((s) => s.surface === 'telegram')!;
    tg.send(owner, '/new');
    await tg.until(() => texts(tg).some((x) => x.startsWith('🆕 New session')), 10_000);
    tg.send(owner, 'second');
    await tg.until(() => texts(tg).includes('echo: second'), 30_000);
    const after = core.sessions.list().filter((s) => s.surface === 'telegram');
    expect(after).toHaveLength(2);
    const fresh = after.find((s) => s.id !== before.id)!;
    expect(fresh.claudeSessionId).not.toBe(before.claudeSessionId);
    // A session in its own folder is followed by one in a fresh folder of its own (as a new window session is).
    expect(fresh.cwd).not.toBe(before.cwd);
    expect(core.sessions.transcript(fresh.id, 10).turns.map((x) => x.prompt)).toEqual(['second']);
    tg.send(owner, '/status');
    await tg.until(() => texts(tg).some((x) => x.includes('Status:') && x.includes(fresh.cwd)), 10_000);
    tg.send(owner, '/nosuch');
    await tg.until(() => texts(tg).some((x) => x.includes('There is no /nosuch here')), 10_000);
  });

  it('/remember, /memory, /model, /jobs, /cost and /help act as the person who typed them', async () => {
    const { core, tg } = await paired();
    tg.send(owner, '/remember the staging host is called kite');
    await tg.until(() => texts(tg).some((x) => x.startsWith('🧠 Remembered')), 10_000);
    expect(core.memory.list({ limit: 10, offset: 0 }).memories[0]).toMatchObject({ text: 'the staging host is called kite', source: { kind: 'user', actor: 'telegram:1001' } });
    tg.send(owner, '/memory staging');
    await tg.until(() => texts(tg).some((x) => x.startsWith('• the staging host is called kite')), 10_000);
    tg.send(owner, '/model');
    const models = await tg.until(() => tg.chat(owner.id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === 'haiku')), 10_000);
    tg.press(owner, models, 'm:haiku');
    await tg.until(() => texts(tg).some((x) => x.startsWith('Model: haiku from your next message')), 10_000);
    expect(core.sessions.list().find((s) => s.surface === 'telegram')!.model).toBe('haiku');
    // A job that runs no code unasked (Claude in Ask): a chat may run it now; a shell job is the window's to run.
    const job = await core.router.call('schedules.create', { name: 'Say hi', kind: 'claude', cron: '0 3 * * *', command: 'say hi', delivery: { desktop: false, chats: [{ surface: 'telegram', target: 'owner' }] } }, desktopCaller);
    if (!job.ok) throw new Error(job.error.message);
    tg.send(owner, '/jobs');
    const jobs = await tg.until(() => tg.chat(owner.id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === 'Run Say hi')), 10_000);
    tg.press(owner, jobs, jobs.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    await tg.until(() => texts(tg).some((x) => x.includes('Say hi: done')), 20_000, 'the job run from the chat');
    tg.send(owner, '/cost');
    await tg.until(() => texts(tg).some((x) => x.startsWith('This session: $')), 10_000);
    tg.send(owner, '/help');
    await tg.until(() => texts(tg).some((x) => x.includes('/remember — Remember something')), 10_000);
  });

  it('/sessions continues a desktop session here, and both show every message live', async () => {
    const { core, tg, api, harness } = await paired();
    const desk = core.sessions.create({ title: 'Desk work', permissionPolicy: 'ask', surface: 'desktop' });
    await harness.turnEnded(core.sessions.send(desk.id, 'started at the desk', desktopCaller).id);
    tg.send(owner, '/sessions');
    const list = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('Continue which session')), 10_000);
    const button = list.reply_markup!.inline_keyboard.flat().find((b) => b.text.includes('Desk work'))!;
    tg.press(owner, list, button.callback_data!);
    await tg.until(() => texts(tg).some((x) => x.includes('now continues Desk work')), 10_000);
    tg.send(owner, 'and now from the phone');
    await tg.until(() => texts(tg).includes('echo: and now from the phone'), 30_000);
    // The same Claude session saw both messages.
    expect(userTexts(api.requests.filter((r) => r.main).at(-1)!)).toEqual(['started at the desk', 'and now from the phone']);
    // A message from the window shows in the chat too, with its answer.
    await harness.turnEnded(core.sessions.send(desk.id, 'back at the desk', desktopCaller).id);
    await tg.until(() => texts(tg).some((x) => x.includes('From the desktop app') && x.includes('back at the desk')) && texts(tg).includes('echo: back at the desk'), 10_000);
  });

  it('delivers a scheduled job’s result to Telegram when the job asks for it', async () => {
    const { core, tg } = await paired();
    const job = await core.router.call(
      'schedules.create',
      { name: 'Nightly check', kind: 'shell', cron: '0 3 * * *', command: 'echo all good', delivery: { desktop: false, chats: [{ surface: 'telegram', target: 'owner' }] } },
      desktopCaller,
    );
    if (!job.ok) throw new Error(job.error.message);
    await core.router.call('schedules.runNow', { id: (job.value as { id: string }).id }, desktopCaller);
    const note = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('Nightly check')), 20_000, 'the job result');
    expect(note.text).toContain('all good');
    expect(note.text).toMatch(/done/);
  });
});

describe('Telegram: budgets', { timeout: 60_000 }, () => {
  it('refuses a message past the daily budget in words, with an error id, and sends nothing to Claude', async () => {
    const { core, tg, api } = await paired();
    tg.send(owner, 'first message');
    await tg.until(() => texts(tg).includes('echo: first message'), 30_000);
    await nextEvent(core.events, 'usage.changed', () => core.usage.summary({ days: 1 }).today.costUsd > 0, 20_000).catch(() => null);
    core.settings.set({ key: 'usage.dailyBudgetUsd', value: core.usage.summary({ days: 1 }).today.costUsd / 2 });
    const asked = api.requests.filter((r) => r.main).length;
    tg.send(owner, 'second message');
    const refusal = await tg.until(() => texts(tg).find((x) => x.startsWith('⚠️ Today')), 10_000, 'the refusal');
    expect(refusal).toMatch(/^⚠️ Today's Claude budget of \$0\.\d+ is spent \(\$0\.\d+\)\. New turns wait until tomorrow, or raise it in Settings → Usage\. \(error \w{8}\)$/);
    expect(api.requests.filter((r) => r.main)).toHaveLength(asked);
  });
});

describe('Telegram: files and groups', { timeout: 60_000 }, () => {
  it('saves a document into the session’s folder and hands Claude its path', async () => {
    const { core, tg, api } = await paired();
    tg.sendFile(owner, 'document', Buffer.from('name,size\na,1\n'), { fileName: 'data.csv', caption: 'what is in this file?', mime: 'text/csv' });
    await tg.until(() => texts(tg).some((x) => x.startsWith('echo: what is in this file?')), 30_000);
    const session = core.sessions.list().find((s) => s.surface === 'telegram')!;
    const saved = fs.readdirSync(path.join(session.cwd, 'telegram-files'));
    expect(saved).toHaveLength(1);
    expect(fs.readFileSync(path.join(session.cwd, 'telegram-files', saved[0]!), 'utf8')).toBe('name,size\na,1\n');
    const prompt = userTexts(api.requests.filter((r) => r.main).at(-1)!).at(-1)!;
    expect(prompt).toContain(path.join(session.cwd, 'telegram-files', saved[0]!));
    expect(prompt).toContain('text/csv');
  });

  it('says so when a file is too big for a bot to fetch, and the words with it still reach Claude', async () => {
    const { tg, api } = await paired();
    tg.failNext(1, { method: 'getFile', status: 400, description: 'Bad Request: file is too big' });
    tg.sendFile(owner, 'document', Buffer.from('x'), { fileName: 'huge.mov', caption: 'look at this video', mime: 'video/quicktime' });
    const warning = await tg.until(() => texts(tg).find((x) => x.startsWith('⚠️ I could not fetch')), 30_000, 'the warning');
    expect(warning).toMatch(/^⚠️ I could not fetch huge\.mov: it is larger than the 20 MB a bot may download\. Your words went to Claude without it\. \(error \w{8}\)$/);
    await tg.until(() => texts(tg).some((x) => x === 'echo: look at this video'), 30_000, 'the answer to the words');
    expect(lastUserText(api.requests.filter((r) => r.main).at(-1)!)).not.toContain('telegram-files');
  });

  it('in an allowed group answers only messages that mention or reply to it; each forum topic is its own session', async () => {
    const { core, tg } = await paired();
    await core.router.call('settings.set', { key: 'telegram.allowGroups', value: true }, desktopCaller);
    const group = { id: -100123, type: 'supergroup' as const, is_forum: true };
    tg.send(owner, 'just chatting, not for the bot', { chat: group, threadId: 7 });
    tg.send(owner, '@switchboard_test_bot topic seven here', { chat: group, threadId: 7, entities: [{ type: 'mention', offset: 0, length: 21 }] });
    await tg.until(() => tg.chat(group.id, 7).some((m) => m.text === 'echo: topic seven here'), 30_000);
    tg.send(owner, '@switchboard_test_bot topic eight', { chat: group, threadId: 8, entities: [{ type: 'mention', offset: 0, length: 21 }] });
    await tg.until(() => tg.chat(group.id, 8).some((m) => m.text === 'echo: topic eight'), 30_000);
    const reply = tg.chat(group.id, 8).find((m) => m.text === 'echo: topic eight')!;
    tg.send(owner, 'a reply to the bot', { chat: group, threadId: 8, replyTo: reply.message_id });
    await tg.until(() => tg.chat(group.id, 8).some((m) => m.text === 'echo: a reply to the bot'), 30_000);
    const sessions = core.sessions.list().filter((s) => s.surface === 'telegram');
    expect(sessions).toHaveLength(2);
    const prompts = sessions.flatMap((s) => core.sessions.transcript(s.id, 10).turns.map((x) => x.prompt));
    expect(prompts).not.toContain('just chatting, not for the bot');
  });
});

describe('Telegram: rate limits, failures and restarts', { timeout: 90_000 }, () => {
  it('loses nothing and doubles nothing in a storm of 429s', async () => {
    const { tg, api } = await paired();
    api.respond((request) => ({ kind: 'text', text: `answer to ${userTexts(request).at(-1)}`, chunks: 4, chunkDelayMs: 30 }));
    tg.failNext(25, { status: 429, retryAfter: 1 });
    for (const text of ['alpha', 'beta', 'gamma']) tg.send(owner, text);
    await tg.until(() => ['alpha', 'beta', 'gamma'].every((x) => texts(tg).includes(`answer to ${x}`)), 60_000, 'every answer');
    for (const x of ['alpha', 'beta', 'gamma']) expect(texts(tg).filter((m) => m.includes(`answer to ${x}`))).toHaveLength(1);
    expect(tg.calls.filter((c) => c.status === 429).length).toBeGreaterThan(5);
  });

  it('a chat whose calls stall holds back only its own messages', async () => {
    const { tg } = await paired();
    const other = { id: 1002, first_name: 'Bob' };
    await pair(t!, other);
    const release = tg.hold(owner.id);
    tg.send(owner, '/help');
    await tg.until(() => tg.calls.some((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === owner.id && c.status === 0), 30_000, "the owner's answer, held");
    // Before: every chat's messages waited until the stalled call came back.
    tg.send(other, '/help');
    await tg.until(() => texts(tg, other.id).some((x) => x.includes('/new')), 30_000, "the other chat's answer while the first chat stalls");
    expect(texts(tg).some((x) => x.includes('/new'))).toBe(false);
    release();
    await tg.until(() => texts(tg).some((x) => x.includes('/new')), 30_000, "the owner's answer once the chat app answers");
  });

  it('says when the token is refused, and when another program polls with it', async () => {
    const tg = await new FakeTelegram().start();
    extra.push(tg);
    t = await startTelegram({ telegram: tg, env: { SWITCHBOARD_TELEGRAM_TOKEN: '999:not-the-token-at-all' }, connected: false });
    const { core } = t.harness;
    expect((await statusIs(core, 'error')).error).toMatch(/^Telegram refused the bot token \(401 Unauthorized\)\. Copy it again from @BotFather\. \(error \w+\)$/);
    // A token given in Settings wins over the environment's.
    const connected = await core.router.call('chat.connect', { surface: 'telegram', token: tg.token }, desktopCaller);
    expect(connected).toMatchObject({ ok: true, value: { state: 'connected', account: '@switchboard_test_bot', hasToken: true } });
    tg.conflict();
    expect((await statusIs(core, 'error')).error).toMatch(/Another program is polling Telegram with this bot token \(409 Conflict\)/);
    expect(await core.router.call('chat.connect', { surface: 'telegram', token: 'short' }, desktopCaller)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('token: does not look like a bot token') } });
  });

  it('sends the final text of a reply cut off by a restart once', async () => {
    const tg = await new FakeTelegram().start();
    extra.push(tg);
    t = await startTelegram({ telegram: tg });
    await pair(t);
    const dir = t.harness.dir;
    t.harness.api.reply({ kind: 'hang', text: 'a long answer that never ends' });
    t.tg.send(owner, 'start something');
    await tg.until(() => texts(tg).some((x) => x.startsWith('a long')), 30_000, 'the reply to start');
    await t.close(true);
    t = await startTelegram({ telegram: tg, dir });
    const final = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('Switchboard stopped during this turn')), 20_000, 'the final text');
    // In the message that was streaming: the text so far, and why it stopped.
    expect(final.versions[0]).toContain('a long answer');
    expect(final.text).toContain('a long answer');
    // Once: a further restart sends nothing again.
    const count = tg.chat(owner.id).length;
    await t.close(true);
    t = await startTelegram({ telegram: tg, dir });
    await new Promise((r) => setTimeout(r, 500));
    expect(tg.chat(owner.id)).toHaveLength(count);
  });
});
