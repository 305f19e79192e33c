import type { ConversationSummary, Message, MessagePage, SearchFilters, SearchHit } from '../../contract';
import { AppError } from '../errors';
import type { Service } from '../lifecycle';
import type { EmbeddingRows, EmbeddingService, PendingRow } from '../retrieval/embedding-service';
import { vecState, type SessionStore } from '../sessions/session-store';
import { isOwnSessionFolder, projectFolder } from '../storage/session-folders';
import type { StorageService } from '../storage/storage-service';
import { searchMessages, type SearchRequest } from './search-query';
import { SearchReader } from './search-reader';

/** A message arriving in bulk (an imported transcript line's block), with the line's own id. */
export type IncomingMessage = Pick<Message, 'role' | 'kind' | 'text' | 'data' | 'surface' | 'createdAt'> & { externalId: string | null };

/** Searches every conversation by words and by meaning, and serves transcripts for the Chats screen. */
export class HistoryService implements Service {
  readonly name = 'history';

  /** The search worker, when this build has one (dist/main/search-worker.cjs). */
  private reader: SearchReader | null = null;

  constructor(private readonly deps: { storage: StorageService; embeddings: EmbeddingService; store: SessionStore; dataDir: string; searchWorker?: string | null }) {}

  start(): void {
    if (this.deps.searchWorker) this.reader = new SearchReader(this.deps.searchWorker, this.deps.storage.file);
  }

  stop(): void {
    this.reader?.stop();
    this.reader = null;
  }

  conversations(): ConversationSummary[] {
    const counts = new Map(this.deps.storage.db.prepare('SELECT session_id, count(*) FROM messages GROUP BY session_id').raw().all() as [string, number][]);
    return this.deps.store.sessions().map((r) => ({
      id: r.id,
      title: r.title,
      surface: r.surface,
      // A worktree session is filed under its repository, not its `<data>/worktrees/<id>` folder.
      cwd: projectFolder(this.deps.dataDir, r.cwd),
      ownFolder: isOwnSessionFolder(this.deps.dataDir, r.cwd),
      claudeSessionId: r.claude_session_id,
      messageCount: counts.get(r.id) ?? 0,
      updatedAt: r.updated_at,
    }));
  }

  /**
   * Stores messages in one transaction, with their words indexed (one statement for the batch) and, when the provider
   * can, their vectors; lines seen before (same external id) are skipped. Returns the new rows' ids.
   */
  ingest(sessionId: string, messages: IncomingMessage[], precomputed?: (Float32Array | null)[] | null): number[] {
    const db = this.deps.storage.db;
    const sessionKey = this.deps.store.rowKey(sessionId);
    const states = messages.map((m) => vecState(m.role, m.kind, m.text));
    const vectors = precomputed !== undefined ? precomputed : this.deps.embeddings.embedNow(this.embeddable(messages, states));
    const vectorIndex = this.deps.embeddings.messages;
    return db.transaction(() => {
      const stored = this.deps.storage.messages.insert(
        messages.map((m, i) => ({ ...m, sessionId, turnId: null, vecState: states[i] === 0 && vectors?.[i] ? 1 : states[i]! })),
        (id, i) => {
          const vector = vectors?.[i];
          if (vector && states[i] === 0) vectorIndex.insert(id, vector, { session: sessionKey, role: messages[i]!.role, created_at: messages[i]!.createdAt }, false);
        },
      );
      // A reduce, not Math.max(...): one imported transcript can be a batch of hundreds of thousands.
      if (stored.length) this.deps.store.touch(sessionId, messages.reduce((latest, m) => Math.max(latest, m.createdAt), 0));
      return stored.map((r) => r.id);
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

  /**
   * Drops the vectors of a conversation's messages, in the caller's transaction, before the conversation is
   * deleted: the messages go by cascade, their vectors would stay, and SQLite gives their ids to new messages.
   */
  forget(sessionId: string): void {
    const ids = this.deps.storage.db.prepare('SELECT id FROM messages WHERE session_id = ? AND vec_state = 1').pluck().all(sessionId) as number[];
    this.deps.embeddings.messages.delete(...ids);
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
    const vector = await this.deps.embeddings.embedQuery(query);
    // A repository's folder stands for its worktree sessions' folders too.
    const folders = filters.cwd ? [...new Set([filters.cwd, ...this.deps.store.recentFolders(10_000).filter((f) => projectFolder(this.deps.dataDir, f) === filters.cwd)])] : undefined;
    const request: SearchRequest = { query, vector, filters, limit, knowsMeaning: this.deps.embeddings.knowsMeaning, ...(folders ? { folders } : {}) };
    // Off the main thread when the worker is built; in-thread otherwise (and when it failed).
    const found = (await this.reader?.search(request)) ?? searchMessages(this.deps.storage.db, this.deps.embeddings.messages, request);
    const hits = found.map((h) => ({ ...h, cwd: projectFolder(this.deps.dataDir, h.cwd) }));
    return { hits, usedVectors: !!vector, tookMs: performance.now() - started };
  }

  /** The same search in this thread, every match ranked (no windows): the benchmark's recall check. */
  searchUnbounded(query: string, vector: Float32Array | null, limit: number): SearchHit[] {
    return searchMessages(this.deps.storage.db, this.deps.embeddings.messages, { query, vector, filters: {}, limit, knowsMeaning: this.deps.embeddings.knowsMeaning, unbounded: true });
  }
}

/**
 * The messages waiting for their vectors, for the embedding service: history owns the table, so retrieval/
 * reads and marks them through this. A vector's metadata names the session by its integer key.
 */
export function messageEmbeddingRows(storage: StorageService, store: SessionStore): EmbeddingRows {
  return {
    pending: (limit) => {
      const rows = storage.db.prepare('SELECT id, text, session_id, role, created_at FROM messages WHERE vec_state = 0 ORDER BY id LIMIT ?').all(limit) as { id: number; text: string; session_id: string; role: string; created_at: number }[];
      const keys = new Map<string, number | undefined>();
      return rows.flatMap((r): PendingRow[] => {
        if (!keys.has(r.session_id)) keys.set(r.session_id, store.rowKey(r.session_id));
        const session = keys.get(r.session_id);
        // A message of a session gone (being deleted) waits no more for a vector.
        return session === undefined ? [] : [{ id: r.id, text: r.text, meta: { session, role: r.role, created_at: r.created_at } }];
      });
    },
    countPending: () => storage.db.prepare('SELECT count(*) FROM messages WHERE vec_state = 0').pluck().get() as number,
    markEmbedded: (id, onlyPending, text) =>
      storage.db.prepare(`UPDATE messages SET vec_state = 1 WHERE id = ?${onlyPending ? ' AND vec_state = 0' : ''}${text === undefined ? '' : ' AND text = ?'}`).run(...(text === undefined ? [id] : [id, text])).changes > 0,
    markAllPending: () => void storage.db.prepare('UPDATE messages SET vec_state = 0 WHERE vec_state = 1').run(),
  };
}
