const HOUR = 3_600_000;
const BLOCK_HOURS = 5;

/** Tokens and cost of one clock hour (`hour` counts hours since 1970, UTC). */
export interface HourBucket {
  hour: number;
  tokens: number;
  costUsd: number;
}

export interface Block {
  /** ms: the hour of the block's first activity. */
  start: number;
  /** ms: five hours later, when the window resets. */
  end: number;
  tokens: number;
  costUsd: number;
}

/**
 * Claude's 5-hour windows, as the established usage tools count them: a block starts at its first
 * message rounded down to the hour and lasts five hours; the first message after that starts the
 * next. Counted from hourly sums, which is exact: a block's bounds are whole hours.
 */
export function fiveHourBlocks(hours: readonly HourBucket[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const h of [...hours].sort((a, b) => a.hour - b.hour)) {
    if (h.tokens <= 0 && h.costUsd <= 0) continue;
    if (!current || h.hour * HOUR >= current.end) {
      current = { start: h.hour * HOUR, end: (h.hour + BLOCK_HOURS) * HOUR, tokens: 0, costUsd: 0 };
      blocks.push(current);
    }
    current.tokens += h.tokens;
    current.costUsd += h.costUsd;
  }
  return blocks;
}

/** The largest sum of tokens over any `spanHours` in a row: the busiest week seen, say. */
export function busiestSpan(hours: readonly HourBucket[], spanHours: number): number {
  const sorted = [...hours].sort((a, b) => a.hour - b.hour);
  let best = 0;
  let sum = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    sum += sorted[i]!.tokens;
    while (sorted[i]!.hour - sorted[j]!.hour >= spanHours) sum -= sorted[j++]!.tokens;
    best = Math.max(best, sum);
  }
  return best;
}
