import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTelegramHtml } from './telegram-html-check';
import { checkUntil } from './wait';

/** One call the bot made, as the stand-in received it. */
export interface BotCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
  /** What was answered: ok, or the error code (429, 400…). */
  status: number;
  /** Telegram's words for an error. */
  error?: string;
}

/** A message in a chat as the stand-in keeps it: the bot's, with its edits, or a user's. */
export interface ChatMessage {
  message_id: number;
  chat_id: number;
  thread_id?: number;
  from_bot: boolean;
  text: string;
  /** Every text the message had, first to last (a streamed reply's edits). */
  versions: string[];
  parse_mode?: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
  document?: { file_name: string; content: Buffer };
  deleted?: boolean;
}

export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
}

type Update = Record<string, unknown> & { update_id: number };

const WRITE_METHODS = new Set(['sendMessage', 'editMessageText', 'editMessageReplyMarkup', 'sendDocument', 'deleteMessage', 'sendChatAction']);

/**
 * A loopback stand-in for the Telegram Bot API that grammY's own client polls: getUpdates with real
 * long-poll `timeout` semantics and offsets, messages with HTML checked as strictly as Telegram does,
 * edits, buttons, files, commands, private chats, groups and forum topics; every call recorded. Tests
 * play the users (`send`, `press`) and the weather (`rateLimit`, `failNext`, `conflict`).
 */
export class FakeTelegram {
  readonly calls: BotCall[] = [];
  readonly bot = { id: 7_000_000_001, is_bot: true, first_name: 'Switchboard', username: 'switchboard_test_bot' };
  readonly messages: ChatMessage[] = [];
  commands: { command: string; description: string }[] = [];
  url = '';
  private readonly server: http.Server;
  private readonly updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private readonly waiters = new Set<() => void>();
  private readonly files = new Map<string, Buffer>();
  private failures: { method: string | null; when?: (params: Record<string, unknown>) => boolean; status: number; retryAfter?: number; description: string; left: number }[] = [];
  private conflicts = 0;
  private readonly listeners = new Set<() => void>();
  private readonly held = new Map<number, Promise<void>>();

  constructor(readonly token = '123456:TEST-token-for-the-stand-in') {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A user writes in a chat (private by default: the chat is the user). */
  send(from: FakeUser, text: string, options: { chat?: { id: number; type: 'private' | 'group' | 'supergroup'; is_forum?: boolean }; threadId?: number; replyTo?: number; entities?: unknown[]; extra?: Record<string, unknown> } = {}): ChatMessage {
    const chat = options.chat ?? { id: from.id, type: 'private' as const };
    const message = this.record({ chat_id: chat.id, thread_id: options.threadId, from_bot: false, text });
    const entities = options.entities ?? (text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : undefined);
    const replied = options.replyTo ? this.messages.find((m) => m.message_id === options.replyTo) : undefined;
    this.push({
      message: {
        message_id: message.message_id,
        date: Math.floor(Date.now() / 1000),
        chat: { ...chat, ...(chat.type === 'private' ? { first_name: from.first_name } : { title: 'A group' }) },
        from: { ...from, is_bot: false },
        ...(text ? { text } : {}),
        ...(entities ? { entities } : {}),
        ...(options.threadId ? { message_thread_id: options.threadId, is_topic_message: true } : {}),
        ...(replied ? { reply_to_message: { message_id: replied.message_id, chat, date: 0, text: replied.text, from: replied.from_bot ? this.bot : from } } : {}),
        ...options.extra,
      },
    });
    return message;
  }

  /** A user sends a file (a document, a photo or a voice note) with an optional caption. */
  sendFile(from: FakeUser, kind: 'document' | 'photo' | 'voice', content: Buffer, options: { fileName?: string; caption?: string; mime?: string } = {}): ChatMessage {
    const fileId = `file-${this.files.size + 1}`;
    this.files.set(fileId, content);
    const file = { file_id: fileId, file_unique_id: `u${fileId}`, file_size: content.length };
    const extra =
      kind === 'photo'
        ? { photo: [{ ...file, width: 90, height: 90 }] }
        : kind === 'voice'
          ? { voice: { ...file, duration: 2, mime_type: options.mime ?? 'audio/ogg' } }
          : { document: { ...file, file_name: options.fileName ?? 'file.bin', mime_type: options.mime ?? 'application/octet-stream' } };
    return this.send(from, '', { extra: { ...extra, ...(options.caption ? { caption: options.caption } : {}) } });
  }

  /** A user presses an inline button under a bot message. */
  press(from: FakeUser, message: ChatMessage, data: string): void {
    this.push({
      callback_query: {
        id: `cb-${this.nextUpdateId}`,
        from: { ...from, is_bot: false },
        chat_instance: 'ci',
        data,
        message: { message_id: message.message_id, date: 0, chat: { id: message.chat_id, type: message.chat_id > 0 ? 'private' : 'supergroup' }, text: message.text },
      },
    });
  }

  /** The next `count` calls (of `method`, or any write) fail with this status. */
  failNext(count: number, options: { method?: string; when?: (params: Record<string, unknown>) => boolean; status?: number; retryAfter?: number; description?: string } = {}): void {
    const status = options.status ?? 429;
    const description = options.description ?? (status === 429 ? `Too Many Requests: retry after ${options.retryAfter ?? 1}` : 'Internal Server Error');
    this.failures.push({ method: options.method ?? null, when: options.when, status, retryAfter: options.retryAfter, description, left: count });
  }

  /** The next getUpdates answer 409, as when another program polls with the same token. */
  conflict(count = 1_000_000): void {
    this.conflicts = count;
    // The poll in flight ends now, as Telegram ends it when another one starts.
    for (const wake of this.waiters) wake();
  }

  /** Calls about this chat get no answer until the returned function is called: a chat app that stalls. */
  hold(chatId: number): () => void {
    let release!: () => void;
    this.held.set(chatId, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(chatId);
      release();
    };
  }

  /** The bot's messages in a chat (topic), oldest first, deleted ones left out. */
  chat(chatId: number, threadId?: number): ChatMessage[] {
    return this.messages.filter((m) => m.chat_id === chatId && m.from_bot && !m.deleted && (threadId === undefined || m.thread_id === threadId));
  }

  /** Calls `listener` after every call the bot makes, until the returned function is called. */
  onCall(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  callsOf(method: string): BotCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Resolves once `check` returns a value (checked after every call the bot makes). */
  until<T>(check: () => T | undefined | null | false, ms = 20_000, what = 'the bot'): Promise<T> {
    return checkUntil(this.listeners, check, ms, what);
  }

  private record(m: Omit<ChatMessage, 'message_id' | 'versions'>): ChatMessage {
    const message: ChatMessage = { ...m, message_id: this.nextMessageId++, versions: [m.text] };
    this.messages.push(message);
    return message;
  }

  private push(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.waiters) wake();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      this.reply(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      const content = file[1] === this.token ? this.files.get(decodeURIComponent(file[2]!)) : undefined;
      res.writeHead(content ? 200 : 404).end(content ?? 'Not Found');
      return;
    }
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!route) return void this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (route[1] !== this.token) return void this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = route[2]!;
    const params = await this.params(req, body, url);
    const call: BotCall = { method, params, at: Date.now(), status: 200 };
    this.calls.push(call);
    const held = this.held.get(Number(params.chat_id));
    if (held) {
      // Recorded with status 0 while it waits, so a test can see it arrived.
      call.status = 0;
      for (const listener of [...this.listeners]) listener();
      await held;
    }
    const answer = await this.answer(method, params);
    call.status = answer.status;
    if (answer.status !== 200) call.error = (answer.body as { description?: string }).description;
    this.reply(res, answer.status, answer.body);
    for (const listener of [...this.listeners]) listener();
  }

  private async params(req: http.IncomingMessage, body: Buffer, url: URL): Promise<Record<string, unknown>> {
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/json')) return body.length ? (JSON.parse(body.toString()) as Record<string, unknown>) : {};
    if (type.startsWith('multipart/form-data')) return multipart(body, /boundary=("?)([^";]+)\1/.exec(type)?.[2] ?? '');
    return Object.fromEntries(url.searchParams);
  }

  private async answer(method: string, p: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const failure = this.failures.find((f) => f.left > 0 && (f.method ? f.method === method : WRITE_METHODS.has(method)) && (!f.when || f.when(p)));
    if (failure) {
      failure.left--;
      this.failures = this.failures.filter((f) => f.left > 0);
      return error(failure.status, failure.description, failure.retryAfter ?? (failure.status === 429 ? 1 : undefined));
    }
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    switch (method) {
      case 'getMe':
        return ok(this.bot);
      case 'deleteWebhook':
      case 'sendChatAction':
      case 'answerCallbackQuery':
        return ok(true);
      case 'setMyCommands':
        this.commands = p.commands as typeof this.commands;
        return ok(true);
      case 'getUpdates':
        if (this.conflicts > 0) {
          this.conflicts--;
          return error(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
        }
        return ok(await this.getUpdates(p));
      case 'sendMessage':
      case 'editMessageText': {
        const text = String(p.text ?? '');
        if (p.parse_mode === 'HTML') {
          const parsed = parseTelegramHtml(text);
          if (!parsed.ok) return error(400, parsed.error);
        } else if (!text.trim()) return error(400, 'Bad Request: message text is empty');
        else if (text.length > 4096) return error(400, 'Bad Request: message is too long');
        const markup = p.reply_markup as ChatMessage['reply_markup'];
        if (method === 'sendMessage') {
          const m = this.record({ chat_id: Number(p.chat_id), thread_id: p.message_thread_id ? Number(p.message_thread_id) : undefined, from_bot: true, text, parse_mode: p.parse_mode as string | undefined, reply_markup: markup });
          return ok(this.wire(m));
        }
        const m = this.find(p);
        if (!m) return error(400, 'Bad Request: message to edit not found');
        if (m.text === text && JSON.stringify(m.reply_markup) === JSON.stringify(markup)) return error(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        m.text = text;
        m.versions.push(text);
        m.parse_mode = p.parse_mode as string | undefined;
        m.reply_markup = markup;
        return ok(this.wire(m));
      }
      case 'editMessageReplyMarkup': {
        const m = this.find(p);
        if (!m) return error(400, 'Bad Request: message to edit not found');
        m.reply_markup = p.reply_markup as ChatMessage['reply_markup'];
        return ok(this.wire(m));
      }
      case 'deleteMessage': {
        const m = this.find(p);
        if (m) m.deleted = true;
        return ok(true);
      }
      case 'sendDocument': {
        const doc = p.document as { file_name: string; content: Buffer } | undefined;
        if (!doc?.content) return error(400, 'Bad Request: there is no document in the request');
        const m = this.record({ chat_id: Number(p.chat_id), from_bot: true, text: String(p.caption ?? ''), document: doc });
        return ok({ ...this.wire(m), document: { file_id: `doc-${m.message_id}`, file_name: doc.file_name } });
      }
      case 'getFile': {
        const id = String(p.file_id);
        if (!this.files.has(id)) return error(400, 'Bad Request: invalid file_id');
        return ok({ file_id: id, file_unique_id: `u${id}`, file_size: this.files.get(id)!.length, file_path: id });
      }
      default:
        return error(404, `Not Found: method ${method} is not in the stand-in`);
    }
  }

  /** Long polling as Telegram does it: confirm what came before `offset`, answer at once if anything waits, else wait up to `timeout` s. */
  private async getUpdates(p: Record<string, unknown>): Promise<Update[]> {
    const offset = Number(p.offset ?? 0);
    if (offset) this.updates.splice(0, this.updates.filter((u) => u.update_id < offset).length);
    const limit = Number(p.limit ?? 100);
    const timeout = Math.min(Number(p.timeout ?? 0), 50);
    const pending = () => this.updates.filter((u) => u.update_id >= offset).slice(0, limit);
    if (!pending().length && timeout > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeout * 1000);
        this.waiters.add(done);
      });
    }
    return pending();
  }

  private find(p: Record<string, unknown>): ChatMessage | undefined {
    return this.messages.find((m) => m.message_id === Number(p.message_id) && m.chat_id === Number(p.chat_id) && !m.deleted);
  }

  private wire(m: ChatMessage): Record<string, unknown> {
    return {
      message_id: m.message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: m.chat_id, type: m.chat_id > 0 ? 'private' : 'supergroup' },
      from: this.bot,
      text: m.text,
      ...(m.thread_id ? { message_thread_id: m.thread_id } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    };
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }
}

function error(status: number, description: string, retryAfter?: number): { status: number; body: unknown } {
  return { status, body: { ok: false, error_code: status, description, ...(retryAfter ? { parameters: { retry_after: retryAfter } } : {}) } };
}

/** The fields of a multipart/form-data body: text fields as values (JSON read), files as name and bytes. */
function multipart(body: Buffer, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length + 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString();
    const content = part.subarray(split + 4);
    const name = /;\s*name="([^"]+)"/.exec(head)?.[1];
    // grammY writes the file name unquoted.
    const fileName = /filename="?([^";\r\n]*)"?/.exec(head)?.[1];
    if (name) out[name] = fileName !== undefined ? { file_name: fileName, content: Buffer.from(content) } : safeJson(content.toString());
    at = next;
  }
  // grammY sends a file as its own part and names it in the field: `attach://<part>`.
  for (const [key, value] of Object.entries(out)) if (typeof value === 'string' && value.startsWith('attach://')) out[key] = out[value.slice(9)];
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
