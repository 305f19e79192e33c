import { stem } from './embeddings';

/** Words that never change what a text says. Everything else counts, "not" above all. */
const IGNORABLE = new Set(['a', 'an', 'the']);

/** Every word, lower-cased and without accents; only articles are dropped. */
export function tokens(text: string): string[] {
  const found = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return found.filter((w) => !IGNORABLE.has(w));
}

/** Edit distance with adjacent swaps ("teh" → "the"), stopping early once past `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Whether some word of the query is in the text: the same word, another form of it, or a typo of
 * it (one edit in a short word, two in a long one). The built-in embedder knows only spelling, so
 * a hit it finds without any such word is hash noise ("qwertyuiop" scored like "databse").
 */
export function sharesAWord(query: string, text: string): boolean {
  const wanted = tokens(query).filter((w) => w.length >= 3);
  if (!wanted.length) return false;
  const have = new Set(tokens(text));
  for (const w of wanted) {
    const limit = w.length >= 7 ? 2 : w.length >= 4 ? 1 : 0;
    for (const h of have) {
      if (h === w || stem(h) === stem(w) || h.startsWith(w) || (limit && editDistance(w, h, limit) <= limit)) return true;
    }
  }
  return false;
}
