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
