import { describe, expect, it } from 'vitest';
import { busiestSpan, fiveHourBlocks, type HourBucket } from './blocks';

const HOUR = 3_600_000;
const at = (iso: string) => Math.floor(Date.parse(iso) / HOUR);
const bucket = (iso: string, tokens: number, costUsd = tokens / 1000): HourBucket => ({ hour: at(iso), tokens, costUsd });

describe('5-hour blocks', () => {
  it('start at the first message’s hour, last five hours across midnight, and a message after that starts the next', () => {
    const blocks = fiveHourBlocks([
      bucket('2026-11-30T23:40:00Z', 100),
      bucket('2026-12-01T01:10:00Z', 50),
      // 03:59 is still the 23:00 block (it ends at 04:00).
      bucket('2026-12-01T03:59:00Z', 10),
      bucket('2026-12-01T04:05:00Z', 7),
      // A quiet day, then one message: a block of its own at 09:00 the next day.
      bucket('2026-12-02T09:30:00Z', 3),
    ]);
    expect(blocks.map((b) => [new Date(b.start).toISOString(), new Date(b.end).toISOString(), b.tokens])).toEqual([
      ['2026-11-30T23:00:00.000Z', '2026-12-01T04:00:00.000Z', 160],
      ['2026-12-01T04:00:00.000Z', '2026-12-01T09:00:00.000Z', 7],
      ['2026-12-02T09:00:00.000Z', '2026-12-02T14:00:00.000Z', 3],
    ]);
    expect(blocks[0]!.costUsd).toBeCloseTo(0.16, 10);
  });

  it('are found in any order of hours, and skip empty ones', () => {
    const blocks = fiveHourBlocks([bucket('2026-12-01T12:00:00Z', 5), bucket('2026-12-01T10:00:00Z', 0, 0), bucket('2026-12-01T11:00:00Z', 5)]);
    expect(blocks.map((b) => [new Date(b.start).toISOString(), b.tokens])).toEqual([['2026-12-01T11:00:00.000Z', 10]]);
  });

  it('finds the busiest stretch of hours', () => {
    const hours = [bucket('2026-12-01T00:00:00Z', 10), bucket('2026-12-03T00:00:00Z', 20), bucket('2026-12-09T00:00:00Z', 40), bucket('2026-12-20T00:00:00Z', 15)];
    expect(busiestSpan(hours, 7 * 24)).toBe(60);
    expect(busiestSpan(hours, 24)).toBe(40);
  });
});
