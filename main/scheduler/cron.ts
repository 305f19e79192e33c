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

/**
 * Whether a schedule fires more than once a minute. Set from outside the owner's window, such a job waits for
 * the owner as one that runs code does: a Claude job every second is 86,400 runs a day on the owner's plan.
 */
export function firesEverySecond(cron: string): boolean {
  if (cron.trim().split(/\s+/).length !== 6) return false;
  try {
    return new Set(parser.parseExpression(cron).fields.second).size > 1;
  } catch {
    return false;
  }
}

/** The next `count` fire times after `from`, by the rules the runner uses, DST included. */
export function nextRuns(cron: string, timeZone: string, from: Date, count: number): Date[] {
  validateSchedule(cron, timeZone);
  const interval = parser.parseExpression(cron, { tz: timeZone, currentDate: from });
  return Array.from({ length: count }, () => interval.next().toDate());
}

const DAY_MS = 86_400_000;
/** cron-parser's own month lengths (February 29): a day-of-month list this long counts as "*" for that month. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Around a change of a zone's offset, cron-parser's own walk decides (it shifts a skipped hour, fires a repeated one once). */
const DST_MARGIN_MS = 2 * 3_600_000;
/**
 * The most fire times cron-parser walks around one change (each costs it up to ~60 steps of a second): a
 * finer schedule is counted by the offsets on either side, which can differ from the walk by the hour moved.
 */
const DST_WALK_LIMIT = 50;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** How far `zone`'s wall clock is ahead of UTC at instant `t`, in ms. */
function offsetAt(zone: string, t: number): number {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    if (offsetFormats.size < 1000) offsetFormats.set(zone, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value])) as Record<string, string>;
  const whole = t - (((t % 1000) + 1000) % 1000);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - whole;
}

/** The instants in (after, until] where the zone's offset changes (found to the second). */
function offsetChanges(zone: string, after: number, until: number): number[] {
  const changes: number[] = [];
  let at = after;
  let offset = offsetAt(zone, at);
  while (at < until) {
    const next = Math.min(at + DAY_MS, until);
    const nextOffset = offsetAt(zone, next);
    if (nextOffset !== offset) {
      let lo = at;
      let hi = next;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offsetAt(zone, mid) === offset) lo = mid;
        else hi = mid;
      }
      changes.push(hi);
    }
    at = next;
    offset = nextOffset;
  }
  return changes;
}

interface Fields {
  second: number[];
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
}

/** Whether cron-parser fires on this local day (its rules: day of month OR day of week when both are restricted). */
function dayMatches(f: Fields, day: Date): boolean {
  const month = day.getUTCMonth();
  if (!f.month.includes(month + 1)) return false;
  const domMatch = f.dayOfMonth.includes(day.getUTCDate());
  const dowMatch = f.dayOfWeek.includes(day.getUTCDay());
  const domWild = f.dayOfMonth.length >= DAYS_IN_MONTH[month]!;
  const dowWild = f.dayOfWeek.length === 8;
  if (!domMatch && (!dowMatch || dowWild)) return false;
  if (!domWild && dowWild && !domMatch) return false;
  if (domWild && !dowWild && !dowMatch) return false;
  return true;
}

/** A part of the window and what fell in it: its count, and its latest times (at most the limit), oldest first. */
interface Piece {
  total: number;
  times: number[];
}

/**
 * Fire times in (lo, hi] while the zone's offset stays `offset`: the wall-clock times that match, by arithmetic
 * on days and fields, so a week of a per-second schedule costs a few ms instead of 604,800 steps of cron-parser.
 */
function fastPiece(f: Fields, offset: number, lo: number, hi: number, limit: number): Piece {
  const from = lo + offset;
  const to = hi + offset;
  const perDay = f.hour.length * f.minute.length * f.second.length;
  const times: number[] = [];
  let total = 0;
  for (let day = to - (((to % DAY_MS) + DAY_MS) % DAY_MS); day + DAY_MS > from; day -= DAY_MS) {
    if (!dayMatches(f, new Date(day))) continue;
    const whole = day > from && day + DAY_MS - 1000 <= to;
    if (whole && times.length >= limit) {
      total += perDay;
      continue;
    }
    // An hour or minute wholly inside the window is counted, wholly outside skipped; only its edges are enumerated.
    const inside = (start: number, length: number) => (start > from && start + length - 1000 <= to ? 1 : start + length - 1000 <= from || start > to ? -1 : 0);
    for (let h = f.hour.length - 1; h >= 0; h--) {
      const hour = day + f.hour[h]! * 3_600_000;
      const hourIn = inside(hour, 3_600_000);
      if (hourIn < 0) continue;
      if (hourIn > 0 && times.length >= limit) {
        total += f.minute.length * f.second.length;
        continue;
      }
      for (let m = f.minute.length - 1; m >= 0; m--) {
        const minute = hour + f.minute[m]! * 60_000;
        const minuteIn = inside(minute, 60_000);
        if (minuteIn < 0) continue;
        if (minuteIn > 0 && times.length >= limit) {
          total += f.second.length;
          continue;
        }
        for (let s = f.second.length - 1; s >= 0; s--) {
          const local = minute + f.second[s]! * 1000;
          if (local <= from || local > to) continue;
          total++;
          if (times.length < limit) times.push(local - offset);
        }
      }
    }
  }
  return { total, times: times.reverse() };
}

/** Fire times in (lo, hi] by cron-parser's own walk; null when more than `cap` fell (the caller does it by arithmetic). */
function walkedPiece(cron: string, timeZone: string, lo: number, hi: number, limit: number, cap: number): Piece | null {
  const interval = parser.parseExpression(cron, { tz: timeZone, currentDate: new Date(lo) });
  const times: number[] = [];
  for (;;) {
    let next: number;
    try {
      next = interval.next().getTime();
    } catch {
      break;
    }
    if (next > hi) break;
    times.push(next);
    if (times.length > cap) return null;
  }
  return { total: times.length, times: limit > 0 ? times.slice(-limit) : [] };
}

/**
 * Fire times in (after, until], at most `limit` (the latest ones when more fell), and how many fell in all.
 * Worked out by arithmetic on the expression's fields wherever the zone's offset is steady, and by
 * cron-parser's walk only in the hours around an offset change (where it shifts or repeats a local hour),
 * so the cost does not grow with the number of fire times: a week asleep with a per-second job is a few ms.
 * Expressions with L, # or a day-of-week "last" are walked by cron-parser, at most `limit` back from the end.
 */
export function runsBetween(cron: string, timeZone: string, after: Date, until: Date, limit: number): { times: Date[]; total: number } {
  const a = after.getTime();
  const b = until.getTime();
  if (b <= a) return { times: [], total: 0 };
  const interval = parser.parseExpression(cron, { tz: timeZone });
  const raw = interval.fields as unknown as Record<keyof Fields, (number | string)[]>;
  if ([...raw.dayOfMonth, ...raw.dayOfWeek].some((v) => typeof v !== 'number') || /#/.test(cron)) return walkedBack(cron, timeZone, a, b, limit);
  const sorted = (values: (number | string)[]) => [...new Set(values as number[])].sort((x, y) => x - y);
  const f: Fields = { second: sorted(raw.second), minute: sorted(raw.minute), hour: sorted(raw.hour), dayOfMonth: sorted(raw.dayOfMonth), month: sorted(raw.month), dayOfWeek: sorted(raw.dayOfWeek) };
  // The window cut where the offset changes; the hours around each change walked by cron-parser when few fire there.
  const pieces: { lo: number; hi: number; walk: boolean }[] = [];
  let start = a;
  for (const change of offsetChanges(timeZone, a, b)) {
    const lo = Math.max(start, change - DST_MARGIN_MS);
    const hi = Math.min(b, change + DST_MARGIN_MS);
    if (lo > start) pieces.push({ lo: start, hi: lo, walk: false });
    pieces.push({ lo, hi, walk: true });
    start = hi;
  }
  if (start < b) pieces.push({ lo: start, hi: b, walk: false });
  const times: number[] = [];
  let total = 0;
  for (const piece of pieces.reverse()) {
    const want = Math.max(limit - times.length, 0);
    let part = piece.walk ? splitPiece(f, timeZone, piece.lo, piece.hi, want) : fastPiece(f, offsetAt(timeZone, piece.hi), piece.lo, piece.hi, want);
    if (piece.walk && part.total <= DST_WALK_LIMIT) part = walkedPiece(cron, timeZone, piece.lo, piece.hi, want, DST_WALK_LIMIT * 2) ?? part;
    total += part.total;
    times.unshift(...part.times);
  }
  return { times: (limit > 0 ? times.slice(-limit) : []).map((t) => new Date(t)), total };
}

/** A piece around an offset change, too fine to walk: by arithmetic on either side of the change. */
function splitPiece(f: Fields, zone: string, lo: number, hi: number, limit: number): Piece {
  const change = offsetChanges(zone, lo, hi)[0] ?? hi;
  const later = change < hi ? fastPiece(f, offsetAt(zone, hi), change, hi, limit) : { total: 0, times: [] };
  const earlier = fastPiece(f, offsetAt(zone, lo), lo, Math.min(change, hi), Math.max(limit - later.times.length, 0));
  return { total: earlier.total + later.total, times: [...earlier.times, ...later.times] };
}

/**
 * For expressions the arithmetic does not cover (L, #; they fire at most daily): cron-parser's walk, at most
 * `limit` back from the end; what fell before those is estimated from their spacing.
 */
function walkedBack(cron: string, timeZone: string, a: number, b: number, limit: number): { times: Date[]; total: number } {
  const interval = parser.parseExpression(cron, { tz: timeZone, currentDate: new Date(b + 1) });
  const found: number[] = [];
  while (found.length <= limit) {
    let prev: number;
    try {
      prev = interval.prev().getTime();
    } catch {
      break;
    }
    if (prev <= a) return { times: found.reverse().map((t) => new Date(t)), total: found.length };
    found.push(prev);
  }
  const beyond = found.pop();
  const times = found.reverse().map((t) => new Date(t));
  if (beyond === undefined) return { times, total: times.length };
  // One more fell before the kept ones: the rest at the spacing between the latest and that one.
  const spacing = ((times.at(-1)?.getTime() ?? b) - beyond) / Math.max(times.length, 1);
  return { times, total: times.length + 1 + (spacing > 0 ? Math.floor((beyond - a - 1) / spacing) : 0) };
}
