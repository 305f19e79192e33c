import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Message, MessageKind, MessageRole, PermissionPolicy, SessionStatus, Surface, Turn, TurnStatus } from '../../contract';
import type { StorageService } from '../storage/storage-service';

export interface SessionRow {
  id: string;
  surface: Surface;
  surface_key: string;
  claude_session_id: string;
  cli_started: number;
  title: string;
  cwd: string;
  model: string | null;
  permission_policy: PermissionPolicy;
  system_prompt: string | null;
  last_status: SessionStatus;
  cost_usd: number;
  created_at: number;
  updated_at: number;
}

interface TurnRow {
  id: string;
  session_id: string;
  seq: number;
  surface: Surface;
  actor: string | null;
  prompt: string;
  status: TurnStatus;
  result_text: string | null;
  error: string | null;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number | null;
  denials: string | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
}

interface MessageRow {
  id: number;
  session_id: string;
  turn_id: string | null;
  role: MessageRole;
  kind: MessageKind;
  text: string;
  data: string | null;
  surface: Surface | null;
  created_at: number;
}

export interface TurnEnd {
  status: TurnStatus;
  resultText?: string | null;
  error?: string | null;
  costUsd?: number | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  durationMs?: number | null;
  denials?: string[];
}

export interface NewMessage {
  sessionId: string;
  turnId: string | null;
  role: MessageRole;
  kind: MessageKind;
  text: string;
  data?: unknown;
  surface?: Surface | null;
}

/** Whether a message gets a vector: 0 pending, 2 never (tool output, notices, very short text). */
export function vecState(role: MessageRole, kind: MessageKind, text: string): 0 | 2 {
  return (role === 'user' || role === 'assistant') && kind === 'text' && text.trim().length >= 3 ? 0 : 2;
}

function toTurn(row: TurnRow): Turn {
  return {
    id: row.id,
    sessionId: row.session_id,
    seq: row.seq,
    surface: row.surface,
    actor: row.actor,
    prompt: row.prompt,
    status: row.status,
    position: null,
    resultText: row.result_text,
    error: row.error,
    costUsd: row.cost_usd,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    durationMs: row.duration_ms,
    denials: row.denials ? (JSON.parse(row.denials) as string[]) : [],
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    sessionId: row.session_id,
    turnId: row.turn_id,
    role: row.role,
    kind: row.kind,
    text: row.text,
    data: row.data === null ? null : JSON.parse(row.data),
    surface: row.surface,
    createdAt: row.created_at,
  };
}

/** The sessions' tables: every write that must survive a crash happens here, synchronously. */
export class SessionStore {
  constructor(private readonly storage: StorageService) {}

  private get db(): Database {
    return this.storage.db;
  }

  insertSession(row: Omit<SessionRow, 'cli_started' | 'last_status' | 'cost_usd'> & { session_rules?: string }): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id, surface, surface_key, claude_session_id, title, cwd, model, permission_policy, system_prompt, session_rules, created_at, updated_at)
         VALUES (@id, @surface, @surface_key, @claude_session_id, @title, @cwd, @model, @permission_policy, @system_prompt, @session_rules, @created_at, @updated_at)`,
      )
      .run({ session_rules: '[]', ...row });
  }

  /**
   * The session of a Claude Code transcript from outside the app (surface external, keyed and resumed by
   * its Claude id): found, or created with what the transcript tells.
   */
  externalSession(claudeSessionId: string, seed: { title: string; cwd: string; createdAt: number }): string {
    const existing = this.db.prepare(`SELECT id FROM sessions WHERE surface = 'external' AND surface_key = ?`).pluck().get(claudeSessionId) as string | undefined;
    if (existing) return existing;
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO sessions (id, surface, surface_key, claude_session_id, cli_started, title, cwd, permission_policy, created_at, updated_at)
         VALUES (?, 'external', ?, ?, 1, ?, ?, 'ask', ?, ?)`,
      )
      .run(id, claudeSessionId, claudeSessionId, seed.title, seed.cwd, seed.createdAt, Date.now());
    return id;
  }

  /**
   * The session a Claude session id belongs to (one Switchboard runs or ran, else one imported from
   * outside), and whether Switchboard ran it: then its messages came through the stream, not the transcript.
   */
  ownerOfClaudeSession(claudeSessionId: string): { id: string; surface: Surface; cwd: string; ranHere: boolean } | null {
    const turn = this.db.prepare('SELECT session_id FROM turns WHERE claude_session_id = ? LIMIT 1').pluck().get(claudeSessionId) as string | undefined;
    const row = this.db
      .prepare(
        `SELECT id, surface, cwd FROM sessions WHERE id = coalesce(
           (SELECT id FROM sessions WHERE claude_session_id = ? AND surface != 'external'), ?,
           (SELECT id FROM sessions WHERE surface = 'external' AND surface_key = ?))`,
      )
      .get(claudeSessionId, turn ?? null, claudeSessionId) as { id: string; surface: Surface; cwd: string } | undefined;
    return row ? { ...row, ranHere: row.surface !== 'external' || turn !== undefined } : null;
  }

  /** Every Claude session a session has had (a reset starts a new one). */
  claudeSessionIds(id: string): string[] {
    return this.db
      .prepare('SELECT claude_session_id FROM sessions WHERE id = ? UNION SELECT claude_session_id FROM turns WHERE session_id = ?')
      .pluck()
      .all(id, id) as string[];
  }

  /** Whether this Claude session is one the app runs (its own transcript is not imported again). */
  runsClaudeSession(claudeSessionId: string): boolean {
    return !!this.ownerOfClaudeSession(claudeSessionId)?.ranHere;
  }

  /** Messages arrived up to `at`: the session moves up the lists (never back). */
  touch(id: string, at: number): void {
    this.db.prepare('UPDATE sessions SET updated_at = max(updated_at, ?) WHERE id = ?').run(at, id);
  }

  /** The session's integer key, as the vector index knows it. */
  rowKey(id: string): number {
    return this.db.prepare('SELECT key FROM sessions WHERE id = ?').pluck().get(id) as number;
  }

  session(id: string): SessionRow | undefined {
    return this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
  }

  /** A surface's conversation by its own key (a chat id, `job:<id>`). */
  sessionByKey(surface: Surface, key: string): SessionRow | undefined {
    return this.db.prepare('SELECT * FROM sessions WHERE surface = ? AND surface_key = ? ORDER BY created_at DESC LIMIT 1').get(surface, key) as SessionRow | undefined;
  }

  sessions(): SessionRow[] {
    return this.db.prepare('SELECT * FROM sessions ORDER BY updated_at DESC').all() as SessionRow[];
  }

  updateSession(id: string, fields: Partial<Omit<SessionRow, 'id'>>): void {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    this.db.prepare(`UPDATE sessions SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @now WHERE id = @id`).run({ ...fields, id, now: Date.now() });
  }

  /** The input of a tool call Claude made in this session, by the call's id. */
  toolUseInput(sessionId: string, toolUseId: string): Record<string, unknown> | null {
    const data = this.db
      .prepare(`SELECT data FROM messages WHERE session_id = ? AND kind = 'tool_use' AND data ->> '$.id' = ? ORDER BY id DESC LIMIT 1`)
      .pluck()
      .get(sessionId, toolUseId) as string | undefined;
    return data ? ((JSON.parse(data) as { input?: Record<string, unknown> }).input ?? null) : null;
  }

  /** The session's "This session" rules (the approval broker's, kept with the session); none once it is gone. */
  sessionRules(id: string): string[] {
    const raw = this.db.prepare('SELECT session_rules FROM sessions WHERE id = ?').pluck().get(id) as string | undefined;
    return raw ? (JSON.parse(raw) as string[]) : [];
  }

  /** Replaces them; the session does not move up the lists for it. */
  setSessionRules(id: string, rules: string[]): void {
    this.db.prepare('UPDATE sessions SET session_rules = ? WHERE id = ?').run(JSON.stringify(rules), id);
  }

  /** A session's title, null once it is gone. */
  title(id: string): string | null {
    return (this.db.prepare('SELECT title FROM sessions WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
  }

  /** The turn under way at `at` in one of Switchboard's sessions (the last started by then), for usage to count it to. */
  turnAt(sessionId: string, at: number): { id: string; surface: string } | null {
    return (this.db.prepare('SELECT id, surface FROM turns WHERE session_id = ? AND started_at <= ? ORDER BY started_at DESC LIMIT 1').get(sessionId, at) as { id: string; surface: string } | undefined) ?? null;
  }

  /** A turn's prompt, null once it is gone. */
  turnPrompt(id: string): string | null {
    return (this.db.prepare('SELECT prompt FROM turns WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
  }

  /** How many sessions there are, and since `since` how many moved and how many turns were queued (the machine panel). */
  counts(since: number): { sessions: number; sessionsSince: number; turnsSince: number } {
    const count = (sql: string, ...args: unknown[]) => (this.db.prepare(sql).pluck().get(...args) as number) ?? 0;
    return {
      sessions: count('SELECT count(*) FROM sessions'),
      sessionsSince: count('SELECT count(*) FROM sessions WHERE updated_at >= ?', since),
      turnsSince: count('SELECT count(*) FROM turns WHERE queued_at >= ?', since),
    };
  }

  recentFolders(limit: number): string[] {
    return this.db.prepare(`SELECT cwd FROM sessions WHERE cwd != '' GROUP BY cwd ORDER BY max(updated_at) DESC LIMIT ?`).pluck().all(limit) as string[];
  }

  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
  }

  /**
   * Stores a queued turn with its prompt: once this returns, nothing is lost. The prompt enters the
   * conversation (as a message) when its turn starts, so stored order is conversation order.
   */
  insertTurn(turn: { id: string; sessionId: string; claudeSessionId: string; surface: Surface; actor: string; prompt: string }): Turn {
    return this.db.transaction(() => {
      const seq = (this.db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM turns WHERE session_id = ?').pluck().get(turn.sessionId) as number) ?? 1;
      const now = Date.now();
      this.db
        .prepare(
          `INSERT INTO turns (id, session_id, seq, claude_session_id, surface, actor, prompt, status, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
        )
        .run(turn.id, turn.sessionId, seq, turn.claudeSessionId, turn.surface, turn.actor, turn.prompt, now);
      this.db.prepare('UPDATE sessions SET updated_at = ? WHERE id = ?').run(now, turn.sessionId);
      return this.turn(turn.id)!;
    })();
  }

  /** The turn's prompt as a message in the conversation: when it starts, or (marked not sent) when it is cancelled unsent. */
  enterConversation(turnId: string, data?: { notSent: true }): Message {
    const row = this.db.prepare('SELECT session_id, surface, prompt FROM turns WHERE id = ?').get(turnId) as { session_id: string; surface: Surface; prompt: string };
    return this.insertMessage({ sessionId: row.session_id, turnId, role: 'user', kind: 'text', text: row.prompt, surface: row.surface, data });
  }

  /** A queued turn's prompt, changed before it starts. */
  editQueued(turnId: string, prompt: string): Turn {
    this.db.prepare(`UPDATE turns SET prompt = ? WHERE id = ? AND status = 'queued'`).run(prompt, turnId);
    return this.turn(turnId)!;
  }

  /** A queued turn taken back before it started: it never happened. */
  deleteQueued(turnId: string): void {
    this.db.prepare(`DELETE FROM turns WHERE id = ? AND status = 'queued'`).run(turnId);
  }

  turn(id: string): Turn | undefined {
    const row = this.db.prepare('SELECT * FROM turns WHERE id = ?').get(id) as TurnRow | undefined;
    return row && toTurn(row);
  }

  /** Who sent a session its first message (`mcp:inspector`, `session:<id>`…): the caller that started it; null before any. */
  firstActor(sessionId: string): string | null {
    return (this.db.prepare('SELECT actor FROM turns WHERE session_id = ? ORDER BY seq LIMIT 1').pluck().get(sessionId) as string | null | undefined) ?? null;
  }

  /** Everyone who ever sent a session a message (`telegram:42`, `session:<id>`…): the people its Claude has acted for. */
  actors(sessionId: string): string[] {
    return this.db.prepare('SELECT DISTINCT actor FROM turns WHERE session_id = ? AND actor IS NOT NULL').pluck().all(sessionId) as string[];
  }

  turns(sessionId: string): Turn[] {
    return (this.db.prepare('SELECT * FROM turns WHERE session_id = ? ORDER BY seq').all(sessionId) as TurnRow[]).map(toTurn);
  }

  startTurn(id: string, claudeSessionId: string): void {
    this.db.prepare(`UPDATE turns SET status = 'running', started_at = ?, claude_session_id = ? WHERE id = ?`).run(Date.now(), claudeSessionId, id);
  }

  /** What the turns of one Claude session cost so far: a resumed CLI's cumulative cost starts there. */
  claudeSessionCost(claudeSessionId: string): number {
    return (this.db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM turns WHERE claude_session_id = ?').pluck().get(claudeSessionId) as number) ?? 0;
  }

  /** The text of the block being streamed (null once it is stored whole). */
  setPartialText(turnId: string, text: string | null): void {
    this.db.prepare('UPDATE turns SET partial_text = ? WHERE id = ?').run(text, turnId);
  }

  endTurn(id: string, end: TurnEnd): Turn {
    this.db
      .prepare(
        `UPDATE turns SET partial_text = NULL, status = @status, result_text = @resultText, error = @error, cost_usd = @costUsd, input_tokens = @inputTokens,
           output_tokens = @outputTokens, duration_ms = @durationMs, denials = @denials, ended_at = @endedAt WHERE id = @id`,
      )
      .run({
        id,
        status: end.status,
        resultText: end.resultText ?? null,
        error: end.error ?? null,
        costUsd: end.costUsd ?? null,
        inputTokens: end.inputTokens ?? null,
        outputTokens: end.outputTokens ?? null,
        durationMs: end.durationMs ?? null,
        denials: end.denials ? JSON.stringify(end.denials) : null,
        endedAt: Date.now(),
      });
    if (end.costUsd) this.db.prepare('UPDATE sessions SET cost_usd = cost_usd + ? WHERE id = (SELECT session_id FROM turns WHERE id = ?)').run(end.costUsd, id);
    return this.turn(id)!;
  }

  /** One message and its words in the index, together (the storage's one message writer). */
  insertMessage(message: NewMessage): Message {
    const { sessionId, turnId, role, kind, text } = message;
    const stored = this.storage.messages.insertOne({
      sessionId,
      turnId,
      role,
      kind,
      text,
      data: message.data ?? null,
      surface: message.surface ?? null,
      createdAt: Date.now(),
      externalId: null,
      vecState: vecState(role, kind, text),
    });
    // No external id, so nothing to skip: a row is always stored.
    return stored!;
  }

  /** A note that changes as what it reports goes on (the API retry count); the word index follows by trigger. */
  updateMessageText(id: number, text: string): Message {
    return toMessage(this.db.prepare('UPDATE messages SET text = ? WHERE id = ? RETURNING *').get(text, id) as MessageRow);
  }

  /** The latest `limit` messages, oldest first. */
  messages(sessionId: string, limit: number): Message[] {
    const rows = this.db.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY id DESC LIMIT ?').all(sessionId, limit) as MessageRow[];
    return rows.reverse().map(toMessage);
  }

  /** Up to `limit` messages after the id `after`, oldest first. */
  messagesAfter(sessionId: string, after: number, limit: number): Message[] {
    const rows = this.db.prepare('SELECT * FROM messages WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?').all(sessionId, after, limit) as MessageRow[];
    return rows.map(toMessage);
  }

  /**
   * Turns a previous run left queued or running: they can no longer run as they were. The sessions in
   * `keep` waited for the plan's limit to reset: their turn and their queue carry on after it (plan-limit.ts).
   */
  endLeftoverTurns(keep: readonly string[] = []): number {
    const now = Date.now();
    const kept = JSON.stringify(keep);
    const others = `session_id NOT IN (SELECT value FROM json_each(?))`;
    // What a turn had streamed when the process died is kept, as it would be after a CLI crash.
    const partial = this.db.prepare(`SELECT id, session_id, partial_text FROM turns WHERE status = 'running' AND partial_text IS NOT NULL AND ${others}`).all(kept) as {
      id: string;
      session_id: string;
      partial_text: string;
    }[];
    for (const turn of partial) {
      this.insertMessage({ sessionId: turn.session_id, turnId: turn.id, role: 'assistant', kind: 'text', text: turn.partial_text, data: { partial: true } });
    }
    const running = this.db
      .prepare(`UPDATE turns SET status = 'failed', error = ?, ended_at = ?, partial_text = NULL WHERE status = 'running' AND ${others}`)
      .run('Switchboard stopped during this turn.', now, kept).changes;
    const unsent = this.db.prepare(`SELECT id FROM turns WHERE status = 'queued' AND ${others} ORDER BY queued_at`).pluck().all(kept) as string[];
    for (const id of unsent) this.enterConversation(id, { notSent: true });
    const queued = this.db
      .prepare(`UPDATE turns SET status = 'cancelled', error = ?, ended_at = ? WHERE status = 'queued' AND ${others}`)
      .run('Switchboard stopped before this message was sent. It is kept here; send it again if you still need it.', now, kept).changes;
    return running + queued;
  }

  /** The messages still queued in a session, oldest first (a queue kept across a restart). */
  queuedTurnIds(sessionId: string): string[] {
    return this.db.prepare(`SELECT id FROM turns WHERE session_id = ? AND status = 'queued' ORDER BY queued_at`).pluck().all(sessionId) as string[];
  }
}
