import parser from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { nextRuns, runsBetween, validateSchedule } from './cron';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('cron with time zones', () => {
  it('runs a daily 02:30 New York job once on the spring-forward day, an hour later, and once on the repeat day', () => {
    // 2026-03-08 has no 02:30 (EST→EDT at 02:00): it runs at 03:30 EDT, then at 02:30 EDT as usual.
    expect(iso(nextRuns('30 2 * * *', 'America/New_York', new Date('2026-03-06T12:00:00Z'), 4))).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    // 2026-11-01 has 01:30 twice (EDT, then EST): one run, at the first.
    expect(iso(nextRuns('30 1 * * *', 'America/New_York', new Date('2026-10-31T12:00:00Z'), 3))).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('fires a 09:00 Berlin job at 08:00 UTC in winter and 07:00 UTC in summer', () => {
    const runs = nextRuns('0 9 * * *', 'Europe/Berlin', new Date('2026-03-27T12:00:00Z'), 3);
    // 2026-03-29: CET→CEST.
    expect(iso(runs)).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('runs an hourly job once, not twice, through the autumn repeat hour in Berlin', () => {
    const runs = runsBetween('0 * * * *', 'Europe/Berlin', new Date('2026-10-25T00:00:00Z'), new Date('2026-10-25T03:30:00Z'), 100);
    // 01:00-03:30 UTC: local 02:00 CEST, 02:00 CET, 03:00, 04:00, 05:00 … each UTC hour once.
    expect(iso(runs.times)).toEqual(['2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z']);
    expect(new Set(iso(runs.times)).size).toBe(runs.times.length);
  });

  it('counts what fell in a window and keeps the latest ones', () => {
    const { times, total } = runsBetween('*/10 * * * *', 'UTC', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T02:00:00Z'), 3);
    expect(total).toBe(12);
    expect(iso(times)).toEqual(['2026-01-01T01:40:00.000Z', '2026-01-01T01:50:00.000Z', '2026-01-01T02:00:00.000Z']);
  });

  it('names what is wrong in a bad expression or zone', () => {
    expect(() => validateSchedule('61 * * * *', 'UTC')).toThrow('cron: minute: 61 is outside 0-59');
    expect(() => validateSchedule('0 25 * * *', 'UTC')).toThrow('cron: hour: 25 is outside 0-23');
    expect(() => validateSchedule('0 0 9 * * 8', 'UTC')).toThrow('cron: day of week: 8 is outside 0-7');
    expect(() => validateSchedule('*/0 * * * *', 'UTC')).toThrow('cron: minute: a step of 0 never moves on');
    expect(() => validateSchedule('0 9 * foo *', 'UTC')).toThrow(/cron: month: "foo" is not a number or a name/);
    expect(() => validateSchedule('0 9 * jan-mar mon-fri', 'UTC')).not.toThrow();
    expect(() => validateSchedule('0 9 L * *', 'UTC')).not.toThrow();
    expect(() => validateSchedule('* * *', 'UTC')).toThrow(/cron: "\* \* \*" has 3 fields/);
    expect(() => validateSchedule('0 9 * * *', 'Mars/Olympus')).toThrow(/timeZone: "Mars\/Olympus" is not a time zone; use a name such as Europe\/Berlin/);
    expect(() => validateSchedule('0 9 * * 1-5', 'Asia/Tokyo')).not.toThrow();
  });

  it('finds what fell as cron-parser’s own walk does, DST changes included, without walking every fire time', () => {
    /** The walk runsBetween replaced: every fire time, one by one (86,400 a day for a per-second job). */
    const walked = (cron: string, zone: string, after: Date, until: Date, limit: number) => {
      const interval = parser.parseExpression(cron, { tz: zone, currentDate: after });
      const times: Date[] = [];
      for (;;) {
        const next = interval.next().toDate();
        if (next.getTime() > until.getTime()) break;
        times.push(next);
      }
      return { times: times.slice(-limit), total: times.length };
    };
    const crons = ['0 * * * *', '30 2 * * *', '30 1 * * *', '0 9 * * 1-5', '15 */3 1,15 * 5', '7 30 1 * * *', '*/20 * * * *'];
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    // US spring forward, EU autumn back, Lord Howe's 30-minute move, and a quiet day; odd milliseconds at the ends.
    const windows = [
      ['2026-03-07T20:17:03.250Z', '2026-03-09T01:00:00Z'],
      ['2026-10-24T23:59:59Z', '2026-10-25T12:00:01.500Z'],
      ['2026-10-03T12:00:00Z', '2026-10-04T12:00:00Z'],
    ] as const;
    for (const cron of crons) {
      for (const zone of zones) {
        for (const [from, to] of windows) {
          const expected = walked(cron, zone, new Date(from), new Date(to), 4);
          const got = runsBetween(cron, zone, new Date(from), new Date(to), 4);
          expect({ total: got.total, times: iso(got.times) }, `${cron} ${zone} ${from}`).toEqual({ total: expected.total, times: iso(expected.times) });
        }
      }
    }
  }, 120_000);

  it('a week of a per-second schedule: every fire time counted and the latest kept, in milliseconds', () => {
    const until = new Date('2026-03-10T12:00:00Z');
    const after = new Date(until.getTime() - 7 * 86_400_000);
    const started = performance.now();
    for (const zone of ['UTC', 'America/New_York', 'Europe/Berlin']) {
      const { times, total } = runsBetween('* * * * * *', zone, after, until, 5);
      // New York changed its clock in this week: 604,800 seconds, whatever the wall clock says.
      expect(total, zone).toBe(604_800);
      expect(iso(times)).toEqual(['2026-03-10T11:59:56.000Z', '2026-03-10T11:59:57.000Z', '2026-03-10T11:59:58.000Z', '2026-03-10T11:59:59.000Z', '2026-03-10T12:00:00.000Z']);
    }
    // Walking them took ~10 s a schedule; the budget is generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('walks back only as far as it needs for a last-day or nth-weekday schedule, and estimates the rest', () => {
    const { times, total } = runsBetween('0 9 L * *', 'UTC', new Date('2025-12-31T12:00:00Z'), new Date('2026-12-31T12:00:00Z'), 3);
    expect(iso(times)).toEqual(['2026-10-31T09:00:00.000Z', '2026-11-30T09:00:00.000Z', '2026-12-31T09:00:00.000Z']);
    expect(total).toBeGreaterThanOrEqual(11);
    expect(total).toBeLessThanOrEqual(13);
    const few = runsBetween('0 9 * * 1#2', 'Europe/Berlin', new Date('2026-01-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'), 5);
    expect(few).toEqual({ times: [new Date('2026-01-12T08:00:00Z'), new Date('2026-02-09T08:00:00Z')], total: 2 });
  });
});
