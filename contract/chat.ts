import * as z from 'zod';
import { event, method } from './define';
import { folderPath, patchOf, withoutNul } from './fields';

/** The chat apps Switchboard speaks in: one bridge, one adapter each. */
export const chatSurfaces = ['telegram', 'discord'] as const;
export type ChatSurface = (typeof chatSurfaces)[number];

/** Whether a surface (an actor's prefix, an answer's origin) is one of the chat apps. */
export function isChatSurface(surface: string | null | undefined): surface is ChatSurface {
  return (chatSurfaces as readonly string[]).includes(surface ?? '');
}

/** What the window and the settings say differently for each chat app (the core's own facts are in main/surfaces/chat/surfaces.ts). */
export interface ChatAppText {
  /** Its name as people write it. */
  label: string;
  /** What a person's one-to-one chat with the bot is called there. */
  privateChat: 'private chat' | 'DMs';
  /** Where a stranger writes to get a pairing code, when it is not every chat ("in a direct message"); '' for anywhere private. */
  pairingWhere: string;
  /** Where the bot reaches the chat app by default, and how Settings names and explains that address. */
  apiRoot: { default: string; label: string; description: string };
  /** What a job names as its delivery target there (`delivery.chats[].target`), in words for a person or a model. */
  deliveryTarget: string;
  /** Where the owner's questions and done notes go, in the settings' descriptions. */
  questionsNote: string;
  doneNotesNote: string;
}

/** Every chat app's words, one entry each: a new app in `chatSurfaces` is asked for its entry here. */
export const chatApps: Record<ChatSurface, ChatAppText> = {
  telegram: {
    label: 'Telegram',
    privateChat: 'private chat',
    pairingWhere: '',
    deliveryTarget: 'a Telegram chat id, or "owner" for the private chats of the people allowed',
    apiRoot: {
      default: 'https://api.telegram.org',
      label: 'Bot API address',
      description: 'Where the bot reaches Telegram: the official Bot API, or a self-hosted Bot API server. SWITCHBOARD_TELEGRAM_API_ROOT overrides it.',
    },
    questionsNote:
      "A question from a session you started at the desk reaches Telegram only when it has waited this long, so answering at the keyboard sends nothing. Questions from a Telegram chat's own session come at once.",
    doneNotesNote: 'Send finished scheduled jobs that target Telegram, and a note when a long turn of a desk session ends, to your private chat with the bot.',
  },
  discord: {
    label: 'Discord',
    privateChat: 'DMs',
    pairingWhere: 'in a direct message',
    deliveryTarget: 'a bound channel\'s id, or "owner" for the DMs of the people allowed',
    apiRoot: {
      default: 'https://discord.com/api',
      label: 'Discord API address',
      description: 'Where the bot reaches Discord’s REST API; the gateway address comes from it (GET /gateway/bot). SWITCHBOARD_DISCORD_API_ROOT overrides it.',
    },
    questionsNote: "A question from a session you started at the desk reaches your Discord DMs only when it has waited this long. Questions from a channel's own session come at once.",
    doneNotesNote: 'Send finished scheduled jobs that target Discord to their channel, and a note when a long turn of a desk session ends to your DMs with the bot.',
  },
};

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
  /** Where the bot reaches the chat app's API (a self-hosted Bot API server, a stand-in, or the default). */
  apiRoot: string;
  /** The last message the chat app refused (no permission in a channel), in words with its log id; null when none. */
  problem: string | null;
}

/** How a channel is answered: when the bot is mentioned (or replied to), or every message. */
export const replyModes = ['mention', 'all'] as const;

/** A channel that opted in, bound to a project: its sessions (and its threads') start with this. */
export interface ChatChannel {
  surface: ChatSurface;
  chatKey: string;
  name: string;
  /** Where it is (the server's name). */
  place: string;
  cwd: string | null;
  model: string | null;
  /** Tool rules the session may use without asking (`Bash(git status:*)`, `Edit`). */
  allowedTools: string[];
  systemPrompt: string | null;
  replyTo: (typeof replyModes)[number];
}

/** A channel the bot sees: offered for binding. */
export interface ChatChannelChoice {
  chatKey: string;
  name: string;
  place: string;
  bound: boolean;
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
  'chat.transcriptionKey': method<{ stored: boolean }>()(z.object({}).strict(), "Whether the voice transcription endpoint's key is stored (never the key itself)."),
  'chat.setTranscriptionKey': method<{ stored: boolean }>()(
    z.object({ key: z.string().trim().min(1).max(500).regex(/^\S+$/, 'must not contain spaces').nullable() }).strict(),
    "The voice transcription endpoint's API key, kept with the secrets (null removes it); only from the window.",
  ),
};

/** What a bound channel's project is, with the defaults a new binding takes. */
const channelSettings = z.object({
  place: z.string().trim().max(100).default(''),
  cwd: folderPath.nullable().default(null),
  model: withoutNul(z.string().trim().min(1).max(200)).nullable().default(null),
  allowedTools: z.array(withoutNul(z.string().trim().min(1).max(500)).regex(/^[^\n]*$/, 'one rule per entry')).max(100).default([]),
  systemPrompt: withoutNul(z.string().max(50_000)).nullable().default(null),
  replyTo: z.enum(replyModes).default('mention'),
});

/** A new binding's settings; a change to a bound channel keeps what it was not given. */
export const channelDefaults = channelSettings.parse({});

const channelInput = z
  .object({
    surface,
    chatKey: z.string().trim().regex(/^\d{1,25}$/, 'a channel id is digits (Developer Mode → Copy Channel ID)'),
    name: z.string().trim().min(1).max(100),
  })
  .extend(patchOf(channelSettings).shape)
  .strict();

export const chatChannelMethods = {
  'chat.channels': method<{ bound: ChatChannel[]; seen: ChatChannelChoice[] }>()(
    z.object({ surface }).strict(),
    'Channels bound to a project, and the channels the bot sees that could be.',
  ),
  'chat.bindChannel': method<ChatChannel>()(
    channelInput,
    'Bind a channel to a project (folder, model, allowed tools, system prompt) or change it; the bot answers there from now on. Only from the window.',
  ),
  'chat.unbindChannel': method<{ removed: boolean }>()(
    z.object({ surface, chatKey: z.string().min(1).max(100) }).strict(),
    'The bot stops answering in a channel; its sessions stay in history. Only from the window.',
  ),
};

export const chatEvents = {
  'chat.status': event<ChatStatus>("A bot's state changed."),
  'chat.ignored': event<{ surface: ChatSurface; chatKey: string; chatName: string | null; reason: 'unbound' | 'stranger' }>(
    'A message the bot did not answer: in a channel not bound to a project, or from someone not allowed (nothing of it is kept).',
  ),
  'chat.access': event<{ surface: ChatSurface }>('The allowlist, the waiting pairing requests or the bound channels changed.'),
};
