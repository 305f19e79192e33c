import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastUserText, userTexts } from '../../testing/fake-anthropic';
import { allow, bindChannel, member, outsider, startDiscord, type DiscordHarness } from '../../testing/discord-harness';
import { FakeDiscord } from '../../testing/fake-discord';
import { FakeTranscription } from '../../testing/fake-transcription';
import { nextEvent } from '../../testing/wait';

// The real discord.js client talks to a loopback Discord stand-in (REST + gateway); the real claude CLI
// answers through the Anthropic stand-in.
let t: DiscordHarness | null = null;
const extra: FakeDiscord[] = [];
afterEach(async () => {
  await t?.close();
  t = null;
  for (const dc of extra.splice(0)) await dc.stop();
});

async function ready(options: Parameters<typeof startDiscord>[0] = {}) {
  t = await startDiscord(options);
  await allow(t);
  const general = t.dc.channelByName('general');
  return { core: t.harness.core, dc: t.dc, api: t.harness.api, harness: t.harness, general };
}

/** Whether a message renders on its own: every code fence it opens, it closes. */
const balanced = (text: string) => text.split('\n').filter((l) => /^ {0,3}```/.test(l)).length % 2 === 0;

describe('Discord: the bot', { timeout: 60_000 }, () => {
  it('connects as name#tag in its servers and registers the slash commands there; /reset needs Manage Messages', async () => {
    t = await startDiscord();
    const { core } = t.harness;
    expect(core.chats.discord.status()).toMatchObject({ state: 'connected', account: 'Switchboard#4821 in 1 server' });
    const commands = t.dc.commands.get(t.dc.guild.id)!;
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['new', 'reset', 'stop', 'status', 'model', 'folder', 'sessions', 'jobs', 'memory', 'cost', 'help']));
    expect(commands.find((c) => c.name === 'reset')).toMatchObject({ default_member_permissions: '8192' });
    expect(commands.find((c) => c.name === 'memory')).toMatchObject({ options: [{ name: 'query', type: 3 }] });
  });

  it('says when the token is refused, and when the Message Content intent is off', async () => {
    const dc = await new FakeDiscord().start();
    extra.push(dc);
    t = await startDiscord({ discord: dc, env: { SWITCHBOARD_DISCORD_TOKEN: 'not-the-token-at-all' }, connected: false });
    const { core } = t.harness;
    const status = async (state: string) => (core.chats.discord.status().state === state ? core.chats.discord.status() : nextEvent(core.events, 'chat.status', (s) => s.surface === 'discord' && s.state === state, 20_000));
    expect((await status('error')).error).toMatch(/^Discord refused the bot token\. Copy it again from the developer portal \(Bot → Reset Token\)\. \(error \w{8}\)$/);
    dc.messageContentAllowed = false;
    const refused = await core.router.call('chat.connect', { surface: 'discord', token: dc.token }, { surface: 'desktop', actor: 'desktop' });
    expect(refused).toMatchObject({ ok: true, value: { state: 'error', error: expect.stringContaining('Turn it on in the developer portal: Bot → Privileged Gateway Intents → Message Content Intent') } });
    dc.messageContentAllowed = true;
    expect(await core.router.call('chat.connect', { surface: 'discord' }, { surface: 'desktop', actor: 'desktop' })).toMatchObject({ ok: true, value: { state: 'connected' } });
  });
});

describe('Discord: a broken install', { timeout: 30_000 }, () => {
  it('says in Settings when the Discord library cannot load, and the app goes on', async () => {
    t = await startDiscord({
      connected: false,
      core: {
        chatAdapters: {
          discord: () => {
            throw new Error("Cannot find module 'discord.js'");
          },
        },
      },
    });
    const { core } = t.harness;
    const status = core.chats.discord.status().state === 'error' ? core.chats.discord.status() : await nextEvent(core.events, 'chat.status', (s) => s.surface === 'discord' && s.state === 'error', 10_000);
    expect(status.error).toMatch(/^Switchboard could not load its Discord library: Cannot find module 'discord.js' \(error \w{8}\)$/);
    expect((await core.router.call('system.health', {}, { surface: 'desktop', actor: 'desktop' })).ok).toBe(true);
  });
});

describe('Discord: channels and sessions', { timeout: 60_000 }, () => {
  it('ignores an unbound channel, and answers a mention in a bound one with a streamed reply', async () => {
    const { core, dc, api, general } = await ready();
    dc.send(member, general.id, 'are you there?', { mention: true });
    // An unbound channel: nothing is said, nothing reaches Claude.
    await nextEvent(core.events, 'chat.ignored', (e) => e.chatKey === general.id && e.reason === 'unbound', 10_000);
    await bindChannel(t!, general.id);
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`);
    api.reply({ kind: 'text', text: words.join(' '), chunks: 30, chunkDelayMs: 100 });
    dc.send(member, general.id, 'tell me thirty words', { mention: true });
    const final = await dc.until(() => dc.in(general.id).find((m) => m.from_bot && m.content === words.join(' ') && m.versions.length > 1), 30_000, 'the final text');
    // Streamed: one message, first with part of the text, edited at most once a second.
    expect(final.versions[0]!.length).toBeLessThan(final.content.length);
    const edits = dc.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/messages/${final.id}`));
    expect(Math.min(...edits.slice(1).map((e, i) => e.at - edits[i]!.at))).toBeGreaterThanOrEqual(900);
    expect(dc.calls.some((c) => c.path === `/channels/${general.id}/typing`)).toBe(true);
    expect(api.requests.filter((r) => r.main).map(lastUserText)).not.toContain('are you there?');
    expect(dc.in(general.id).filter((m) => m.from_bot)).toHaveLength(1);
    // Without a mention, a mention-only channel stays quiet; a channel set to every message answers.
    dc.send(member, general.id, 'just talking among ourselves');
    dc.send(member, general.id, 'ping', { mention: true });
    await dc.until(() => dc.in(general.id).some((m) => m.content === 'echo: ping'), 30_000);
    await bindChannel(t!, general.id, { replyTo: 'all' });
    dc.send(member, general.id, 'now everything counts');
    await dc.until(() => dc.in(general.id).some((m) => m.content === 'echo: now everything counts'), 30_000);
    expect(api.requests.filter((r) => r.main).map(lastUserText)).not.toContain('just talking among ourselves');
  });

  it('starts the channel’s session with its project, gives a thread its own session that inherits it, and keeps both across a restart', async () => {
    const dc = await new FakeDiscord().start();
    extra.push(dc);
    t = await startDiscord({ discord: dc });
    await allow(t);
    const general = dc.channelByName('general');
    const project = path.join(t.harness.dir, 'kite');
    fs.mkdirSync(project);
    await bindChannel(t, general.id, { cwd: project, model: 'haiku', systemPrompt: 'You work on the kite project.', allowedTools: ['Bash(git status:*)'] });
    dc.send(member, general.id, 'hello channel', { mention: true });
    await dc.until(() => dc.in(general.id).some((m) => m.content === 'echo: hello channel'), 30_000, 'the channel answer');
    const thread = dc.thread(member, general.id, 'deploy plan');
    dc.send(member, thread.id, 'hello thread', { mention: true });
    await dc.until(() => dc.in(thread.id).some((m) => m.content === 'echo: hello thread'), 30_000, 'the thread answer');
    // Once called in a thread, the thread is a conversation with the bot: no mention needed.
    dc.send(member, thread.id, 'and a follow-up');
    await dc.until(() => dc.in(thread.id).some((m) => m.content === 'echo: and a follow-up'), 30_000, 'the follow-up answer');
    const { core } = t.harness;
    const sessions = core.sessions.list().filter((s) => s.surface === 'discord');
    expect(sessions.map((s) => s.title).sort()).toEqual(['#general', '#general › deploy plan']);
    for (const s of sessions) expect(s).toMatchObject({ cwd: project, model: 'haiku', permissionPolicy: 'ask' });
    const main = t.harness.api.requests.filter((r) => r.main).at(-1)!;
    expect(JSON.stringify(main.body.system)).toContain('You work on the kite project.');
    expect(core.approvals.allowedTools(sessions[0]!.id)).toContain('Bash(git status:*)');

    const dir = t.harness.dir;
    await t.close(true);
    t = await startDiscord({ discord: dc, dir });
    dc.send(member, thread.id, 'still me after the restart');
    await dc.until(() => dc.in(thread.id).some((m) => m.content === 'echo: still me after the restart'), 30_000);
    // The same Claude session: it saw the earlier messages of the thread.
    expect(userTexts(t.harness.api.requests.filter((r) => r.main).at(-1)!)).toEqual(['hello thread', 'and a follow-up', 'still me after the restart']);
    expect(t.harness.core.sessions.list().filter((s) => s.surface === 'discord')).toHaveLength(2);
  });

  it('splits a 6,000-character answer with code blocks into messages that each close their code blocks', async () => {
    const { dc, api, general } = await ready();
    await bindChannel(t!, general.id);
    const code = Array.from({ length: 70 }, (_, i) => `    print("line ${i} of the code block <ok> & fine")`).join('\n');
    const answer = `Here is the script:\n\n\`\`\`python\ndef main():\n${code}\n\`\`\`\n\n| step | what |\n|---|---|\n| 1 | run it |\n\n${'Then read the output carefully. '.repeat(90)}`;
    expect(answer.length).toBeGreaterThan(6000);
    api.reply({ kind: 'text', text: answer });
    dc.send(member, general.id, 'write me the script', { mention: true });
    await dc.until(() => dc.in(general.id).some((m) => m.content.includes('carefully. Then read the output carefully.') && m.content.trimEnd().endsWith('carefully.')), 30_000, 'the last part');
    const parts = dc.in(general.id).filter((m) => m.from_bot && m.content);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const part of parts) {
      expect(part.content.length).toBeLessThanOrEqual(2000);
      expect(balanced(part.content)).toBe(true);
    }
    const all = parts.map((p) => p.content).join('\n');
    for (let i = 0; i < 70; i++) expect(all).toContain(`line ${i} of the code block <ok> & fine`);
    expect(all).toContain('```\nstep | what');
    // A long answer also arrives whole as a file.
    await dc.until(() => dc.in(general.id).some((m) => m.files[0]?.name.endsWith('.md') && m.files[0].content.toString().includes('line 69 of the code block')), 10_000, 'the file');
  });

  it('answers DMs from allowed people; strangers in a bound channel are not heard', async () => {
    const { core, dc, api, general } = await ready();
    await bindChannel(t!, general.id);
    dc.send(outsider, general.id, 'let me in', { mention: true });
    await nextEvent(core.events, 'chat.ignored', (e) => e.reason === 'stranger', 10_000);
    dc.send(member, dc.dm(member).id, 'a private question');
    await dc.until(() => dc.in(dc.dm(member).id).some((m) => m.content === 'echo: a private question'), 30_000);
    expect(api.requests.filter((r) => r.main).map(lastUserText)).not.toContain('let me in');
    expect(dc.in(general.id).filter((m) => m.from_bot)).toHaveLength(0);
  });

  it('saves an attachment into the session’s folder and hands Claude its path', async () => {
    const { core, dc, api, general } = await ready();
    await bindChannel(t!, general.id);
    dc.send(member, general.id, 'what is in this file?', { mention: true, files: [{ name: 'data.csv', content: Buffer.from('name,size\na,1\n'), type: 'text/csv' }] });
    await dc.until(() => dc.in(general.id).some((m) => m.content.startsWith('echo: what is in this file?')), 30_000);
    const session = core.sessions.list().find((s) => s.surface === 'discord')!;
    const saved = fs.readdirSync(path.join(session.cwd, 'discord-files'));
    expect(saved).toHaveLength(1);
    expect(fs.readFileSync(path.join(session.cwd, 'discord-files', saved[0]!), 'utf8')).toBe('name,size\na,1\n');
    expect(userTexts(api.requests.filter((r) => r.main).at(-1)!).at(-1)).toContain(path.join(session.cwd, 'discord-files', saved[0]!));
  });

  it('transcribes a voice message with the endpoint the window set for every bot', async () => {
    const whisper = await new FakeTranscription().start();
    try {
      whisper.answer = { text: 'deploy the preview' };
      const { core, dc, api, general } = await ready();
      await bindChannel(t!, general.id);
      await core.router.call('settings.set', { key: 'voice.transcriptionUrl', value: whisper.url }, { surface: 'desktop', actor: 'desktop' });
      dc.send(member, general.id, '', { mention: true, files: [{ name: 'voice-message.ogg', content: Buffer.from('OggS discord voice'), type: 'audio/ogg' }] });
      await dc.until(() => dc.in(general.id).some((m) => m.content === '🎙 I heard: “deploy the preview”'), 30_000);
      await dc.until(() => api.requests.some((r) => r.main && lastUserText(r).includes('Transcription of the voice note: deploy the preview')), 30_000);
      expect(whisper.requests[0]!.body).toContain('OggS discord voice');
    } finally {
      await whisper.stop();
    }
  });
});
