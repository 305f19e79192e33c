import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastUserText } from '../../testing/fake-anthropic';
import type { ChatMessage, FakeTelegram } from '../../testing/fake-telegram';
import { parseTelegramHtml } from '../../testing/telegram-html-check';
import { owner, pair, startTelegram, stranger, windowCaller as window, type TelegramHarness } from '../../testing/telegram-harness';

// The real grammY client (runner, auto-retry) polls a loopback Bot API stand-in; the real claude CLI
// answers through the Anthropic stand-in.
let t: TelegramHarness | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function start() {
  t = await startTelegram();
  return { core: t.harness.core, tg: t.tg, api: t.harness.api, harness: t.harness, t };
}

const lastBotText = (tg: FakeTelegram, chatId: number) => tg.chat(chatId).at(-1)?.text ?? '';

describe('Telegram: access', { timeout: 60_000 }, () => {
  it('gives a stranger a pairing code and nothing else: Claude never hears them, until the owner accepts in the window', async () => {
    const harness = await start();
    const { core, tg, api } = harness;
    tg.send(stranger, 'please run rm -rf / for me');
    const reply = await tg.until(() => tg.chat(stranger.id).find((m) => m.text.includes('give the owner this code')), 10_000, 'the pairing reply');
    const code = core.chats.telegram.access.pairings()[0]!.code;
    expect(reply.text).toContain(code);
    // Asking again gives the same code, not a new request.
    tg.send(stranger, 'add me to the allowlist');
    await tg.until(() => tg.chat(stranger.id).length >= 2);
    expect(core.chats.telegram.access.pairings()).toHaveLength(1);
    expect(api.requests.filter((r) => r.main)).toHaveLength(0);
    expect(core.history.conversations()).toHaveLength(0);

    // Access never changes from a chat surface, only from the window.
    const fromChat = await core.router.call('chat.answerPairing', { surface: 'telegram', code, accept: true }, { surface: 'telegram', actor: 'telegram:6666' });
    expect(fromChat).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(core.chats.telegram.access.allowed(String(stranger.id))).toBe(false);

    // Refused: still nothing reaches Claude.
    expect(await core.router.call('chat.answerPairing', { surface: 'telegram', code, accept: false }, window)).toMatchObject({ ok: true, value: { user: null } });
    tg.send(stranger, 'what about now');
    await tg.until(() => tg.chat(stranger.id).filter((m) => m.text.includes('give the owner this code')).length >= 2, 10_000);
    expect(api.requests.filter((r) => r.main)).toHaveLength(0);
  });

  it('lets the owner in through pairing; their messages reach Claude with surface telegram and the sender', async () => {
    const harness = await start();
    const { core, tg, api } = harness;
    await pair(harness.t);
    tg.send(owner, 'hello from the phone');
    await tg.until(() => lastBotText(tg, owner.id).includes('echo: hello from the phone'), 30_000, 'the reply');
    expect(lastUserText(api.requests.filter((r) => r.main).at(-1)!)).toBe('hello from the phone');
    const session = core.sessions.list().find((s) => s.surface === 'telegram')!;
    const turn = await harness.harness.turnEnded(core.sessions.transcript(session.id, 10).turns[0]!.id);
    expect(turn).toMatchObject({ surface: 'telegram', actor: 'telegram:1001', prompt: 'hello from the phone', status: 'done' });
    expect(core.history.messages(session.id).messages.map((m) => [m.role, m.surface, m.text])).toContainEqual(['user', 'telegram', 'hello from the phone']);
  });
});

describe('Telegram: replies', { timeout: 60_000 }, () => {
  it('streams a reply as one message edited about once a second, then the final text', async () => {
    const harness = await start();
    const { tg, api } = harness;
    await pair(harness.t);
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`);
    api.reply({ kind: 'text', text: words.join(' '), chunks: 30, chunkDelayMs: 100 });
    tg.send(owner, 'tell me thirty words');
    const final = await tg.until(() => tg.chat(owner.id).find((m) => m.text === words.join(' ') && m.versions.length > 1), 30_000, 'the final text');
    // One message, shown first with part of the text, then edited up to the whole.
    expect(final.versions[0]!.length).toBeLessThan(final.text.length);
    const edits = tg.callsOf('editMessageText').filter((c) => Number(c.params.message_id) === final.message_id);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    const gaps = edits.slice(1).map((e, i) => e.at - edits[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
    expect(tg.callsOf('sendChatAction').length).toBeGreaterThan(0);
    // The text went out once: no second message with it.
    expect(tg.chat(owner.id).filter((m) => m.text.includes('word29'))).toHaveLength(1);
  });

  it('splits hard content into parts that each parse as Telegram HTML, and sends a long answer as a file too', async () => {
    const harness = await start();
    const { tg, api } = harness;
    await pair(harness.t);
    const code = Array.from({ length: 200 }, (_, i) => `  if (a < b && c > d) { log("<tag ${i}>"); }`).join('\n');
    const hard = `Here is <html> & more.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\`\`\`\`md\nnested:\n\`\`\`js\n${code}\n\`\`\`\n\`\`\`\`\n\n${'Last words. '.repeat(200)}`;
    expect(hard.length).toBeGreaterThan(10_000);
    api.reply({ kind: 'text', text: hard });
    tg.send(owner, 'something long please');
    await tg.until(() => tg.chat(owner.id).find((m) => m.document), 40_000, 'the document');
    const parts = tg.chat(owner.id).filter((m) => !m.document && m.versions.length && m.parse_mode === 'HTML' && !m.text.includes('You are in'));
    for (const part of parts) expect(parseTelegramHtml(part.text).ok).toBe(true);
    const shown = parts.map((p) => parseTelegramHtml(p.text)).map((p) => (p.ok ? p.text : '')).join('\n');
    expect(shown).toContain('Here is <html> & more.');
    expect(shown).toContain('if (a < b && c > d) { log("<tag 199>"); }');
    expect(shown).toContain('Last words.');
    const doc = tg.chat(owner.id).find((m) => m.document)!;
    expect(doc.document!.content.toString()).toContain('<tag 150>');
  });

  it('answers messages sent while busy in order, each acknowledged with its place', async () => {
    const harness = await start();
    const { tg, api } = harness;
    await pair(harness.t);
    // By content, not "the next request": a side request of the CLI must not take the slow answer.
    api.respond((request) => (lastUserText(request) === 'one' ? { kind: 'text', text: 'first answer', delayMs: 1500 } : { kind: 'text', text: `echo: ${lastUserText(request)}` }));
    tg.send(owner, 'one');
    await tg.until(() => tg.callsOf('sendChatAction').length > 0);
    tg.send(owner, 'two');
    tg.send(owner, 'three');
    await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('echo: three')), 40_000, 'the third answer');
    const texts = tg.chat(owner.id).map((m) => m.text);
    expect(texts.filter((t) => t.startsWith('⏳ Queued'))).toEqual(['⏳ Queued: #1 in line. Answers come in order.', '⏳ Queued: #2 in line. Answers come in order.']);
    // Each answer whole in its own message (a failure prints every message of the chat), in order.
    expect(texts).toEqual(expect.arrayContaining(['first answer', 'echo: two', 'echo: three']));
    const order = ['first answer', 'echo: two', 'echo: three'].map((t) => texts.indexOf(t));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('Telegram: approvals', { timeout: 60_000 }, () => {
  it('runs a tool approved by button (its file appears) and not one denied; each card shows the answer and who gave it', async () => {
    const harness = await start();
    const { core, tg, api } = harness;
    await pair(harness.t);
    // The chat's session asks before running tools.
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch approved.txt', description: 'make a file' } }, { kind: 'text', text: 'made it' });
    tg.send(owner, 'make approved.txt');
    const card = await tg.until(() => tg.chat(owner.id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === 'Allow once')), 30_000, 'the card');
    expect(card.text).toContain('touch approved.txt');
    // A stranger's press changes nothing.
    tg.press(stranger, card, card.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    tg.press(owner, card, card.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    await tg.until(() => tg.chat(owner.id).some((m) => m.text === 'made it'), 30_000, 'the answer after approval');
    const session = core.sessions.list().find((s) => s.surface === 'telegram')!;
    expect(fs.existsSync(path.join(session.cwd, 'approved.txt'))).toBe(true);
    await tg.until(() => card.text.includes('Allowed once by Olivia (@olivia)') && !card.reply_markup?.inline_keyboard.length, 10_000, 'the card to show the answer');
    expect(core.approvals.list('all', 10)[0]).toMatchObject({ decision: 'once', answeredBy: 'telegram:1001', answeredVia: 'telegram' });

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch denied.txt', description: 'make a file' } }, { kind: 'text', text: 'did not make it' });
    tg.send(owner, 'make denied.txt');
    const second = await tg.until(() => tg.chat(owner.id).find((m) => m !== card && m.text.includes('touch denied.txt') && m.reply_markup?.inline_keyboard.length), 30_000, 'the second card');
    tg.press(owner, second, second.reply_markup!.inline_keyboard[0]![2]!.callback_data!);
    await tg.until(() => tg.chat(owner.id).some((m) => m.text === 'did not make it'), 30_000);
    expect(fs.existsSync(path.join(session.cwd, 'denied.txt'))).toBe(false);
    await tg.until(() => second.text.includes('Denied by Olivia'), 10_000);
  });

  it('updates a card answered in the window', async () => {
    const harness = await start();
    const { core, tg, api } = harness;
    await pair(harness.t);
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch from-window.txt', description: 'make a file' } }, { kind: 'text', text: 'done here' });
    tg.send(owner, 'make from-window.txt');
    const card = await tg.until(() => tg.chat(owner.id).find((m): m is ChatMessage => !!m.reply_markup?.inline_keyboard.length), 30_000, 'the card');
    const pending = core.approvals.list('pending', 10)[0]!;
    expect(await core.router.call('approvals.answer', { id: pending.id, decision: 'once' }, window)).toMatchObject({ ok: true });
    await tg.until(() => card.text.includes('Allowed once by you in the desktop app') && !card.reply_markup?.inline_keyboard.length, 10_000, 'the card to update');
  });
});
