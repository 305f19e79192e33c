import { stem } from '../retrieval/embeddings';
import { editDistance, tokens } from '../retrieval/relevance';

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
