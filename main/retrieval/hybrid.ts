import { MARK_END, MARK_START } from '../../contract';
import { stem, words } from './embeddings';

/** Reciprocal rank fusion's constant: dampens the weight of the very top ranks. */
const RRF_K = 60;
/**
 * The vector hits worth fusing: near enough to the best one (half its similarity) and not plain
 * noise. A fixed cutoff cannot serve both a typo (best similarity 0.2) and a clear match (0.7).
 */
export function meaningful(hits: { id: number; distance: number }[]): number[] {
  const best = Math.max(0, ...hits.map((h) => 1 - h.distance));
  const floor = Math.max(0.08, best * 0.5);
  return hits.filter((h) => 1 - h.distance >= floor).map((h) => h.id);
}

/**
 * A user's words as FTS5 queries that cannot be a syntax error: each word quoted, the last one a
 * prefix for typing. `all` needs every word (few rows to rank, the best ones); `any` needs one.
 */
export function ftsQueries(text: string): { all: string; any: string } | null {
  const terms = (text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 32);
  if (!terms.length) return null;
  const quoted = terms.map((t, i) => `"${t}"${i === terms.length - 1 && t.length >= 2 ? '*' : ''}`);
  return { all: quoted.join(' '), any: quoted.join(' OR ') };
}

/**
 * Rows matching all the words first; only when those are too few, rows matching any. Ranking
 * every row that has one common word is what makes a plain OR query slow on a big history.
 */
export function ftsRanked<T extends { id: number }>(queries: { all: string; any: string }, run: (match: string) => T[], wanted: number): T[] {
  const all = run(queries.all);
  if (all.length >= wanted / 2 || queries.all === queries.any) return all;
  const seen = new Set(all.map((r) => r.id));
  return [...all, ...run(queries.any).filter((r) => !seen.has(r.id))].slice(0, wanted);
}

/** Any of the words, as one query (near-duplicate lookup wants the widest net). */
export function ftsQuery(text: string): string | null {
  return ftsQueries(text)?.any ?? null;
}

export interface Fused {
  id: number;
  score: number;
  via: ('words' | 'meaning')[];
}

/** Combines ranked id lists: each list adds 1/(60 + rank) for every id it holds. */
export function fuse(wordsIds: number[], meaningIds: number[]): Fused[] {
  const all = new Map<number, Fused>();
  const add = (ids: number[], via: 'words' | 'meaning') =>
    ids.forEach((id, rank) => {
      const entry = all.get(id) ?? { id, score: 0, via: [] };
      entry.score += 1 / (RRF_K + rank + 1);
      entry.via.push(via);
      all.set(id, entry);
    });
  add(wordsIds, 'words');
  add(meaningIds, 'meaning');
  return [...all.values()].sort((a, b) => b.score - a.score);
}

/** A snippet for a hit found by meaning alone: the start of the text, query words marked. */
export function plainSnippet(text: string, query: string, length = 200): string {
  const terms = new Set(words(query));
  const cut = text.length > length ? `${text.slice(0, length)}…` : text;
  return cut.replace(/[\p{L}\p{N}_]+/gu, (w) => (terms.has(w.toLowerCase()) ? `${MARK_START}${w}${MARK_END}` : w));
}

/** The fold FTS5's unicode61 tokenizer applies: lower case, accents removed. */
const fold = (word: string) => word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * A snippet for a word hit, made from its text: the `tokens`-word stretch holding the most query words,
 * those words marked, "…" where it was cut. What FTS5's snippet() gives, without a second MATCH over
 * the search window for it (that cost as much as the ranking). Words match as the index matches them
 * (folded, a stem of the query's, the last one also as a prefix being typed).
 */
export function wordSnippet(text: string, query: string, tokens = 16): string {
  const terms = (fold(query).match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 32);
  if (!terms.length) return plainSnippet(text, query);
  const stems = new Set(terms.map(stem));
  const prefix = terms.at(-1)!;
  const found = [...text.matchAll(/[\p{L}\p{N}_]+/gu)];
  const hit = found.map((m) => {
    const word = fold(m[0]);
    return stems.has(stem(word)) || (prefix.length >= 2 && word.startsWith(prefix));
  });
  // The window with the most hits (the first such).
  let best = 0;
  let bestCount = -1;
  let count = 0;
  for (let i = 0; i < found.length; i++) {
    count += hit[i] ? 1 : 0;
    if (i >= tokens) count -= hit[i - tokens] ? 1 : 0;
    const start = Math.max(0, i - tokens + 1);
    if (count > bestCount) [best, bestCount] = [start, count];
  }
  if (!found.length) return plainSnippet(text, query);
  // Two words of context before the first hit rather than the window's full width.
  const firstHit = hit.indexOf(true, best);
  if (firstHit >= 0) best = Math.max(best, firstHit - 2);
  const last = Math.min(found.length, best + tokens) - 1;
  let out = best > 0 ? '…' : '';
  let at = best > 0 ? found[best]!.index : 0;
  for (let i = best; i <= last; i++) {
    const m = found[i]!;
    out += text.slice(at, m.index) + (hit[i] ? `${MARK_START}${m[0]}${MARK_END}` : m[0]);
    at = m.index + m[0].length;
  }
  return last < found.length - 1 ? `${out}…` : out + text.slice(at);
}
