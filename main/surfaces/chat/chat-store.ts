import type { ChatChannel, ChatSurface } from '../../../contract';
import type { StorageService } from '../../storage/storage-service';

interface ChannelRow {
  chat_key: string;
  name: string;
  place: string;
  cwd: string | null;
  model: string | null;
  allowed_tools: string;
  system_prompt: string | null;
  reply_to: ChatChannel['replyTo'];
}

/** Which chat shows which session: a chat is bound to one session, a session may show in several chats. */
export interface Binding {
  chatKey: string;
  sessionId: string;
}

/** A reply a restart cut off: its chat, its turn, and the message already showing it. */
export interface OpenReply {
  chatKey: string;
  turnId: string;
  messageId: string | null;
}

/**
 * The bridge's own tables for one chat app, and the only SQL on them: `chat_bindings` (a chat's
 * session), `chat_channels` (channels bound to a project), `chat_cards` (question cards and where they
 * are shown) and `chat_replies` (replies being written, so a restart finishes them). Bindings are
 * asked for on every streamed delta, so they are read once and kept in memory until they change.
 */
export class ChatStore {
  private bindings: Map<string, Binding[]> | null = null;

  constructor(
    private readonly storage: StorageService,
    private readonly surface: ChatSurface,
  ) {}

  private get db() {
    return this.storage.db;
  }

  /** Several writes as one (a final reply in the outbox together with its reply row). */
  transaction(work: () => void): void {
    this.db.transaction(work)();
  }

  // ── bindings ──────────────────────────────────────────────────────────────────────────────────

  boundSession(chatKey: string): string | undefined {
    return this.db.prepare('SELECT session_id FROM chat_bindings WHERE surface = ? AND chat_key = ?').pluck().get(this.surface, chatKey) as string | undefined;
  }

  bind(chatKey: string, sessionId: string): void {
    this.db
      .prepare('INSERT INTO chat_bindings (surface, chat_key, session_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (surface, chat_key) DO UPDATE SET session_id = excluded.session_id, updated_at = excluded.updated_at')
      .run(this.surface, chatKey, sessionId, Date.now());
    this.bindings = null;
  }

  /** A session deleted: no chat shows it any more (on every chat app: its rows go whichever bridge hears it first). */
  forgetSession(sessionId: string): void {
    this.db.prepare('DELETE FROM chat_bindings WHERE session_id = ?').run(sessionId);
    this.bindings = null;
  }

  /** The chats showing a session, from memory. */
  chatsOf(sessionId: string): Binding[] {
    if (!this.bindings) {
      this.bindings = new Map();
      for (const b of this.db.prepare('SELECT chat_key AS chatKey, session_id AS sessionId FROM chat_bindings WHERE surface = ?').all(this.surface) as Binding[]) {
        this.bindings.set(b.sessionId, [...(this.bindings.get(b.sessionId) ?? []), b]);
      }
    }
    return this.bindings.get(sessionId) ?? [];
  }

  // ── channels bound to projects ────────────────────────────────────────────────────────────────

  channel(chatKey: string): ChatChannel | null {
    const row = this.db.prepare('SELECT * FROM chat_channels WHERE surface = ? AND chat_key = ?').get(this.surface, chatKey) as ChannelRow | undefined;
    return row ? this.toChannel(row) : null;
  }

  channels(): ChatChannel[] {
    return (this.db.prepare('SELECT * FROM chat_channels WHERE surface = ? ORDER BY place, name').all(this.surface) as ChannelRow[]).map((r) => this.toChannel(r));
  }

  saveChannel(c: ChatChannel): void {
    this.db
      .prepare(
        `INSERT INTO chat_channels (surface, chat_key, name, place, cwd, model, allowed_tools, system_prompt, reply_to, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (surface, chat_key) DO UPDATE SET name = excluded.name, place = excluded.place, cwd = excluded.cwd, model = excluded.model,
           allowed_tools = excluded.allowed_tools, system_prompt = excluded.system_prompt, reply_to = excluded.reply_to, updated_at = excluded.updated_at`,
      )
      .run(this.surface, c.chatKey, c.name, c.place, c.cwd, c.model, JSON.stringify(c.allowedTools), c.systemPrompt, c.replyTo, Date.now());
  }

  removeChannel(chatKey: string): boolean {
    return this.db.prepare('DELETE FROM chat_channels WHERE surface = ? AND chat_key = ?').run(this.surface, chatKey).changes > 0;
  }

  private toChannel(r: ChannelRow): ChatChannel {
    return {
      surface: this.surface,
      chatKey: r.chat_key,
      name: r.name,
      place: r.place,
      cwd: r.cwd,
      model: r.model,
      allowedTools: JSON.parse(r.allowed_tools) as string[],
      systemPrompt: r.system_prompt,
      replyTo: r.reply_to,
    };
  }

  // ── question cards ────────────────────────────────────────────────────────────────────────────

  addCards(approvalId: string, chats: string[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO chat_cards (surface, approval_id, chat_key) VALUES (?, ?, ?)');
    for (const chatKey of chats) insert.run(this.surface, approvalId, chatKey);
  }

  /** The cards of an approval not yet marked answered; marks them answered. */
  settleCards(approvalId: string): { chatKey: string; messageId: string | null }[] {
    const cards = this.db
      .prepare('SELECT chat_key AS chatKey, message_id AS messageId FROM chat_cards WHERE surface = ? AND approval_id = ? AND settled = 0')
      .all(this.surface, approvalId) as { chatKey: string; messageId: string | null }[];
    if (cards.length) this.db.prepare('UPDATE chat_cards SET settled = 1 WHERE surface = ? AND approval_id = ?').run(this.surface, approvalId);
    return cards;
  }

  /** A card went out: its message is kept; whether it was answered meanwhile. */
  cardSent(approvalId: string, chatKey: string, messageId: string): { settled: boolean } {
    this.db.prepare('UPDATE chat_cards SET message_id = ? WHERE surface = ? AND approval_id = ? AND chat_key = ?').run(messageId, this.surface, approvalId, chatKey);
    const settled = this.db.prepare('SELECT settled FROM chat_cards WHERE surface = ? AND approval_id = ? AND chat_key = ?').pluck().get(this.surface, approvalId, chatKey);
    return { settled: !!settled };
  }

  /** The open question whose card is this message, if any (a reply to it is a typed answer). */
  cardAt(chatKey: string, messageId: string): string | undefined {
    return this.db.prepare('SELECT approval_id FROM chat_cards WHERE surface = ? AND chat_key = ? AND message_id = ? AND settled = 0').pluck().get(this.surface, chatKey, messageId) as string | undefined;
  }

  // ── replies being written ─────────────────────────────────────────────────────────────────────

  replyStarted(chatKey: string, turnId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO chat_replies (surface, chat_key, turn_id, created_at) VALUES (?, ?, ?, ?)').run(this.surface, chatKey, turnId, Date.now());
  }

  replyShownIn(chatKey: string, turnId: string, messageId: string | null): void {
    this.db.prepare('UPDATE chat_replies SET message_id = ? WHERE surface = ? AND chat_key = ? AND turn_id = ?').run(messageId, this.surface, chatKey, turnId);
  }

  replyFinished(chatKey: string, turnId: string, messageId: string | null): void {
    this.db.prepare('UPDATE chat_replies SET finished = 1, message_id = ? WHERE surface = ? AND chat_key = ? AND turn_id = ?').run(messageId, this.surface, chatKey, turnId);
  }

  forgetReply(turnId: string): void {
    this.db.prepare('DELETE FROM chat_replies WHERE surface = ? AND turn_id = ?').run(this.surface, turnId);
  }

  /** At a start: what is done is forgotten, and the replies a restart cut off are handed back. */
  openReplies(): OpenReply[] {
    this.db.prepare('DELETE FROM chat_replies WHERE surface = ? AND finished = 1').run(this.surface);
    this.db.prepare('DELETE FROM chat_cards WHERE surface = ? AND settled = 1').run(this.surface);
    return this.db.prepare('SELECT chat_key AS chatKey, turn_id AS turnId, message_id AS messageId FROM chat_replies WHERE surface = ? AND finished = 0').all(this.surface) as OpenReply[];
  }
}
