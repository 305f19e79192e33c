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

const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** "minute: 61 is outside 0-59": which field of the expression is wrong, and how. Null when none is. */
function fieldProblem(fields: string[]): string | null {
  const specs = fields.length === 6 ? FIELDS : FIELDS.slice(1);
  for (const [i, field] of fields.entries()) {
    const spec = specs[i]!;
    for (const part of field.split(',')) {
      const [range, step, extra] = part.split('/');
      if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step))) return `${spec.name}: "${part}" has a step that is not a number`;
      if (step !== undefined && Number(step) === 0) return `${spec.name}: a step of 0 never moves on`;
      if (range === '*' || range === '?' || (spec.name.startsWith('day') && /^(L|\d+W|\d+#\d)$/i.test(range ?? ''))) continue;
      const ends = (range ?? '').split('-');
      if (ends.length > 2 || ends.some((e) => e === '')) return `${spec.name}: "${part}" is not a number, a range or a step`;
      for (const end of ends) {
        if (spec.names?.includes(end.toLowerCase())) continue;
        if (!/^\d+$/.test(end)) return `${spec.name}: "${end}" is not a number${spec.names ? ` or a name (${spec.names.slice(0, 3).join(', ')}…)` : ''}`;
        if (Number(end) < spec.min || Number(end) > spec.max) return `${spec.name}: ${end} is outside ${spec.min}-${spec.max}`;
      }
    }
  }
  return null;
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
  const problem = fieldProblem(fields);
  if (problem) throw new AppError('invalid_input', `cron: ${problem}`);
  if (!isTimeZone(timeZone)) throw new AppError('invalid_input', `timeZone: "${timeZone}" is not a time zone; use a name such as Europe/Berlin or America/New_York`);
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
