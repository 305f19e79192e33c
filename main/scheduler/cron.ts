import parser from 'cron-parser';
import { AppError } from '../errors';

const knownZones = new Map<string, boolean>();

/** Whether the runtime knows this IANA time zone (remembered: building a formatter is slow). */
export function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 1000) knownZones.set(zone, known);
  }
  return known;
}

/**
 * Checks a cron expression (5 fields, or 6 with seconds) and a time zone, naming the field that is
 * wrong. The same library node-schedule fires with (cron-parser 4) does the parsing.
 */
export function validateSchedule(cron: string, timeZone: string): void {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw new AppError('invalid_input', `cron: "${cron}" has ${fields.length} fields; use 5 (minute hour day month weekday) or 6 (with seconds first)`);
  }
  if (!isTimeZone(timeZone)) throw new AppError('invalid_input', `timeZone: "${timeZone}" is not an IANA time zone (e.g. Europe/Berlin)`);
  try {
    parser.parseExpression(cron, { tz: timeZone });
  } catch (error) {
    throw new AppError('invalid_input', `cron: ${(error as Error).message}`);
  }
}

/** The next `count` fire times after `from`, by the rules the runner uses, DST included. */
export function nextRuns(cron: string, timeZone: string, from: Date, count: number): Date[] {
  validateSchedule(cron, timeZone);
  const interval = parser.parseExpression(cron, { tz: timeZone, currentDate: from });
  return Array.from({ length: count }, () => interval.next().toDate());
}

/** Fire times in (after, until], at most `limit` (the latest ones when more fell). */
export function runsBetween(cron: string, timeZone: string, after: Date, until: Date, limit: number): { times: Date[]; total: number } {
  const interval = parser.parseExpression(cron, { tz: timeZone, currentDate: after, endDate: until });
  const times: Date[] = [];
  let total = 0;
  while (interval.hasNext()) {
    const next = interval.next().toDate();
    if (next.getTime() > until.getTime()) break;
    total++;
    times.push(next);
    if (times.length > limit) times.shift();
  }
  return { times, total };
}
