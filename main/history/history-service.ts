import type { ConversationSummary, Message, MessagePage, SearchFilters, SearchHit, Surface } from '../../contract';
import { MARK_END, MARK_START } from '../../contract';
import { AppError } from '../errors';
import type { Service } from '../lifecycle';
import type { EmbeddingService } from '../retrieval/embedding-service';
import { vecState, type SessionStore } from '../sessions/session-store';
import { isOwnSessionFolder } from '../storage/session-folders';
import type { StorageService } from '../storage/storage-service';
import { ftsQueries, ftsRanked, fuse, meaningful, plainSnippet } from '../retrieval/hybrid';
import { sharesAWord } from '../retrieval/relevance';

/** Candidates each side contributes to the fusion. */
const CANDIDATES = 40;
/** Past this many sessions a surface/folder filter is applied after the vector search instead of in it. */
const MAX_IN_FILTER = 500;

/** SQL conditions and their parameters, built together so they cannot drift apart. */
class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  add(sql: string, ...values: unknown[]): void {
    this.parts.push(sql);
    this.params.push(...values);
  }

  in(column: string, values: readonly unknown[]): void {
    this.add(`${column} IN (${values.map(() => '?').join(',')})`, ...values);
  }
}

interface HitRow {
  id: number;
  session_id: string;
  role: string;
  kind: string;
  text: string;
  created_at: number;
  title: string;
  surface: Surface;
  cwd: string;
}

/** A message arriving in bulk (an imported transcript line's block), with the line's own id. */
export type IncomingMessage = Pick<Message, 'role' | 'kind' | 'text' | 'data' | 'surface' | 'createdAt'> & { externalId: string | null };

/** Searches every conversation by words and by meaning, and serves transcripts for the Chats screen. */
export class HistoryService implements Service {
  readonly name = 'history';

  constructor(private readonly deps: { storage: StorageService; embeddings: EmbeddingService; store: SessionStore; dataDir: string }) {}

  start(): void {}
  stop(): void {}

  conversations(): ConversationSummary[] {
    const rows = this.deps.storage.db
      .prepare(
        `SELECT s.id, s.title, s.surface, s.cwd, s.claude_session_id, s.updated_at, (SELECT count(*) FROM messages m WHERE m.session_id = s.id) AS message_count
         FROM sessions s ORDER BY s.updated_at DESC`,
      )
      .all() as { id: string; title: string; surface: Surface; cwd: string; claude_session_id: string; updated_at: number; message_count: number }[];
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      surface: r.surface,
      cwd: r.cwd,
      ownFolder: isOwnSessionFolder(this.deps.dataDir, r.cwd),
      claudeSessionId: r.claude_session_id,
      messageCount: r.message_count,
      updatedAt: r.updated_at,
    }));
  }

  /**
   * Stores messages in one transaction, with their words indexed (one statement for the batch) and, when the provider
   * can, their vectors; lines seen before (same external id) are skipped. Returns the new rows' ids.
   */
  ingest(sessionId: string, messages: IncomingMessage[], precomputed?: (Float32Array | null)[] | null): number[] {
    const db = this.deps.storage.db;
    const insert = db.prepare(
      `INSERT OR IGNORE INTO messages (session_id, turn_id, role, kind, text, data, surface, created_at, external_id, vec_state)
       VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const indexWords = db.prepare('INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id IN (SELECT value FROM json_each(?))');
    const sessionKey = this.deps.store.rowKey(sessionId);
    const states = messages.map((m) => vecState(m.role, m.kind, m.text));
    const vectors = precomputed !== undefined ? precomputed : this.deps.embeddings.embedNow(this.embeddable(messages, states));
    return db.transaction(() => {
      const added: number[] = [];
      messages.forEach((m, i) => {
        const vector = vectors?.[i] ?? null;
        const state = states[i] === 0 && vector ? 1 : states[i]!;
        const result = insert.run(sessionId, m.role, m.kind, m.text, m.data === null ? null : JSON.stringify(m.data), m.surface, m.createdAt, m.externalId, state);
        // Ignored: a transcript line seen before.
        if (!result.changes) return;
        const id = Number(result.lastInsertRowid);
        added.push(id);
        if (vector && state === 1) this.deps.embeddings.messages.insert(id, vector, { session: sessionKey, role: m.role, created_at: m.createdAt }, false);
      });
      if (added.length) indexWords.run(JSON.stringify(added));
      // A reduce, not Math.max(...): one imported transcript can be a batch of hundreds of thousands.
      if (added.length) this.deps.store.touch(sessionId, messages.reduce((latest, m) => Math.max(latest, m.createdAt), 0));
      return added;
    })();
  }

  /**
   * Many batches, pipelined: the next batch is embedded (in the worker) while this one is written.
   * Returns how many rows were added.
   */
  async ingestBatches(sessionId: (batch: number) => string, batches: IncomingMessage[][]): Promise<number> {
    let added = 0;
    const textsOf = (batch: IncomingMessage[]) => this.embeddable(batch, batch.map((m) => vecState(m.role, m.kind, m.text)));
    let next = batches.length ? this.deps.embeddings.embedAhead(textsOf(batches[0]!)) : null;
    for (let i = 0; i < batches.length; i++) {
      const vectors = await next;
      next = i + 1 < batches.length ? this.deps.embeddings.embedAhead(textsOf(batches[i + 1]!)) : null;
      added += this.ingest(sessionId(i), batches[i]!, vectors).length;
    }
    return added;
  }

  private embeddable(messages: IncomingMessage[], states: number[]): (string | null)[] {
    return messages.map((m, i) => (states[i] === 0 ? m.text : null));
  }

  /** One page of a conversation; the event loop never carries more than a page at once. */
  messages(sessionId: string, page: { after?: number; limit?: number } = {}): MessagePage {
    const limit = page.limit ?? 1000;
    const messages = this.deps.store.messagesAfter(sessionId, page.after ?? 0, limit);
    // An empty page of a conversation that does not exist would read as "nothing said yet".
    if (!messages.length && !this.deps.store.session(sessionId)) throw new AppError('not_found', `There is no conversation ${sessionId}.`);
    return { messages, next: messages.length === limit ? messages.at(-1)!.id : null };
  }

  async search(query: string, filters: SearchFilters, limit: number): Promise<{ hits: SearchHit[]; usedVectors: boolean; tookMs: number }> {
    const started = performance.now();
    const db = this.deps.storage.db;
    const sql = new Conditions();
    if (filters.sessionId) sql.add('m.session_id = ?', filters.sessionId);
    if (filters.role?.length) sql.in('m.role', filters.role);
    if (filters.surface?.length) sql.in('s.surface', filters.surface);
    if (filters.cwd) sql.add('s.cwd = ?', filters.cwd);
    if (filters.from !== undefined) sql.add('m.created_at >= ?', filters.from);
    if (filters.to !== undefined) sql.add('m.created_at <= ?', filters.to);
    const conditions = sql.parts.length ? ` AND ${sql.parts.join(' AND ')}` : '';
    const params = sql.params;

    const queries = ftsQueries(query);
    // The sessions join is only needed to filter by surface or folder.
    const join = filters.surface?.length || filters.cwd ? ' JOIN sessions s ON s.id = m.session_id' : '';
    // Snippets come with the candidates: FTS5 makes them only for the rows the LIMIT returns, while a
    // second MATCH restricted by rowid would evaluate the whole match again (half the search time).
    const words = db.prepare(
      `SELECT m.id, snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid${join}
       WHERE messages_fts MATCH ?${conditions} ORDER BY rank LIMIT ?`,
    );
    const wordRows = queries
      ? ftsRanked(queries, (match) => words.all(MARK_START, MARK_END, match, ...params, CANDIDATES) as { id: number; snippet: string }[], CANDIDATES)
      : [];

    const vector = await this.deps.embeddings.embedQuery(query);
    let meaningIds: number[] = [];
    if (vector) {
      const filter = this.vectorFilter(filters);
      const hits = this.deps.embeddings.messages.search(vector, CANDIDATES, filter.inKnn);
      const allowed = filter.post ? this.allowedIds(hits.map((h) => h.id), conditions, params) : null;
      meaningIds = meaningful(hits.filter((h) => !allowed || allowed.has(h.id)));
      // The relevance floor Memory has: the built-in vectors know spelling, not meaning, so a hit they
      // find counts only with a word of the query in it (or a typo of one); nonsense finds nothing.
      if (!this.deps.embeddings.knowsMeaning && meaningIds.length) {
        const texts = db.prepare('SELECT id, text FROM messages WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(meaningIds)) as { id: number; text: string }[];
        const related = new Set(texts.filter((t) => sharesAWord(query, t.text)).map((t) => t.id));
        meaningIds = meaningIds.filter((id) => related.has(id));
      }
    }

    const fused = fuse(
      wordRows.map((r) => r.id),
      meaningIds,
    ).slice(0, limit);
    if (!fused.length) return { hits: [], usedVectors: !!vector, tookMs: performance.now() - started };
    const snippets = new Map(wordRows.map((r) => [r.id, r.snippet]));
    const rows = db
      .prepare(
        `SELECT m.id, m.session_id, m.role, m.kind, m.text, m.created_at, s.title, s.surface, s.cwd FROM messages m JOIN sessions s ON s.id = m.session_id
         WHERE m.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(fused.map((f) => f.id))) as HitRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const hits = fused.flatMap((f): SearchHit[] => {
      const row = byId.get(f.id);
      if (!row) return [];
      return [
        {
          messageId: row.id,
          sessionId: row.session_id,
          sessionTitle: row.title,
          surface: row.surface,
          cwd: row.cwd,
          role: row.role,
          kind: row.kind,
          createdAt: row.created_at,
          snippet: snippets.get(row.id) ?? plainSnippet(row.text, query),
          score: f.score,
          via: f.via,
        },
      ];
    });
    return { hits, usedVectors: !!vector, tookMs: performance.now() - started };
  }

  /** Filters the vector index can apply during its search; the rest are checked afterwards. */
  private vectorFilter(filters: SearchFilters): { inKnn: { sql: string; params: unknown[] } | null; post: boolean } {
    const knn = new Conditions();
    let post = false;
    if (filters.role?.length) knn.in('role', filters.role);
    // vec0 compares integer metadata only with integers bound as BigInt.
    if (filters.from !== undefined) knn.add('created_at >= ?', BigInt(filters.from));
    if (filters.to !== undefined) knn.add('created_at <= ?', BigInt(filters.to));
    if (filters.sessionId || filters.surface?.length || filters.cwd) {
      // The vector index knows sessions by their integer key.
      const sessions = new Conditions();
      if (filters.sessionId) sessions.add('id = ?', filters.sessionId);
      if (filters.surface?.length) sessions.in('surface', filters.surface);
      if (filters.cwd) sessions.add('cwd = ?', filters.cwd);
      const keys = this.deps.storage.db.prepare(`SELECT key FROM sessions WHERE ${sessions.parts.join(' AND ')}`).pluck().all(...sessions.params) as number[];
      if (keys.length <= MAX_IN_FILTER) knn.in('session', (keys.length ? keys : [-1]).map((k) => BigInt(k)));
      else post = true;
    }
    return { inKnn: knn.parts.length ? { sql: knn.parts.join(' AND '), params: knn.params } : null, post };
  }

  private allowedIds(ids: number[], conditions: string, params: unknown[]): Set<number> {
    const rows = this.deps.storage.db
      .prepare(`SELECT m.id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.id IN (SELECT value FROM json_each(?))${conditions}`)
      .pluck()
      .all(JSON.stringify(ids), ...params) as number[];
    return new Set(rows);
  }
}
