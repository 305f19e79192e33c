import { stem } from '../retrieval/embeddings';

/** Words that never change what a memory says. Everything else counts, "not" above all. */
const IGNORABLE = new Set(['a', 'an', 'the']);

/** Every word, lower-cased and without accents; only articles are dropped. */
function tokens(text: string): string[] {
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

/** The same word: equal, another form of it ("prefers", "preferred"), or a typo of a long word. Numbers must be equal. */
function plural(a: string, b: string): boolean {
  return b === `${a}s` || b === `${a}es`;
}

function sameWord(a: string, b: string): boolean {
  if (a === b || stem(a) === stem(b) || plural(a, b) || plural(b, a)) return true;
  if (/\d/.test(a) || /\d/.test(b)) return false;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 5) return false;
  return editDistance(a, b, shorter >= 9 ? 2 : 1) <= (shorter >= 9 ? 2 : 1);
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

/**
 * Whether two texts state the same fact, so that adding the second may replace the first. Vectors
 * only say two texts are about the same things ("Alice prefers tabs over spaces" and "Bob prefers
 * spaces over tabs" are close); a fact differs as soon as one word does. So the same words must
 * stand in the same order, differing only in case, punctuation, articles, word forms and typos.
 */
export function sameFact(a: string, b: string): boolean {
  const x = tokens(a);
  const y = tokens(b);
  if (!x.length || x.length !== y.length) return false;
  return x.every((word, i) => sameWord(word, y[i]!));
}
