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
