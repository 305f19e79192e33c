import type { Database } from 'better-sqlite3';
import type { SearchFilters, SearchHit, Surface } from '../../contract';
import { ftsQueries, fuse, meaningful, plainSnippet, wordSnippet } from '../retrieval/hybrid';
import { sharesAWord } from '../retrieval/relevance';
import type { VectorIndex } from '../retrieval/vector-index';

/** Candidates each side contributes to the fusion. */
const CANDIDATES = 40;
/** Past this many sessions a surface/folder filter is applied after the vector search instead of in it. */
const MAX_IN_FILTER = 500;
/**
 * The newest messages ranked first. BM25 scores every match and a brute-force KNN every vector: at a
 * million messages, two common words cost ~140 ms each way. Ranking the newest window, and widening it
 * (×4) only when it holds too few matches, keeps a search at the cost of a window however big the history.
 * Inside the window nothing is lost: its hits are exactly the unbounded ranking's best of those rows
 * (search-query.test.ts checks it against FTS5's rank); an older row that would score higher is found
 * only when the window widens. The window's vectors are searched from bits held in memory (RecentBits).
 */
export const FIRST_WINDOW = 50_000;
const WIDEN = 4;

/** What a search needs besides the database: the query's vector (computed where the provider lives). */
export interface SearchRequest {
  query: string;
  vector: Float32Array | null;
  filters: SearchFilters;
  limit: number;
  /** Whether the vectors know meaning (a real model) or only spelling (the built-in one). */
  knowsMeaning: boolean;
  /** Rank every match, as before the windows (the benchmark's recall check). */
  unbounded?: boolean;
  /** The first window's size (tests use a small one). */
  window?: number;
  /** The session folders that stand for `filters.cwd` (a repository's worktree sessions work elsewhere); just it when absent. */
  folders?: string[];
}

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

/**
 * Hybrid search over the messages on one connection: words (FTS5, BM25) and meaning (the vector index)
 * fused by reciprocal rank. It runs in the search worker on its own read-only connection, or in-thread
 * where no worker was built (tests from source).
 */
export function searchMessages(db: Database, index: VectorIndex, request: SearchRequest): SearchHit[] {
  const { query, vector, filters, limit } = request;
  const cwds = request.folders ?? (filters.cwd ? [filters.cwd] : []);
  const sql = new Conditions();
  if (filters.sessionId) sql.add('m.session_id = ?', filters.sessionId);
  if (filters.role?.length) sql.in('m.role', filters.role);
  if (filters.surface?.length) sql.in('s.surface', filters.surface);
  if (filters.cwd) sql.in('s.cwd', cwds);
  if (filters.from !== undefined) sql.add('m.created_at >= ?', filters.from);
  if (filters.to !== undefined) sql.add('m.created_at <= ?', filters.to);
  const conditions = sql.parts.length ? ` AND ${sql.parts.join(' AND ')}` : '';
  const params = sql.params;
  const newest = request.unbounded ? 0 : ((db.prepare('SELECT max(id) FROM messages').pluck().get() as number | null) ?? 0);

  const queries = ftsQueries(query);
  // The sessions join is only needed to filter by surface or folder.
  const join = filters.surface?.length || filters.cwd ? ' JOIN sessions s ON s.id = m.session_id' : '';
  // BM25 as a column, sorted by SQLite: FTS5's own ORDER BY rank runs its sorter over every match and
  // ignores the rowid bound (a 50,000-row window cost as much as the whole million); the column form
  // scores only the window's matches. Same scores, same order (bm25() is what rank is).
  const words = db.prepare(
    conditions
      ? `SELECT m.id, bm25(messages_fts) AS score FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid${join}
         WHERE messages_fts MATCH ? AND messages_fts.rowid > ?${conditions} ORDER BY score, m.id DESC LIMIT ?`
      : // Without filters the messages table is not read at all until the shown hits.
        `SELECT rowid AS id, bm25(messages_fts) AS score FROM messages_fts WHERE messages_fts MATCH ? AND rowid > ? ORDER BY score, rowid DESC LIMIT ?`,
  );
  // Newest first: each query's window widens until it holds enough matches (or is the whole history).
  const ranked = (match: string, enough: number): { id: number }[] => {
    for (let window = request.window ?? FIRST_WINDOW; ; window *= WIDEN) {
      const after = newest > window ? newest - window : 0;
      const rows = words.all(match, after, ...params, CANDIDATES) as { id: number }[];
      if (after === 0 || rows.length >= enough) return rows;
    }
  };
  // Rows with all the words first; only when those are too few, rows with any (in their own window).
  let wordRows: { id: number }[] = [];
  // The rows holding every word of a query of several: they come first, whatever the vectors say.
  let everyWord = new Set<number>();
  if (queries) {
    wordRows = ranked(queries.all, CANDIDATES / 2);
    if (queries.any !== queries.all) everyWord = new Set(wordRows.map((r) => r.id));
    if (wordRows.length < CANDIDATES / 2 && queries.any !== queries.all) {
      const seen = new Set(wordRows.map((r) => r.id));
      wordRows = [...wordRows, ...ranked(queries.any, CANDIDATES).filter((r) => !seen.has(r.id))].slice(0, CANDIDATES);
    }
  }

  let meaningIds: number[] = [];
  if (vector) {
    const filter = vectorFilter(db, filters, cwds);
    // The vectors of the same window, as a time bound (the index filters on its created_at column and
    // skips the vectors of older chunks); widened like the words when it yields too few.
    let vectorWindow = request.window ?? FIRST_WINDOW;
    for (;;) {
      const after = newest > vectorWindow ? newest - vectorWindow : 0;
      const since = after ? ((db.prepare('SELECT created_at FROM messages WHERE id > ? ORDER BY id LIMIT 1').pluck().get(after) as number | undefined) ?? 0) : 0;
      const bound = since ? { sql: [filter.inKnn?.sql, 'created_at >= ?'].filter(Boolean).join(' AND '), params: [...(filter.inKnn?.params ?? []), BigInt(since)] } : filter.inKnn;
      // Unfiltered, the newest window's KNN runs over bits held in memory (a millisecond, not a scan of every chunk).
      const hits = after && vectorWindow === (request.window ?? FIRST_WINDOW) && !filter.inKnn && !filter.post ? index.searchRecent(vector, CANDIDATES, after) : index.search(vector, CANDIDATES, bound);
      const allowed = filter.post ? allowedIds(db, hits.map((h) => h.id), conditions, params) : null;
      meaningIds = meaningful(hits.filter((h) => !allowed || allowed.has(h.id)));
      // Widened only while the page is not full: when the words already fill it from their window,
      // older neighbours could only reorder it (and a wider KNN costs a scan of every older vector).
      if (after === 0 || meaningIds.length >= CANDIDATES / 2 || wordRows.length >= limit) break;
      vectorWindow *= WIDEN;
    }
    // The relevance floor Memory has: the built-in vectors know spelling, not meaning, so a hit they
    // find counts only with a word of the query in it (or a typo of one); nonsense finds nothing.
    if (!request.knowsMeaning && meaningIds.length) {
      const texts = db.prepare('SELECT id, text FROM messages WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(meaningIds)) as { id: number; text: string }[];
      const related = new Set(texts.filter((t) => sharesAWord(query, t.text)).map((t) => t.id));
      meaningIds = meaningIds.filter((id) => related.has(id));
    }
  }

  // Fused by rank, then those with every word before the rest: two short messages holding one word, near
  // the query by their letters, outranked an answer holding both.
  const fused = fuse(
    wordRows.map((r) => r.id),
    meaningIds,
  )
    .sort((a, b) => Number(everyWord.has(b.id)) - Number(everyWord.has(a.id)))
    .slice(0, limit);
  if (!fused.length) return [];
  const rows = db
    .prepare(
      `SELECT m.id, m.session_id, m.role, m.kind, m.text, m.created_at, s.title, s.surface, s.cwd FROM messages m JOIN sessions s ON s.id = m.session_id
       WHERE m.id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(fused.map((f) => f.id))) as HitRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return fused.flatMap((f): SearchHit[] => {
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
        snippet: f.via.includes('words') ? wordSnippet(row.text, query) : plainSnippet(row.text, query),
        score: f.score,
        via: f.via,
      },
    ];
  });
}

/** Filters the vector index can apply during its search; the rest are checked afterwards. */
function vectorFilter(db: Database, filters: SearchFilters, cwds: readonly string[]): { inKnn: { sql: string; params: unknown[] } | null; post: boolean } {
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
    if (filters.cwd) sessions.in('cwd', cwds);
    const keys = db.prepare(`SELECT key FROM sessions WHERE ${sessions.parts.join(' AND ')}`).pluck().all(...sessions.params) as number[];
    if (keys.length <= MAX_IN_FILTER) knn.in('session', (keys.length ? keys : [-1]).map((k) => BigInt(k)));
    else post = true;
  }
  return { inKnn: knn.parts.length ? { sql: knn.parts.join(' AND '), params: knn.params } : null, post };
}

function allowedIds(db: Database, ids: number[], conditions: string, params: unknown[]): Set<number> {
  const rows = db
    .prepare(`SELECT m.id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.id IN (SELECT value FROM json_each(?))${conditions}`)
    .pluck()
    .all(JSON.stringify(ids), ...params) as number[];
  return new Set(rows);
}
