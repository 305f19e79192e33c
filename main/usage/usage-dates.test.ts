import { beforeEach, describe, expect, it } from 'vitest';
import type { UsageSummary } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { startTestCore } from '../testing/temp-core';

describe('dates and ranges at the contract', () => {
  let core: Core;

  beforeEach(async () => {
    ({ core } = await startTestCore());
  });

  const call = (method: string, input: unknown) => core.router.call(method, input, desktopCaller);

  it('refuses days that do not exist and ranges longer than the screen shows, in words', async () => {
    const refused: [string, unknown, RegExp][] = [
      ['usage.summary', { from: '2025-02-30', to: '2025-03-01' }, /^from: must be a real day/],
      ['usage.summary', { from: '2025-13-01', to: '2025-12-01' }, /^from: must be a real day/],
      ['usage.summary', { to: '+10000-01-01' }, /^to: a day is written YYYY-MM-DD/],
      ['usage.summary', { from: '0000-01-01', to: '0000-02-01' }, /^from: must be a real day between 1970-01-01 and 9999-12-31/],
      ['usage.summary', { from: '2000-01-01', to: '2025-01-01' }, /^from: the range is 9133 days; at most 400 days are shown at once/],
      ['usage.summary', { from: '2025-03-01', to: '2025-02-01' }, /^from: the first day comes after the last/],
      ['usage.summary', { days: 3660 }, /^days: must be at most 400/],
      ['usage.summary', { from: '1971-01-01' }, /^from: the range is \d+ days; at most 400/],
      ['usage.sessions', { day: '2025-02-29' }, /^day: must be a real day/],
      ['usage.turns', { sessionId: 'x', day: '2024-04-31' }, /^day: must be a real day/],
      ['history.search', { query: 'x', filters: { from: 9e15 } }, /^filters\.from: must be a time before the year 10000/],
      ['history.search', { query: 'x', filters: { from: -5 } }, /^filters\.from: must be a time after 1970/],
      ['history.search', { query: 'x', filters: { from: 2000, to: 1000 } }, /^filters\.from: the start comes after the end/],
      ['memory.import', { data: { memories: [{ id: 1, text: 't', category: 'c', tags: [], source: {}, createdAt: 9e15, updatedAt: 0 }] } }, /createdAt: must be a time before the year 10000/],
    ];
    for (const [method, input, message] of refused) {
      const result = await call(method, input);
      expect(result.ok, `${method} ${JSON.stringify(input)}`).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message, `${method} ${JSON.stringify(input)}`).toMatch(message);
    }
    // What the screen asks still works: a leap day, a year.
    expect((await call('usage.sessions', { day: '2024-02-29' })).ok).toBe(true);
    const year = await call('usage.summary', { days: 365 });
    expect(year.ok && (year.value as UsageSummary).days).toHaveLength(365);
  });

  it('answers a range at the end of 9999 at once, with the days it names (it once held the event loop 74 s)', async () => {
    const started = performance.now();
    const result = await call('usage.summary', { to: '9999-12-31' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.ok).toBe(true);
    const summary = (result as { value: UsageSummary }).value;
    expect(summary.days).toHaveLength(30);
    expect(summary.days.at(-1)!.day).toBe('9999-12-31');
    expect((await call('usage.summary', { from: '9999-12-01', to: '9999-12-31' })).ok).toBe(true);
    // Called inside the core, past the contract, it stays bounded too.
    expect(() => core.usage.summary({ days: 30, from: '1970-01-01', to: '9999-12-31' })).toThrow(/at most 400 days/);
    expect(() => core.usage.summary({ days: 30, to: '99999-12-31' })).toThrow(/YYYY-MM-DD/);
  });
});
