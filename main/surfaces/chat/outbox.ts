import type { ChatSurface } from '../../../contract';
import { log } from '../../log';
import type { StorageService } from '../../storage/storage-service';
import type { ChatAdapter, ChatButton } from './adapter';
import { SendFailure } from './adapter';

/** What one outgoing message asks of the chat app. */
export interface OutboxPayload {
  text?: string;
  buttons?: ChatButton[][];
  /** For an edit: the message to change. */
  messageId?: string;
  plain?: boolean;
  /** For a document. */
  fileName?: string;
  content?: string;
  caption?: string;
}

/**
 * What an entry is about, typed (stored as JSON beside it): what the bridge does once it went out
 * (a card keeps its message, a terminal's stop note takes replies) reads this, never the dedupe key.
 */
export type OutboxAbout =
  | { kind: 'card'; approvalId: string }
  | { kind: 'settled'; approvalId: string }
  | { kind: 'stop'; stopId: string }
  | { kind: 'reply'; turnId: string }
  | { kind: 'prompt'; turnId: string }
  | { kind: 'done'; turnId: string }
  | { kind: 'run'; runId: string }
  | { kind: 'task'; taskId: string }
  | { kind: 'note'; at: number }
  | { kind: 'notification'; at: number }
  | { kind: 'changes'; sessionId: string; turn: number }
  | { kind: 'diff'; sessionId: string; turn: number | null }
  /** A short answer in a conversation (a command's, a warning). */
  | { kind: 'answer' };

export interface OutboxEntry {
  chatKey: string;
  about: OutboxAbout;
  op: 'send' | 'edit' | 'document';
  payload: OutboxPayload;
  /** The same key twice is one message: a final reply part, a card, a delivery. */
  dedupe: string;
  /** Not before this time (ms): the final edit of a streamed reply keeps the chat's edit pace. */
  notBefore?: number;
}

interface Row {
  id: number;
  chat_key: string;
  op: OutboxEntry['op'];
  payload: string;
  dedupe: string | null;
  about: string | null;
  attempts: number;
  next_at: number;
}

/** Transient failures are retried with backoff up to this long apart, and given up after this many. */
const MAX_BACKOFF_MS = 60_000;
const MAX_ATTEMPTS = 30;
/** Chats served at once; one chat's messages always go in order. */
const PARALLEL_CHATS = 8;

/**
 * Every message that must arrive goes through here: stored in SQLite before it is tried, retried on
 * rate limits (`retry_after`) and server errors, kept across restarts, sent once (the dedupe key),
 * and in order within a chat. A part Telegram cannot parse is sent again as plain text, never lost.
 */
export class Outbox {
  private timer: NodeJS.Timeout | null = null;
  /** The chats being sent to now, each by its own drain: a slow chat holds back only its own messages. */
  private readonly draining = new Map<string, Promise<void>>();
  private running = false;

  constructor(
    private readonly deps: {
      storage: StorageService;
      surface: ChatSurface;
      adapter: () => ChatAdapter | null;
      /** Told when an entry went out, with what it is about and the chat app's message id (cards keep it); entries from before 0019 may not say. */
      onSent?: (about: OutboxAbout | null, remoteId: string, chatKey: string) => void;
      /** Told when an entry is given up (refused by the chat app), with the reason and its log id. */
      onDropped?: (reason: string, chatKey: string) => void;
    },
  ) {}

  private get db() {
    return this.deps.storage.db;
  }

  start(): void {
    this.running = true;
    // What went out (or was given up) a week ago is history the log already has.
    this.db.prepare(`DELETE FROM chat_outbox WHERE surface = ? AND state != 'pending' AND created_at < ?`).run(this.deps.surface, Date.now() - 7 * 86_400_000);
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.draining.values());
  }

  /** Stores the entries (a key seen before is skipped) and sends them as soon as the chat app takes them. */
  enqueue(entries: OutboxEntry[]): void {
    if (!entries.length) return;
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO chat_outbox (surface, chat_key, op, payload, dedupe, about, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const e of entries) insert.run(this.deps.surface, e.chatKey, e.op, JSON.stringify(e.payload), e.dedupe, JSON.stringify(e.about), Math.max(now, e.notBefore ?? 0), now);
    })();
    this.kick();
  }

  /** Whether an entry with this key went out already (or is waiting to). */
  has(dedupe: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM chat_outbox WHERE dedupe = ?').get(dedupe);
  }

  /** Entries not yet sent. */
  pending(): number {
    return this.db.prepare(`SELECT count(*) FROM chat_outbox WHERE surface = ? AND state = 'pending'`).pluck().get(this.deps.surface) as number;
  }

  /**
   * Starts a drain for each chat with an entry due and none running, up to PARALLEL_CHATS; the next
   * entry not yet due gets a timer. A drain that ends looks again, so what came meanwhile goes next.
   */
  kick(): void {
    if (!this.running) return;
    const adapter = this.deps.adapter();
    if (!adapter) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const due = this.db
      .prepare(`SELECT id, chat_key, op, payload, dedupe, about, attempts, next_at FROM chat_outbox WHERE surface = ? AND state = 'pending' ORDER BY id`)
      .all(this.deps.surface) as Row[];
    const now = Date.now();
    // Per chat in order; a chat whose first entry must wait holds its later ones back.
    const chats = new Map<string, Row[]>();
    const waiting = new Set<string>();
    let nextAt = Infinity;
    for (const row of due) {
      if (waiting.has(row.chat_key) || this.draining.has(row.chat_key)) continue;
      if (row.next_at > now) {
        waiting.add(row.chat_key);
        nextAt = Math.min(nextAt, row.next_at);
        continue;
      }
      chats.set(row.chat_key, [...(chats.get(row.chat_key) ?? []), row]);
    }
    for (const [chatKey, rows] of chats) {
      if (this.draining.size >= PARALLEL_CHATS) break;
      const drain = this.drain(adapter, rows).finally(() => {
        this.draining.delete(chatKey);
        this.kick();
      });
      this.draining.set(chatKey, drain);
    }
    if (nextAt < Infinity) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, nextAt - Date.now()));
      this.timer.unref();
    }
  }

  private async drain(adapter: ChatAdapter, rows: Row[]): Promise<void> {
    for (const row of rows) {
      if (!this.running || !(await this.deliver(adapter, row))) return;
    }
  }

  /** Tries one entry; false when the chat must wait (a rate limit or a failure) before its next one. */
  private async deliver(adapter: ChatAdapter, row: Row): Promise<boolean> {
    const payload = JSON.parse(row.payload) as OutboxPayload;
    try {
      const remoteId = await this.attempt(adapter, row, payload);
      this.db.prepare(`UPDATE chat_outbox SET state = 'sent', remote_id = ?, attempts = attempts + 1, sent_at = ? WHERE id = ?`).run(remoteId, Date.now(), row.id);
      this.deps.onSent?.(row.about ? (JSON.parse(row.about) as OutboxAbout) : null, remoteId, row.chat_key);
      return true;
    } catch (error) {
      const failure = error instanceof SendFailure ? error : new SendFailure('transient', String(error));
      return this.failed(row, payload, failure);
    }
  }

  private async attempt(adapter: ChatAdapter, row: Row, payload: OutboxPayload): Promise<string> {
    const options = { buttons: payload.buttons, plain: payload.plain };
    const text = payload.plain && payload.text ? adapter.plain(payload.text) : (payload.text ?? '');
    if (row.op === 'document') return adapter.sendDocument(row.chat_key, payload.fileName ?? 'reply.md', Buffer.from(payload.content ?? '', 'base64'), payload.caption);
    if (row.op === 'edit') {
      try {
        await adapter.edit(row.chat_key, payload.messageId!, text, options);
      } catch (error) {
        // The text is already there (a retry after a lost answer, or the stream showed it whole).
        if (error instanceof SendFailure && error.kind === 'not_modified') return payload.messageId!;
        throw error;
      }
      return payload.messageId!;
    }
    return adapter.send(row.chat_key, text, options);
  }

  private failed(row: Row, payload: OutboxPayload, failure: SendFailure): boolean {
    const attempts = row.attempts + 1;
    const retry = (delayMs: number, change: Partial<Pick<Row, 'op' | 'payload'>> = {}) =>
      this.db
        .prepare('UPDATE chat_outbox SET attempts = ?, next_at = ?, error = ?, op = coalesce(?, op), payload = coalesce(?, payload) WHERE id = ?')
        .run(attempts, Date.now() + delayMs, failure.message, change.op ?? null, change.payload ?? null, row.id);
    switch (failure.kind) {
      case 'rate_limited':
        retry(failure.retryAfterMs);
        return false;
      case 'unparsable':
        if (!payload.plain) {
          retry(0, { payload: JSON.stringify({ ...payload, plain: true }) });
          return false;
        }
        break;
      case 'gone':
        // The message to edit is gone (deleted by the user): the text goes out as a new message.
        if (row.op === 'edit') {
          retry(0, { op: 'send', payload: JSON.stringify({ ...payload, messageId: undefined }) });
          return false;
        }
        break;
      case 'transient':
        if (attempts < MAX_ATTEMPTS) {
          retry(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts - 1, 10)));
          return false;
        }
        break;
      case 'not_modified':
      case 'refused':
        break;
    }
    const id = log.error(`${this.deps.surface}: a message could not be delivered`, undefined, { chat: row.chat_key, op: row.op, dedupe: row.dedupe, reason: failure.message, attempts });
    this.db.prepare(`UPDATE chat_outbox SET state = 'dropped', attempts = ?, error = ? WHERE id = ?`).run(attempts, `${failure.message} (error ${id})`, row.id);
    this.deps.onDropped?.(`${failure.message} (error ${id})`, row.chat_key);
    return true;
  }
}
