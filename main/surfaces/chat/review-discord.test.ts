import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../contract';
import { desktopCaller } from '../../ipc/router';
import { allow, member, startDiscord, type DiscordHarness } from '../../testing/discord-harness';
import type { DiscordMessage } from '../../testing/fake-discord';
import { GIT_TEST_ENV, gitIn, makeRepo } from '../../testing/git-repo';

// discord.js against the Discord stand-in, the real CLI against the Anthropic one.
let d: DiscordHarness | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

const button = (m: DiscordMessage, label: string) => m.components.flatMap((row) => row.components).find((b) => b.label === label)!.custom_id;

describe('a turn that changed files, in Discord', () => {
  it('ends with one line and Diff, Merge, Discard; Diff attaches a .diff; Discard waits for the owner', async () => {
    d = await startDiscord({ env: GIT_TEST_ENV });
    const { harness, dc } = d;
    await allow(d);
    const dm = dc.dm(member).id;
    const repo = makeRepo(path.join(harness.dir, 'repo'), { 'app.txt': 'alpha\n' });
    const created = await harness.core.router.call('sessions.create', { title: 'Desk to Discord', cwd: repo, worktree: true, permissionPolicy: 'acceptEdits' }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const session = created.value as SessionSummary;
    harness.core.chats.discord.bind(dm, session.id);
    harness.api.reply({ kind: 'tool', name: 'Write', input: { file_path: path.join(session.cwd, 'new.txt'), content: 'fresh\n' } }, { kind: 'text', text: 'Made it.' });
    dc.send(member, dm, 'make a file');
    const line = await dc.until(() => dc.in(dm).find((m) => m.from_bot && m.content.includes('1 file changed, +1 −0')), 45_000, 'the changes line');
    expect(line.components.flatMap((r) => r.components).map((b) => b.label)).toEqual(['Diff', 'Merge', 'Discard']);

    dc.press(member, line.id, button(line, 'Diff'));
    const doc = await dc.until(() => dc.in(dm).find((m) => m.files.some((f) => f.name.endsWith('.diff'))), 20_000, 'the .diff');
    expect(doc.files[0]!.content.toString('utf8')).toContain('+fresh');

    dc.press(member, line.id, button(line, 'Discard'));
    const card = await dc.until(() => dc.in(dm).find((m) => m.content.includes('discard every change') && m.components.length), 20_000, 'the approval card');
    dc.press(member, card.id, button(card, 'Deny'));
    await dc.until(() => dc.in(dm).find((m) => m.content.includes('The owner did not allow this')), 20_000, 'the refusal');
    expect(gitIn(session.cwd, 'status', '--porcelain')).toContain('new.txt');
  }, 120_000);
});
