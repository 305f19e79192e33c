import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../../ipc/router';
import { lastUserText, userTexts } from '../../testing/fake-anthropic';
import { FakeTranscription } from '../../testing/fake-transcription';
import { nextEvent } from '../../testing/wait';
import { owner, pair, startTelegram, type TelegramHarness } from '../../testing/telegram-harness';
import { htmlToPlain } from './telegram-html';

// Claude's own questions, desk questions after a delay, a part Telegram refuses, and voice notes.
let t: TelegramHarness | null = null;
const stubs: FakeTranscription[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const s of stubs.splice(0)) await s.stop();
});

async function paired(options: Parameters<typeof startTelegram>[0] = {}) {
  t = await startTelegram(options);
  await pair(t);
  return { core: t.harness.core, tg: t.tg, api: t.harness.api, harness: t.harness };
}

const texts = (t: TelegramHarness) => t.tg.chat(owner.id).map((m) => htmlToPlain(m.text));

describe('Telegram: questions', { timeout: 60_000 }, () => {
  it("answers Claude's own question with one press of an option, and the answer reaches Claude", async () => {
    const { tg, api } = await paired();
    const questions = [{ question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'Postgres', description: 'a server' }, { label: 'SQLite', description: 'a file' }] }];
    api.reply({ kind: 'tool', name: 'AskUserQuestion', input: { questions } }, { kind: 'text', text: 'Going with it.' });
    tg.send(owner, 'set up storage');
    const card = await tg.until(() => tg.chat(owner.id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === 'SQLite')), 30_000, 'the question');
    expect(htmlToPlain(card.text)).toContain('Which database?');
    tg.press(owner, card, card.reply_markup!.inline_keyboard.flat().find((b) => b.text === 'SQLite')!.callback_data!);
    await tg.until(() => t && texts(t).includes('Going with it.'), 30_000, 'the answer after the choice');
    const toolResult = JSON.stringify(api.mainRequests().at(-1)!.body.messages!.at(-1));
    expect(toolResult).toContain('SQLite');
    await tg.until(() => htmlToPlain(card.text).includes('Answered by Olivia'), 10_000, 'the card to settle');
  });

  it('shows a plan with Approve plan and Keep planning; approving ends plan mode for the session', async () => {
    const { core, tg, api } = await paired();
    tg.send(owner, 'hello first');
    await tg.until(() => t && texts(t).includes('echo: hello first'), 30_000);
    const session = core.sessions.list().find((s) => s.surface === 'telegram')!;
    await core.router.call('sessions.update', { id: session.id, permissionPolicy: 'plan' }, desktopCaller);
    api.reply({ kind: 'tool', name: 'ExitPlanMode', input: { plan: '1. Add **pnpm**\n2. Write the lockfile' } }, { kind: 'text', text: 'Plan approved, starting.' });
    tg.send(owner, 'plan it first');
    const card = await tg.until(() => tg.chat(owner.id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => b.text === 'Approve plan')), 30_000, 'the plan');
    expect(card.text).toContain('<b>pnpm</b>');
    tg.press(owner, card, card.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    await tg.until(() => t && texts(t).includes('Plan approved, starting.'), 30_000, 'the work after approval');
    expect(core.sessions.get(session.id).permissionPolicy).toBe('ask');
    await tg.until(() => htmlToPlain(card.text).includes('Plan approved by Olivia'), 10_000, 'the card to settle');
  });

  it('sends a question from a desk session only once it has waited, and none when it was answered at the desk first', async () => {
    const { core, tg, api, harness } = await paired();
    await core.router.call('settings.set', { key: 'telegram.questionDelaySeconds', value: 1 }, desktopCaller);
    const desk = core.sessions.create({ title: 'At the desk', permissionPolicy: 'ask', surface: 'desktop' });
    // Answered at the keyboard within the delay: the phone gets nothing.
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch quick.txt', description: 'make a file' } }, { kind: 'text', text: 'quick done' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending', 20_000);
    const quick = core.sessions.send(desk.id, 'quick one', desktopCaller);
    const first = await asked;
    await core.router.call('approvals.answer', { id: first.id, decision: 'once' }, desktopCaller);
    await harness.turnEnded(quick.id);
    // Left waiting: after the delay it reaches the owner's private chat with its buttons.
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch later.txt', description: 'make a file' } }, { kind: 'text', text: 'later done' });
    const later = core.sessions.send(desk.id, 'slow one', desktopCaller);
    const card = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('touch later.txt') && m.reply_markup?.inline_keyboard.length), 20_000, 'the delayed card');
    expect(tg.chat(owner.id).some((m) => m.text.includes('touch quick.txt'))).toBe(false);
    expect(htmlToPlain(card.text)).toContain('At the desk');
    tg.press(owner, card, card.reply_markup!.inline_keyboard[0]![0]!.callback_data!);
    expect((await harness.turnEnded(later.id)).status).toBe('done');
  });
});

describe('Telegram: formatting refused, and voice notes', { timeout: 60_000 }, () => {
  it('sends a part Telegram cannot parse again as plain text, never losing it', async () => {
    const { tg, api } = await paired();
    api.reply({ kind: 'text', text: 'a **bold** claim & more' });
    // Every HTML send of this reply is refused, the streamed preview's included.
    tg.failNext(2, { method: 'sendMessage', when: (p) => p.parse_mode === 'HTML', status: 400, description: "Bad Request: can't parse entities: unexpected end tag at byte offset 3" });
    tg.send(owner, 'say it');
    const plain = await tg.until(() => tg.chat(owner.id).find((m) => m.text === 'a bold claim & more'), 30_000, 'the plain retry');
    expect(plain.parse_mode).toBeUndefined();
  });

  it('transcribes a voice note where an endpoint is set, with the key set in the window, and shows what was heard', async () => {
    const whisper = await new FakeTranscription().start();
    stubs.push(whisper);
    whisper.answer = { text: 'please check the build' };
    const { core, tg, api } = await paired();
    await core.router.call('settings.set', { key: 'voice.transcriptionUrl', value: whisper.url }, desktopCaller);
    await core.router.call('settings.set', { key: 'voice.transcriptionModel', value: 'gpt-4o-transcribe' }, desktopCaller);
    // The key is set from the window only, never from a chat (or a script on a chat surface).
    expect(await core.router.call('chat.setTranscriptionKey', { key: 'sk-voice' }, { surface: 'telegram', actor: 'telegram:1' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('chat.setTranscriptionKey', { key: 'sk-voice' }, desktopCaller)).toEqual({ ok: true, value: { stored: true } });
    expect(await core.router.call('chat.transcriptionKey', {}, desktopCaller)).toEqual({ ok: true, value: { stored: true } });
    tg.sendFile(owner, 'voice', Buffer.from('OggS fake voice bytes'));
    await tg.until(() => t && texts(t).some((x) => x.includes('I heard: “please check the build”')), 30_000, 'the transcription');
    await tg.until(() => api.requests.some((r) => r.main && lastUserText(r).includes('please check the build')), 30_000, 'Claude to get it');
    const prompt = userTexts(api.requests.filter((r) => r.main).at(-1)!).at(-1)!;
    expect(prompt).toMatch(/A voice note from Olivia \(@olivia\), saved at .*telegram-files\/\d+-voice-\d+\.ogg \(audio\/ogg\)/);
    expect(whisper.requests[0]!.authorization).toBe('Bearer sk-voice');
    expect(whisper.requests[0]!.body).toContain('OggS fake voice bytes');
    expect(whisper.requests[0]!.body).toMatch(/name="model"\r\n\r\ngpt-4o-transcribe\r\n/);
  });

  it('says why a voice note could not be transcribed, with an id the log has, and Claude still gets the recording', async () => {
    const whisper = await new FakeTranscription().start();
    stubs.push(whisper);
    whisper.answer = { status: 401 };
    const { core, tg, api, harness } = await paired();
    await core.router.call('settings.set', { key: 'voice.transcriptionUrl', value: whisper.url }, desktopCaller);
    tg.sendFile(owner, 'voice', Buffer.from('OggS fake voice bytes'));
    const warning = await tg.until(() => t && texts(t).find((x) => x.startsWith('⚠️ I could not transcribe')), 30_000, 'the warning');
    expect(warning).toMatch(/^⚠️ I could not transcribe the voice note: the transcription endpoint answered 401: check its key in Settings → Voice notes\. Claude gets the recording as a file\. \(error (\w{8})\)$/);
    const id = /\(error (\w{8})\)/.exec(warning!)![1]!;
    expect(fs.readFileSync(path.join(harness.dir, 'data', 'logs', 'switchboard.log'), 'utf8')).toContain(id);
    await tg.until(() => api.requests.some((r) => r.main && /A voice note from Olivia .*telegram-files/.test(lastUserText(r))), 30_000, 'Claude to get the file');
    // Nobody could be reached at all: the same, in other words.
    await whisper.stop();
    stubs.splice(stubs.indexOf(whisper), 1);
    tg.sendFile(owner, 'voice', Buffer.from('OggS more bytes'));
    await tg.until(() => t && texts(t).some((x) => x.startsWith('⚠️ I could not transcribe the voice note: the transcription endpoint could not be reached')), 30_000, 'the second warning');
  });
});
