import fs from 'node:fs';
import path from 'node:path';
import { claudeEnv } from '../main/testing/claude-harness';
import { FakeAnthropic, userTexts } from '../main/testing/fake-anthropic';
import { FakeDiscord, type DiscordUser } from '../main/testing/fake-discord';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { maxWithin, percentile, type BenchGroup, type Figure } from './figures';

const CHANNELS = 5;
const ROUNDS = 4;
/** Each answer streams in this many pieces, 60 ms apart: about a second and a half of edits. */
const CHUNKS = 25;

const answerTo = (text: string) => `Answer to ${text}: ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}`;

/**
 * Five bound channels writing at once, four rounds, through the real stack (discord.js against the
 * Discord stand-in, the chat bridge, the real claude CLI against the Anthropic stand-in), sessions warm:
 * how fast the first text shows, whether every reply arrives whole and once, and how often a channel is
 * written to within Discord's five-second window.
 */
export const discordGroup: BenchGroup = {
  name: 'discord',
  description: `${CHANNELS} channels at once through discord.js, the chat bridge and the real CLI`,
  async run(): Promise<Figure[]> {
    const dir = makeTempDir('switchboard-bench-discord-');
    const api = new FakeAnthropic();
    await api.start();
    const dc = await new FakeDiscord().start();
    const channels = Array.from({ length: CHANNELS }, (_, i) => dc.addChannel({ name: `project-${i}` }));
    api.respond((request) => ({ kind: 'text', text: answerTo(userTexts(request).at(-1) ?? ''), chunks: CHUNKS, chunkDelayMs: 60 }));
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const core = await benchCore(path.join(dir, 'data'), {
      env: { ...claudeEnv(api.url, home), SWITCHBOARD_DISCORD_TOKEN: dc.token, SWITCHBOARD_DISCORD_API_ROOT: dc.url },
      freeMemoryMb: () => 100_000,
    });
    const window = { surface: 'desktop', actor: 'desktop' } as const;
    try {
      core.settings.set({ key: 'sessions.maxProcesses', value: CHANNELS + 2 });
      await dc.until(() => core.chats.discord.status().state === 'connected', 20_000, 'the bot');
      const user: DiscordUser = { id: '930000000000000001', username: 'bench' };
      const { pairing } = core.chats.discord.access.requestPairing(user.id, user.username, dc.dm(user).id);
      core.chats.discord.access.answer(pairing.code, true);
      for (const c of channels) await core.router.call('chat.bindChannel', { surface: 'discord', chatKey: c.id, name: c.name, replyTo: 'all' }, window);
      const replied = (channel: string, text: string) => dc.in(channel).filter((m) => m.from_bot && m.content === answerTo(text));
      channels.forEach((c) => dc.send(user, c.id, `warm up ${c.name}`));
      await dc.until(() => channels.every((c) => replied(c.id, `warm up ${c.name}`).length), 120_000, 'the warm-up replies');
      await new Promise((r) => setTimeout(r, 2500));
      const callsBefore = dc.calls.length;
      const firsts: number[] = [];
      let incomplete = 0;
      let duplicates = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const roundStart = dc.calls.length;
        const sentAt = Date.now();
        channels.forEach((c) => dc.send(user, c.id, `round ${round} in ${c.name}`));
        await dc.until(() => channels.every((c) => replied(c.id, `round ${round} in ${c.name}`).length), 60_000, 'every reply').catch(() => undefined);
        for (const c of channels) {
          const first = dc.calls.slice(roundStart).find((x) => x.method === 'POST' && x.path === `/channels/${c.id}/messages` && x.status === 200);
          if (first) firsts.push(first.at - sentAt);
        }
        // Replies finish at the channel's pace before the next round.
        await new Promise((r) => setTimeout(r, 1500));
      }
      await new Promise((r) => setTimeout(r, 1500));
      for (const c of channels) {
        for (let round = 0; round < ROUNDS; round++) {
          const whole = replied(c.id, `round ${round} in ${c.name}`);
          if (!whole.length) incomplete++;
          if (whole.length > 1) duplicates += whole.length - 1;
        }
      }
      const writes = dc.calls.slice(callsBefore).filter((x) => x.status === 200 && /^\/channels\/\d+\/messages/.test(x.path) && (x.method === 'POST' || x.method === 'PATCH'));
      const maxEdits = Math.max(...channels.map((c) => maxWithin(writes.filter((x) => x.path.startsWith(`/channels/${c.id}/`)).map((x) => x.at), 5000)));
      return [
        { name: 'discord.first_edit_ms_p50', value: percentile(firsts, 50), unit: 'ms', goal: { below: 300 }, note: `message received to the first message in the channel, ${CHANNELS} channels at once, warm sessions` },
        { name: 'discord.first_edit_ms_p95', value: percentile(firsts, 95), unit: 'ms', note: 'the same, 95th percentile' },
        { name: 'discord.replies_incomplete', value: incomplete, unit: 'replies', goal: { below: 1 }, note: `of ${CHANNELS * ROUNDS}: no message in the channel holds the whole answer` },
        { name: 'discord.duplicates', value: duplicates, unit: 'messages', goal: { below: 1 }, note: 'a whole answer shown in more than one message' },
        { name: 'discord.max_edits_per_channel_per_5s', value: maxEdits, unit: 'calls', goal: { below: 6 }, note: 'sends and edits of one channel within any five seconds, at most' },
      ];
    } finally {
      await core.stop();
      await dc.stop();
      await api.stop();
      removeTempDir(dir);
    }
  },
};
