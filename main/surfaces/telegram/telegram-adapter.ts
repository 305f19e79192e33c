import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, HttpError, InputFile, type Context } from 'grammy';
import type { Message } from 'grammy/types';
import type { AdapterHandlers, ChannelInfo, ChatAdapter, CommandSpec, IncomingFile, SendOptions } from '../chat/adapter';
import { DOWNLOAD_TIMEOUT_MS, SendFailure } from '../chat/adapter';
import { htmlToPlain, splitTelegramHtml, toTelegramHtml } from './telegram-html';

/** Telegram's limit for one message's text. */
const LIMIT = 4096;

/** `<chat>` or `<chat>:<topic>`: a forum topic is a conversation of its own. */
function address(chatKey: string): { chatId: number; threadId?: number } {
  const [chat, thread] = chatKey.split(':');
  return { chatId: Number(chat), ...(thread ? { threadId: Number(thread) } : {}) };
}

function chatKeyOf(message: Message): string {
  return message.is_topic_message && message.message_thread_id ? `${message.chat.id}:${message.message_thread_id}` : String(message.chat.id);
}

function displayName(user: { first_name: string; last_name?: string; username?: string }): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return user.username ? `${name} (@${user.username})` : name;
}

/** A failed Bot API call in the outbox's terms, with Telegram's own words kept for the log. */
export function sendFailure(error: unknown): SendFailure {
  if (error instanceof GrammyError) {
    const text = `${error.error_code} ${error.description}`;
    if (error.error_code === 429) return new SendFailure('rate_limited', text, (error.parameters.retry_after ?? 1) * 1000);
    if (error.error_code >= 500) return new SendFailure('transient', text);
    if (/can't parse entities|unsupported start tag|can't find end tag/i.test(error.description)) return new SendFailure('unparsable', text);
    if (/message is not modified/i.test(error.description)) return new SendFailure('not_modified', text);
    if (/message to edit not found|chat not found|bot was blocked|user is deactivated|kicked/i.test(error.description)) return new SendFailure('gone', text);
    return new SendFailure('refused', text);
  }
  if (error instanceof HttpError) return new SendFailure('transient', `Telegram could not be reached: ${error.message}`);
  return new SendFailure('transient', error instanceof Error ? error.message : String(error));
}

/**
 * The network's own reason (ECONNREFUSED, ENOTFOUND…), which is what a user can act on. Never the
 * request's address as fetch writes it: it holds the bot token.
 */
function networkCause(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'the address refused the connection (ECONNREFUSED)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `its name could not be looked up (${code})`;
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return `the connection failed (${code})`;
  return code ? `network error (${code})` : 'no usable answer';
}

/** How long the first exchange with Telegram may take before the card says why it did not connect. */
const CONNECT_TIMEOUT_MS = 15_000;

/** Why the bot cannot run, in words a user can act on. */
export function connectError(error: unknown): string {
  if (error instanceof GrammyError) {
    if (error.error_code === 401 || error.error_code === 404) return 'Telegram refused the bot token (401 Unauthorized). Copy it again from @BotFather.';
    if (error.error_code === 409) return 'Another program is polling Telegram with this bot token (409 Conflict). Stop it, or make a new token in @BotFather.';
    return `Telegram answered ${error.error_code}: ${error.description}`;
  }
  if (error instanceof HttpError) return `Telegram could not be reached (no network, or the Bot API address is wrong): ${networkCause(error.error)}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Telegram through grammY: long polling with @grammyjs/runner (one chat's updates in order, chats in
 * parallel), @grammyjs/auto-retry for short rate limits, HTML messages. Transport only.
 */
export class TelegramAdapter implements ChatAdapter {
  readonly surface = 'telegram' as const;
  readonly limit = LIMIT;
  readonly typingMs = 5000;
  private bot: Bot | null = null;
  private runner: RunnerHandle | null = null;
  /** The first exchange with Telegram, while it lasts: a stop() ends it. */
  private connecting: AbortController | null = null;

  constructor(private readonly options: { token: string; apiRoot: string }) {}

  format(markdown: string): string[] {
    return splitTelegramHtml(toTelegramHtml(markdown), LIMIT);
  }

  plain(part: string): string {
    return htmlToPlain(part);
  }

  async start(handlers: AdapterHandlers): Promise<{ account: string }> {
    const bot = new Bot(this.options.token, { client: { apiRoot: this.options.apiRoot.replace(/\/+$/, '') } });
    // Short waits are retried in place; anything longer reaches the outbox, which keeps the message.
    bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 5, rethrowHttpErrors: true }));
    bot.api.config.use(async (prev, method, payload, signal) => {
      if (method !== 'getUpdates') return prev(method, payload, signal);
      try {
        const result = await prev(method, payload, signal);
        if (result.ok) handlers.status('connected');
        else if (result.error_code !== 409 && result.error_code !== 401) handlers.status('error', `Telegram answered ${result.error_code}: ${result.description}; retrying`);
        return result;
      } catch (error) {
        if (!signal?.aborted) handlers.status('error', `${connectError(error)}; retrying`);
        throw error;
      }
    });
    // Not bot.init(): grammY retries a failed getMe forever, so no network or a refused address kept
    // the card saying "Connecting…" for minutes. One try, bounded, and a stop() in between ends it.
    this.connecting = new AbortController();
    const signal = AbortSignal.any([this.connecting.signal, AbortSignal.timeout(CONNECT_TIMEOUT_MS)]);
    try {
      // grammY types its signal with an older AbortSignal of its own; at run time it is the platform's.
      const grammySignal = signal as unknown as Parameters<typeof bot.api.getMe>[0];
      bot.botInfo = await bot.api.getMe(grammySignal);
      await bot.api.deleteWebhook(undefined, grammySignal);
    } catch (error) {
      if (this.connecting.signal.aborted) throw new Error('Disconnected before Telegram answered.', { cause: error });
      if (signal.aborted) throw new Error(`Telegram did not answer within ${CONNECT_TIMEOUT_MS / 1000} s (no network, or the Bot API address is wrong).`, { cause: error });
      throw new Error(connectError(error), { cause: error });
    } finally {
      this.connecting = null;
    }
    const username = bot.botInfo.username;
    bot.use(sequentialize((ctx: Context) => (ctx.chat ? String(ctx.chat.id) : undefined)));
    bot.on('message', (ctx) => handlers.message(this.incoming(ctx.message, bot.botInfo.id, username)));
    bot.on('callback_query:data', (ctx) => {
      const message = ctx.callbackQuery.message;
      if (!message) return ctx.answerCallbackQuery();
      return handlers.press({
        chatKey: chatKeyOf(message as Message),
        messageId: String(message.message_id),
        userId: String(ctx.from.id),
        userName: displayName(ctx.from),
        data: ctx.callbackQuery.data,
        acknowledge: async (text) => void (await ctx.answerCallbackQuery(text ? { text } : undefined)),
      });
    });
    // A failure inside our handling is the bridge's to report; the bot goes on with the next update.
    bot.catch((error) => handlers.status('connected', String(error.error)));
    this.bot = bot;
    this.runner = run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'], timeout: 25 }, silent: true } });
    void this.runner.task()?.catch((error: unknown) => handlers.status('error', connectError(error)));
    return { account: `@${username}` };
  }

  async stop(): Promise<void> {
    this.connecting?.abort();
    const runner = this.runner;
    this.runner = null;
    this.bot = null;
    if (runner?.isRunning()) await runner.stop();
  }

  async send(chatKey: string, text: string, options: SendOptions = {}): Promise<string> {
    const { chatId, threadId } = address(chatKey);
    try {
      const sent = await this.api().sendMessage(chatId, text, { ...this.other(options), ...(threadId ? { message_thread_id: threadId } : {}) });
      return String(sent.message_id);
    } catch (error) {
      throw sendFailure(error);
    }
  }

  async edit(chatKey: string, messageId: string, text: string, options: SendOptions = {}): Promise<void> {
    try {
      await this.api().editMessageText(address(chatKey).chatId, Number(messageId), text, this.other(options));
    } catch (error) {
      throw sendFailure(error);
    }
  }

  async typing(chatKey: string): Promise<void> {
    const { chatId, threadId } = address(chatKey);
    await this.api()
      .sendChatAction(chatId, 'typing', threadId ? { message_thread_id: threadId } : {})
      .catch(() => {});
  }

  async sendDocument(chatKey: string, fileName: string, content: Buffer, caption?: string): Promise<string> {
    const { chatId, threadId } = address(chatKey);
    try {
      const sent = await this.api().sendDocument(chatId, new InputFile(content, fileName), { ...(caption ? { caption } : {}), ...(threadId ? { message_thread_id: threadId } : {}) });
      return String(sent.message_id);
    } catch (error) {
      throw sendFailure(error);
    }
  }

  async download(file: IncomingFile): Promise<Buffer> {
    const info = await this.api().getFile(file.ref);
    if (!info.file_path) throw new Error('Telegram did not give a path for this file (files over 20 MB cannot be downloaded by bots)');
    const response = await fetch(`${this.options.apiRoot.replace(/\/+$/, '')}/file/bot${this.options.token}/${info.file_path}`, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`Telegram answered ${response.status} for the file`);
    return Buffer.from(await response.arrayBuffer());
  }

  async setCommands(commands: CommandSpec[]): Promise<void> {
    await this.api().setMyCommands(commands.map((c) => ({ command: c.name, description: c.description })));
  }

  channels(): ChannelInfo[] {
    return [];
  }

  private api(): Bot['api'] {
    if (!this.bot) throw new SendFailure('transient', 'the Telegram bot is not running');
    return this.bot.api;
  }

  private other(options: SendOptions) {
    return {
      ...(options.plain ? {} : { parse_mode: 'HTML' as const }),
      link_preview_options: { is_disabled: true },
      reply_markup: options.buttons ? { inline_keyboard: options.buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))) } : undefined,
    };
  }

  private incoming(message: Message, botId: number, username: string) {
    const isPrivate = message.chat.type === 'private';
    let text = message.text ?? message.caption ?? '';
    const entities = message.entities ?? message.caption_entities ?? [];
    const mention = `@${username}`.toLowerCase();
    const mentioned = entities.some((e) => (e.type === 'mention' || e.type === 'bot_command') && text.slice(e.offset, e.offset + e.length).toLowerCase().endsWith(mention));
    const repliedToBot = message.reply_to_message?.from?.id === botId;
    // In a group the bot's name is how it was called, not part of what was said.
    text = text.replace(new RegExp(`@${username}\\b`, 'gi'), '').trim();
    const files: IncomingFile[] = [];
    if (message.photo?.length) files.push({ kind: 'photo', ref: message.photo.at(-1)!.file_id, name: `photo-${message.message_id}.jpg`, mime: 'image/jpeg' });
    if (message.document) files.push({ kind: 'document', ref: message.document.file_id, name: message.document.file_name ?? `file-${message.message_id}`, mime: message.document.mime_type ?? null });
    if (message.voice) files.push({ kind: 'voice', ref: message.voice.file_id, name: `voice-${message.message_id}.ogg`, mime: message.voice.mime_type ?? 'audio/ogg' });
    return {
      chatKey: chatKeyOf(message),
      private: isPrivate,
      userId: String(message.from?.id ?? ''),
      userName: message.from ? displayName(message.from) : 'someone',
      text,
      addressed: isPrivate || mentioned || repliedToBot,
      files,
      ...(repliedToBot ? { replyTo: String(message.reply_to_message!.message_id) } : {}),
    };
  }
}
