import * as z from 'zod';

/** NUL cannot cross into a path, an argument or an environment: the OS cuts there, and every run would fail. */
export function withoutNul<S extends z.ZodString>(schema: S): S {
  return schema.refine((text) => !text.includes('\0'), 'must not contain a NUL character') as unknown as S;
}

/** A folder as a person types it: absolute, or from the home folder (`~/code`). Relative paths would depend on where Switchboard started. */
export const folderPath = withoutNul(
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(4096)
    .regex(/^(\/|~(\/|$)|[A-Za-z]:[\\/]|\\\\)/, 'must be a full path, such as /home/you/project or ~/project'),
);

/**
 * The input of an update method from its create schema: every field optional and no defaults, so a
 * field the caller did not give stays as it was instead of falling back to its create-time default.
 * Nested objects become patches too (`delivery: {desktop: false}` leaves the chat targets alone).
 */
export function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>): z.ZodObject<{ [K in keyof Shape]: z.ZodOptional<z.ZodType<PatchValue<z.output<Shape[K]>>, PatchValue<z.input<Shape[K]>>>> }> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape as unknown as Record<string, z.ZodType>)) shape[key] = patchField(field).optional();
  return z.object(shape).strict() as never;
}

/** A nested object in a patch is itself partial. */
export type PatchValue<T> = T extends readonly unknown[] ? T : string extends keyof T ? T : T extends Record<string, unknown> ? { [K in keyof T]?: T[K] } : T;

function patchField(field: z.ZodType): z.ZodType {
  let inner = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodObject) return patchOf(inner as z.ZodObject<z.ZodRawShape>);
  return inner;
}

/** The last moment a date input may name (9999-12-31, end of day, UTC): past it, years stop being four digits and sort wrong as text. */
export const LAST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Whether `YYYY-MM-DD` names a day that exists (no 2025-02-30), from 1970 to 9999. */
export function isCalendarDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1970 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Whole days from one calendar day to another (negative when `to` comes first). */
export function daysBetween(from: string, to: string): number {
  const utc = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** A calendar day as a person writes it: `YYYY-MM-DD`, a day that exists, from 1970 to 9999. */
export const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is written YYYY-MM-DD')
  .refine(isCalendarDay, 'must be a real day between 1970-01-01 and 9999-12-31');

/** A moment as milliseconds since 1970 (what Date.now() gives), up to the end of 9999. */
export const timestampMs = z.number().int().min(0, 'must be a time after 1970').max(LAST_TIME_MS, 'must be a time before the year 10000');

/**
 * An email address. A pattern rather than zod's email format: the MCP tools' JSON Schemas must compile in
 * any client's validator, and a `format: "email"` is unknown to a strict one.
 */
export const emailAddress = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/, 'must be an email address such as you@example.com');
