import { chatApps, type ChatSurface, type SettingKey } from '../../../contract';
import type { ChatAdapter } from './adapter';

/**
 * Who a bot answers outside private chats: groups that mention it where a setting allows (Telegram),
 * or only channels the owner bound to a project in the window (Discord).
 */
export type GroupPolicy = { kind: 'setting'; key: SettingKey } | { kind: 'bound-channels' };

/** What differs between chat apps in the core, besides transport (which is the adapter's). */
export interface ChatAppFacts {
  /** Its name as people write it (from the contract, which the window shares). */
  label: string;
  /** Where the owner finds the bot's token, for the error when none is given. */
  tokenHelp: string;
  groups: GroupPolicy;
  /** The most a bot may upload as one document. */
  documentLimit: number;
  /** The environment variables a headless start reads its token and API address from. */
  env: { token: string; apiRoot: string };
  /** The adapter for a token and API root: its chat library loads only now, so an app without bots does not carry it. */
  load(token: string, apiRoot: string): Promise<ChatAdapter>;
}

/**
 * Every chat app, one entry each. Adding one to `chatSurfaces` in the contract makes the compiler ask
 * for its entry here (and for its words in `chatApps`); the bridge, the deliveries, the handlers and
 * the composition root read only this.
 */
export const chatAppFacts: Record<ChatSurface, ChatAppFacts> = {
  telegram: {
    label: chatApps.telegram.label,
    tokenHelp: '@BotFather',
    groups: { kind: 'setting', key: 'telegram.allowGroups' },
    // Telegram's Bot API takes 50 MB for a bot's document.
    documentLimit: 50 * 1024 * 1024,
    env: { token: 'SWITCHBOARD_TELEGRAM_TOKEN', apiRoot: 'SWITCHBOARD_TELEGRAM_API_ROOT' },
    load: async (token, apiRoot) => new (await import('../telegram/telegram-adapter')).TelegramAdapter({ token, apiRoot }),
  },
  discord: {
    label: chatApps.discord.label,
    tokenHelp: 'the Discord developer portal (Bot → Reset Token)',
    groups: { kind: 'bound-channels' },
    // Discord takes 10 MB without a boosted server.
    documentLimit: 10 * 1024 * 1024,
    env: { token: 'SWITCHBOARD_DISCORD_TOKEN', apiRoot: 'SWITCHBOARD_DISCORD_API_ROOT' },
    load: async (token, apiRoot) => new (await import('../discord/discord-adapter')).DiscordAdapter({ token, apiRoot }),
  },
};
