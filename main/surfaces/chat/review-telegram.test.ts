import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REVIEW_APPROVAL_TOOL, type SessionSummary } from '../../../contract';
import type { Core } from '../../core';
import { desktopCaller } from '../../ipc/router';
import type { ChatMessage } from '../../testing/fake-telegram';
import { GIT_TEST_ENV, gitIn, makeRepo } from '../../testing/git-repo';
import { owner, pair, startTelegram, type TelegramHarness } from '../../testing/telegram-harness';

// grammY against the Bot API stand-in, the real CLI against the Anthropic one: a turn's changes in a chat.
let t: TelegramHarness | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const plain = (m: ChatMessage) => m.text.replace(/<[^>]+>/g, '').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
const button = (m: ChatMessage, label: string) => m.reply_markup!.inline_keyboard.flat().find((b) => b.text === label)!.callback_data!;

/** The owner allows the pending review question in the window (whoever asked in the chat cannot). */
async function allowInWindow(core: Core): Promise<void> {
  // Its card is in the chat already, so the question is pending.
  const question = core.approvals.list('pending', 10).find((a) => a.toolName === REVIEW_APPROVAL_TOOL)!;
  const answered = await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller);
  if (!answered.ok) throw new Error(answered.error.message);
}

describe('a turn that changed files, in Telegram', () => {
  it('ends with one line and Diff, Merge, Discard; Diff sends a .diff with an excerpt; Merge waits for Allow; /changes lists them', async () => {
    t = await startTelegram({ env: GIT_TEST_ENV });
    const { harness, tg } = t;
    const { core, api } = harness;
    await pair(t);
    const repo = makeRepo(path.join(harness.dir, 'repo'), { 'app.txt': 'alpha\nbeta\n' });
    const created = await core.router.call('sessions.create', { title: 'Phone work', cwd: repo, worktree: true, permissionPolicy: 'acceptEdits' }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const session = created.value as SessionSummary;
    core.chats.telegram.bind(String(owner.id), session.id);

    api.reply(
      { kind: 'tool', name: 'Write', input: { file_path: path.join(session.cwd, 'notes.txt'), content: 'one\ntwo\nthree\n' } },
      { kind: 'tool', name: 'Read', input: { file_path: path.join(session.cwd, 'app.txt') } },
      { kind: 'tool', name: 'Edit', input: { file_path: path.join(session.cwd, 'app.txt'), old_string: 'beta', new_string: 'gamma' } },
      { kind: 'text', text: 'Wrote the notes and renamed beta.' },
    );
    tg.send(owner, 'write some notes');
    const line = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('2 files changed, +4 −1')), 45_000, 'the changes line');
    expect(plain(line)).toMatch(/2 files changed, \+4 −1 in turn 1 on switchboard\/phone-work \(from main\)/);
    expect(line.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['Diff', 'Merge', 'Discard']);
    // After the reply, not before it.
    const messages = tg.chat(owner.id);
    expect(messages.findIndex((m) => m.text.includes('Wrote the notes'))).toBeLessThan(messages.indexOf(line));

    tg.press(owner, line, button(line, 'Diff'));
    const doc = await tg.until(() => tg.chat(owner.id).find((m) => m.document), 20_000, 'the .diff document');
    expect(doc.document!.file_name).toMatch(/^turn-1-.*\.diff$/);
    const diff = doc.document!.content.toString('utf8');
    expect(diff).toContain('+gamma');
    expect(diff).toContain('+++ b/notes.txt');
    expect(tg.chat(owner.id).some((m) => plain(m).includes('-beta') && plain(m).includes('+gamma') && !m.document)).toBe(true);

    tg.press(owner, line, button(line, 'Merge'));
    const card = await tg.until(() => tg.chat(owner.id).find((m) => plain(m).includes('merge switchboard/phone-work into main') && m.reply_markup), 20_000, 'the approval card');
    expect(plain(card)).toContain('Telegram user 1001');
    expect(gitIn(repo, 'log', '--format=%s')).toBe('first');
    // The one who asked cannot allow it: the owner does, in the window.
    tg.press(owner, card, button(card, 'Allow'));
    await tg.until(() => tg.callsOf('answerCallbackQuery').find((c) => String(c.params.text).includes('You asked for this yourself')), 20_000, 'the refusal');
    expect(gitIn(repo, 'log', '--format=%s')).toBe('first');
    await allowInWindow(t.harness.core);
    await tg.until(() => tg.chat(owner.id).find((m) => plain(m).startsWith('✅ Merged')), 20_000, 'the merge result');
    expect(gitIn(repo, 'log', '--format=%s', '-1')).toBe('Phone work');
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('one\ntwo\nthree\n');

    fs.writeFileSync(path.join(session.cwd, 'later.txt'), 'later\n');
    tg.send(owner, '/changes');
    const listed = await tg.until(() => tg.chat(owner.id).find((m) => plain(m).includes('1 file changed, +1 −0') && plain(m).includes('later.txt')), 20_000, '/changes');
    expect(listed.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(['Diff', 'Merge', 'Discard']);
  }, 120_000);

  it('reports a merge conflict file by file in the chat, with the offer to have Claude resolve it', async () => {
    t = await startTelegram({ env: GIT_TEST_ENV });
    const { harness, tg } = t;
    await pair(t);
    const repo = makeRepo(path.join(harness.dir, 'repo'), { 'app.txt': 'alpha\n' });
    const created = await harness.core.router.call('sessions.create', { title: 'Clash', cwd: repo, worktree: true }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const session = created.value as SessionSummary;
    harness.core.chats.telegram.bind(String(owner.id), session.id);
    fs.writeFileSync(path.join(session.cwd, 'app.txt'), 'from the session\n');
    fs.writeFileSync(path.join(repo, 'app.txt'), 'from the base\n');
    gitIn(repo, 'commit', '-qam', 'base moved');
    tg.send(owner, '/changes');
    const listed = await tg.until(() => tg.chat(owner.id).find((m) => plain(m).includes('1 file changed') && m.reply_markup), 20_000, '/changes');
    tg.press(owner, listed, button(listed, 'Merge'));
    await tg.until(() => tg.chat(owner.id).find((m) => plain(m).includes('merge switchboard/clash into main') && m.reply_markup), 20_000, 'the approval card');
    await allowInWindow(harness.core);
    const conflict = await tg.until(() => tg.chat(owner.id).find((m) => plain(m).includes('could not be merged')), 20_000, 'the conflict');
    expect(plain(conflict)).toContain('app.txt: changed on both sides');
    expect(gitIn(repo, 'log', '--format=%s', '-1')).toBe('base moved');
    harness.api.reply({ kind: 'text', text: 'Resolving.' });
    tg.press(owner, conflict, button(conflict, 'Ask Claude to resolve'));
    await tg.until(() => harness.core.sessions.transcript(session.id, 10).turns.find((x) => x.prompt.startsWith('Merging into main stopped on conflicts')), 20_000, 'the message to Claude');
  }, 90_000);

  it('shows an edit waiting for permission with a compact excerpt of what it would change', async () => {
    t = await startTelegram({ env: GIT_TEST_ENV });
    const { harness, tg } = t;
    await pair(t);
    const repo = makeRepo(path.join(harness.dir, 'repo'), { 'app.txt': 'alpha\nbeta\n' });
    const created = await harness.core.router.call('sessions.create', { title: 'Ask first', cwd: repo, worktree: true }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const session = created.value as SessionSummary;
    harness.core.chats.telegram.bind(String(owner.id), session.id);
    harness.api.reply({ kind: 'tool', name: 'Read', input: { file_path: path.join(session.cwd, 'app.txt') } }, { kind: 'tool', name: 'Edit', input: { file_path: path.join(session.cwd, 'app.txt'), old_string: 'alpha', new_string: 'omega' } }, { kind: 'text', text: 'done' });
    tg.send(owner, 'change alpha');
    const card = await tg.until(() => tg.chat(owner.id).find((m) => m.text.includes('wants to use') && m.text.includes('Edit')), 45_000, 'the edit card');
    expect(plain(card)).toContain('-alpha');
    expect(plain(card)).toContain('+omega');
  }, 90_000);
});
