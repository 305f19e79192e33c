import type { ChatSurface } from '../../../contract';

/** A button under a message: its label and the short data it carries back when pressed. */
export interface ChatButton {
  label: string;
  data: string;
}

export interface SendOptions {
  buttons?: ChatButton[][];
  /** Send as plain text (no markup parsing): the retry of a part the chat app refused to parse. */
  plain?: boolean;
}

/** A file someone sent: where the adapter can fetch it, and what it is. */
export interface IncomingFile {
  kind: 'photo' | 'document' | 'voice';
  ref: string;
  name: string;
  mime: string | null;
}

/** A message from a chat, as every adapter hands it to the bridge. */
export interface IncomingMessage {
  /** The conversation: a chat, or a topic or thread inside one (`<chat>` or `<chat>:<topic>`). */
  chatKey: string;
  private: boolean;
  userId: string;
  userName: string;
  text: string;
  /** In a group: whether it mentions the bot or replies to one of its messages. Always true in private. */
  addressed: boolean;
  files: IncomingFile[];
  /** The message this one replies to, when it is one of the bot's (a typed answer to a question card). */
  replyTo?: string;
  /** For a thread: the channel it belongs to, whose project it inherits. */
  parentKey?: string;
  /** The chat's name as people see it (`#deploys`), for the session's title. */
  chatName?: string;
  /** A slash command: it is always answered, even where plain messages are not. */
  slash?: boolean;
}

/** A command as a chat app registers it: its argument, if any, and whether only moderators may use it. */
export interface CommandSpec {
  name: string;
  description: string;
  argument?: { name: string; description: string };
  /** Only people who may manage messages (Discord's Manage Messages). */
  moderated?: boolean;
}

/** A channel the bot can see, offered in the window for binding to a project. */
export interface ChannelInfo {
  key: string;
  name: string;
  /** Where it is: the server's name. */
  place: string;
}

/** A press of one of our buttons. */
export interface IncomingPress {
  chatKey: string;
  messageId: string;
  userId: string;
  userName: string;
  data: string;
  /** Answer it (Telegram wants every press acknowledged), with a short toast. */
  acknowledge(text?: string): Promise<void>;
}

export interface AdapterHandlers {
  message(message: IncomingMessage): Promise<void>;
  press(press: IncomingPress): Promise<void>;
  /** The connection's state changed underneath (a 409, the network gone and back). */
  status(state: 'connected' | 'error', error?: string): void;
}

/** Why a send failed, in the terms the outbox acts on. */
export type SendFailureKind = 'rate_limited' | 'transient' | 'unparsable' | 'not_modified' | 'gone' | 'refused';

/** A file download that hangs must not hold the chat's queue: past this it fails, and the chat is told. */
export const DOWNLOAD_TIMEOUT_MS = 120_000;

/** A failed call to the chat app: what kind of failure, and when to try again for a rate limit. */
export class SendFailure extends Error {
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

/**
 * What differs between chat apps, and nothing else: connecting, sending, editing, typing, files, the
 * message limit and the formatting dialect. Conversations, streaming, approvals, commands, access and
 * the outbox live once in the bridge.
 */
export interface ChatAdapter {
  readonly surface: ChatSurface;
  /** Characters a message may hold. */
  readonly limit: number;
  /** How long the app shows "typing" after one call; it is renewed a little before. */
  readonly typingMs: number;
  /** Claude's Markdown in the app's dialect, split into messages that each fit. */
  format(markdown: string): string[];
  /** The text a reader sees of a formatted part, for a plain retry. */
  plain(part: string): string;
  /** Connects and starts receiving; resolves with the bot's own name, or rejects with the reason in words. */
  start(handlers: AdapterHandlers): Promise<{ account: string }>;
  stop(): Promise<void>;
  send(chatKey: string, text: string, options?: SendOptions): Promise<string>;
  edit(chatKey: string, messageId: string, text: string, options?: SendOptions): Promise<void>;
  typing(chatKey: string): Promise<void>;
  sendDocument(chatKey: string, fileName: string, content: Buffer, caption?: string): Promise<string>;
  download(file: IncomingFile): Promise<Buffer>;
  setCommands(commands: CommandSpec[]): Promise<void>;
  /** Channels that can be bound to a project (Discord); none where every chat is its own (Telegram). */
  channels(): ChannelInfo[];
}
