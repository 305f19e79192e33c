/** US dollars per million tokens: input, output, cache write (5-minute), cache read. */
export interface Price {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/**
 * Anthropic's list prices by model family, the one place they are kept: the first pattern that
 * matches a model id wins, so newer, cheaper generations come before their family's older price.
 */
const PRICES: [RegExp, Price][] = [
  [/opus-4-[5-9]|opus-[5-9]/, { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 }],
  [/opus/, { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  [/sonnet/, { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  [/haiku-4|haiku-[5-9]/, { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 }],
  [/3-5-haiku|haiku-3-5/, { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 }],
  [/haiku/, { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 }],
];

export function priceOf(model: string): Price | null {
  return PRICES.find(([pattern]) => pattern.test(model))?.[1] ?? null;
}

export interface Tokens {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** What an answer cost by the table; null for a model the table does not know. */
export function costOf(model: string, t: Tokens): number | null {
  const p = priceOf(model);
  if (!p) return null;
  return (t.input * p.input + t.output * p.output + t.cacheWrite * p.cacheWrite + t.cacheRead * p.cacheRead) / 1_000_000;
}
