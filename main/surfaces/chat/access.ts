import { randomInt } from 'node:crypto';
import type { ChatPairing, ChatSurface, ChatUser } from '../../../contract';
import type { StorageService } from '../../storage/storage-service';

/** How long a pairing code stays good. */
export const PAIRING_TTL_MS = 60 * 60_000;
/** Letters a person reads off a phone and types without confusing them (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

interface UserRow {
  surface: ChatSurface;
  user_id: string;
  name: string;
  chat_id: string | null;
  added_at: number;
}

interface PairingRow {
  surface: ChatSurface;
  code: string;
  user_id: string;
  name: string;
  chat_id: string;
  requested_at: number;
  expires_at: number;
}

/** What of a message decides whether it is answered. */
export interface AccessMessage {
  private: boolean;
  /** In a group: it mentions the bot or replies to it. */
  addressed: boolean;
  slash?: boolean;
  /** A thread's channel, when the message is in a thread. */
  parentKey?: string;
}

/** What the bridge knows when a message arrives, read before deciding. */
export interface AccessState {
  /** The sender is on the allowlist. */
  allowed: boolean;
  /**
   * How groups are answered: by a setting (`on`: groups that mention the bot), or only in channels bound
   * to a project (`channel`: its reply mode, null when unbound; `threadBound`: the thread has a session).
   */
  groups: { kind: 'setting'; on: boolean } | { kind: 'bound-channels'; channel: { replyTo: 'mention' | 'all' } | null; threadBound: boolean };
}

/**
 * What happens to a message: delivered, dropped (`reason` for the `chat.ignored` event, `answer` when a
 * slash command still gets a word back; `unaddressed` is dropped in silence), or a stranger writing in
 * private, who gets a pairing code.
 */
export type AccessDecision = { action: 'deliver' } | { action: 'pair' } | { action: 'drop'; reason: 'unbound' | 'stranger' | 'unaddressed'; answer: boolean };

/** Whether a message outside a private chat is for the bot: by the group setting, or a bound channel (mentioned, every message, or a thread already started). */
function answersIn(m: AccessMessage, groups: AccessState['groups']): boolean {
  if (groups.kind === 'setting') return groups.on && m.addressed;
  if (!groups.channel) return false;
  return !!m.slash || m.addressed || groups.channel.replyTo === 'all' || (!!m.parentKey && groups.threadBound);
}

/**
 * Who gets through, as a pure decision (no database, no network), so every case is one line of a
 * table test: groups first (a group the bot does not answer in drops everyone), then the allowlist.
 */
export function decide(m: AccessMessage, state: AccessState): AccessDecision {
  const answer = !!m.slash;
  if (!m.private && !answersIn(m, state.groups)) return { action: 'drop', reason: m.addressed || m.slash ? 'unbound' : 'unaddressed', answer };
  if (state.allowed) return { action: 'deliver' };
  // Strangers get a code in private only; in a group they are not answered at all (a command, briefly).
  return m.private ? { action: 'pair' } : { action: 'drop', reason: 'stranger', answer };
}

const toUser = (r: UserRow): ChatUser => ({ surface: r.surface, userId: r.user_id, name: r.name, chatId: r.chat_id, addedAt: r.added_at });
const toPairing = (r: PairingRow): ChatPairing => ({
  surface: r.surface,
  code: r.code,
  userId: r.user_id,
  name: r.name,
  chatId: r.chat_id,
  requestedAt: r.requested_at,
  expiresAt: r.expires_at,
});

/**
 * Who may talk to a bot: an allowlist of user ids, and one-time pairing codes a stranger gets and only
 * the owner accepts, in the window. Nothing a stranger writes is kept beyond the pairing request.
 */
export class ChatAccess {
  constructor(
    private readonly storage: StorageService,
    private readonly surface: ChatSurface,
  ) {}

  private get db() {
    return this.storage.db;
  }

  allowed(userId: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM chat_users WHERE surface = ? AND user_id = ?').get(this.surface, userId);
  }

  users(): ChatUser[] {
    return (this.db.prepare('SELECT * FROM chat_users WHERE surface = ? ORDER BY added_at').all(this.surface) as UserRow[]).map(toUser);
  }

  user(userId: string): ChatUser | null {
    const row = this.db.prepare('SELECT * FROM chat_users WHERE surface = ? AND user_id = ?').get(this.surface, userId) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  /** Remembers an allowed user's private chat (where deliveries go) and current name. */
  seen(userId: string, name: string, privateChatId: string | null): void {
    this.db
      .prepare('UPDATE chat_users SET name = ?, chat_id = coalesce(?, chat_id) WHERE surface = ? AND user_id = ?')
      .run(name, privateChatId, this.surface, userId);
  }

  remove(userId: string): boolean {
    return this.db.prepare('DELETE FROM chat_users WHERE surface = ? AND user_id = ?').run(this.surface, userId).changes > 0;
  }

  /** The stranger's code: the one already given while it is good, else a new one. */
  requestPairing(userId: string, name: string, chatId: string, now = Date.now()): { pairing: ChatPairing; fresh: boolean } {
    this.db.prepare('DELETE FROM chat_pairings WHERE expires_at <= ?').run(now);
    const existing = this.db.prepare('SELECT * FROM chat_pairings WHERE surface = ? AND user_id = ?').get(this.surface, userId) as PairingRow | undefined;
    if (existing) return { pairing: toPairing(existing), fresh: false };
    const code = Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const row: PairingRow = { surface: this.surface, code, user_id: userId, name: name.slice(0, 200), chat_id: chatId, requested_at: now, expires_at: now + PAIRING_TTL_MS };
    this.db
      .prepare('INSERT INTO chat_pairings (surface, code, user_id, name, chat_id, requested_at, expires_at) VALUES (@surface, @code, @user_id, @name, @chat_id, @requested_at, @expires_at)')
      .run(row);
    return { pairing: toPairing(row), fresh: true };
  }

  pairings(now = Date.now()): ChatPairing[] {
    return (this.db.prepare('SELECT * FROM chat_pairings WHERE surface = ? AND expires_at > ? ORDER BY requested_at DESC').all(this.surface, now) as PairingRow[]).map(toPairing);
  }

  /** Accepts (the user joins the allowlist) or refuses a code; null when no good code matches. */
  answer(code: string, accept: boolean, now = Date.now()): { pairing: ChatPairing; user: ChatUser | null } | null {
    const row = this.db.prepare('SELECT * FROM chat_pairings WHERE surface = ? AND code = ? AND expires_at > ?').get(this.surface, code, now) as PairingRow | undefined;
    if (!row) return null;
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM chat_pairings WHERE surface = ? AND code = ?').run(this.surface, code);
      if (!accept) return { pairing: toPairing(row), user: null };
      this.db
        .prepare('INSERT OR REPLACE INTO chat_users (surface, user_id, name, chat_id, added_at) VALUES (?, ?, ?, ?, ?)')
        .run(this.surface, row.user_id, row.name, row.chat_id, now);
      return { pairing: toPairing(row), user: this.user(row.user_id) };
    })();
  }
}
