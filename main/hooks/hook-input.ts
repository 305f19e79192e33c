import * as z from 'zod';
import { formatZodError } from '../ipc/router';

/** A text field of a hook's input; null (as a CLI may send it) reads as absent. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? undefined);

/**
 * What every hook's JSON carries (the CLI's own field names), checked before anything reads it: a
 * field of the wrong type is the caller's mistake, answered 400 in words, never a 500. Fields this
 * list does not name pass through untouched (a newer CLI adds some).
 */
export const hookInputSchema = z.looseObject({
  session_id: text(200),
  transcript_path: text(4096),
  cwd: text(4096),
  hook_event_name: text(100),
  permission_mode: text(100),
  tool_name: text(300),
  tool_input: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => v ?? undefined),
  tool_use_id: text(300),
  message: text(100_000),
  /** Measured in 2.1.329's binary: permission_prompt, idle_prompt, agent_needs_input, agent_completed, auth_success, elicitation_*… */
  notification_type: text(100),
  last_assistant_message: text(1_000_000),
  stop_hook_active: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
  permission_suggestions: z
    .array(z.unknown())
    .nullish()
    .transform((v) => v ?? undefined),
});

export type HookInput = z.output<typeof hookInputSchema>;

/** A hook body (already read as text) as its input, or the words that say what is wrong with it. */
export function parseHookInput(body: string): { ok: true; input: HookInput } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'the hook body is not JSON' };
  }
  const parsed = hookInputSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `the hook's input is not what Claude Code sends: ${formatZodError(parsed.error)}` };
  return { ok: true, input: parsed.data };
}
