import type { ChatChannel } from '../../contract';
import type { CoreConfig } from '../core';
import { startHarness, type Harness } from './claude-harness';
import { FakeDiscord, type DiscordUser } from './fake-discord';
import { windowCaller } from './telegram-harness';

export const member: DiscordUser = { id: '920000000000000001', username: 'olivia', global_name: 'Olivia' };
export const outsider: DiscordUser = { id: '920000000000006666', username: 'mallory' };

export interface DiscordHarness {
  harness: Harness;
  dc: FakeDiscord;
  close(keep?: boolean): Promise<void>;
}

/**
 * A started core with the real CLI (against the Anthropic stand-in) and its Discord bot: the real
 * discord.js client connected to the Discord stand-in through the headless environment variables.
 */
export async function startDiscord(
  options: { dir?: string; discord?: FakeDiscord; env?: NodeJS.ProcessEnv; connected?: boolean; core?: Partial<CoreConfig> } = {},
): Promise<DiscordHarness> {
  const dc = options.discord ?? (await new FakeDiscord().start());
  const harness = await startHarness({
    dir: options.dir,
    env: { SWITCHBOARD_DISCORD_TOKEN: dc.token, SWITCHBOARD_DISCORD_API_ROOT: dc.url, ...options.env },
    core: options.core,
  });
  if (options.connected !== false) await dc.until(() => harness.core.chats.discord.status().state === 'connected' && dc.commands.size > 0, 15_000, 'the bot to connect');
  return {
    harness,
    dc,
    close: async (keep = false) => {
      await harness.close(keep);
      if (!options.discord) await dc.stop();
    },
  };
}

/** Lets a member in as a person would: a DM to the bot, the code, accepted in the window. */
export async function allow({ harness: { core }, dc }: DiscordHarness, user: DiscordUser = member): Promise<void> {
  dc.send(user, dc.dm(user).id, 'hello?');
  const code = await dc.until(() => core.chats.discord.access.pairings().find((p) => p.userId === user.id)?.code, 10_000, 'a pairing request');
  const accepted = await core.router.call('chat.answerPairing', { surface: 'discord', code, accept: true }, windowCaller);
  if (!accepted.ok) throw new Error(accepted.error.message);
  await dc.until(() => dc.in(dc.dm(user).id).find((m) => m.content.includes('You are in')), 10_000, 'the welcome');
}

/** Binds a channel to a project from the window. */
export async function bindChannel({ harness: { core } }: DiscordHarness, chatKey: string, project: Partial<Omit<ChatChannel, 'surface' | 'chatKey'>> = {}): Promise<ChatChannel> {
  const bound = await core.router.call('chat.bindChannel', { surface: 'discord', chatKey, name: project.name ?? 'general', ...project }, windowCaller);
  if (!bound.ok) throw new Error(bound.error.message);
  return bound.value as ChatChannel;
}
