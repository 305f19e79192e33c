import * as z from 'zod';
import { event, method } from './define';

/** The chat apps Switchboard speaks in: one bridge, one adapter each. */
export const chatSurfaces = ['telegram', 'discord'] as const;
export type ChatSurface = (typeof chatSurfaces)[number];

export type ChatState = 'off' | 'starting' | 'connected' | 'error';

/** A bot's state as Settings shows it: connected as @name, or the error in words. */
export interface ChatStatus {
  surface: ChatSurface;
  state: ChatState;
  /** The bot's own name once connected (`@switchboard_bot`). */
  account: string | null;
  /** What went wrong, in words (a bad token, another program polling with it, no network), with its log id. */
  error: string | null;
  /** Whether a token is stored (never the token itself). */
  hasToken: boolean;
  /** Where the bot reaches the chat app's API (a self-hosted Bot API server, or the default). */
  apiRoot: string;
}

/** Someone allowed to talk to the bot: their messages reach Claude, their buttons count. */
export interface ChatUser {
  surface: ChatSurface;
  userId: string;
  name: string;
  /** Their private chat with the bot: where job results and notes are delivered. */
  chatId: string | null;
  addedAt: number;
}

/** A stranger asking to be let in: nothing they send is kept beyond this until the owner accepts. */
export interface ChatPairing {
  surface: ChatSurface;
  code: string;
  userId: string;
  name: string;
  chatId: string;
  requestedAt: number;
  expiresAt: number;
}

const surface = z.enum(chatSurfaces);

export const chatMethods = {
  'chat.status': method<ChatStatus>()(z.object({ surface }).strict(), "The bot's state: off, starting, connected as @name, or the error in words."),
  'chat.connect': method<ChatStatus>()(
    z.object({ surface, token: z.string().trim().min(10, 'does not look like a bot token').max(500).regex(/^\S+$/, 'must not contain spaces').optional() }).strict(),
    'Store the token (when given, as a secret) and start the bot; it starts again with the app until disconnected.',
  ),
  'chat.disconnect': method<ChatStatus>()(z.object({ surface, forgetToken: z.boolean().default(false) }).strict(), 'Stop the bot (and forget its token when asked).'),
  'chat.users': method<ChatUser[]>()(z.object({ surface }).strict(), 'Who may talk to the bot.'),
  'chat.removeUser': method<{ removed: boolean }>()(z.object({ surface, userId: z.string().min(1).max(100) }).strict(), 'Take someone off the allowlist.'),
  'chat.pairings': method<ChatPairing[]>()(z.object({ surface }).strict(), 'Strangers waiting with a pairing code, newest first (expired ones are gone).'),
  'chat.answerPairing': method<{ user: ChatUser | null }>()(
    z.object({ surface, code: z.string().trim().toUpperCase().min(4).max(20), accept: z.boolean() }).strict(),
    'Accept (allowlist them) or refuse a pairing code; only from the window, never from a chat.',
  ),
};

export const chatEvents = {
  'chat.status': event<ChatStatus>("A bot's state changed."),
  'chat.access': event<{ surface: ChatSurface }>('The allowlist or the waiting pairing requests changed.'),
};
