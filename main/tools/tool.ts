import * as z from 'zod';
import type { MethodInput, MethodName, MethodOutput } from '../../contract';

/** A contract call as the tool's caller (an MCP client, a session): validated by the router, in the caller's name. */
export type ContractCall = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>;

/** What a tool is to a model: hints about what calling it does. */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

/**
 * One entry of the tool registry: a contract method (or a few), with a name and a description written
 * for a model, the input it fills in, the structured output it gets back, and hints. The MCP server
 * builds its tools from this table; chat commands act on the same methods.
 */
export interface Tool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** The contract method behind it (the main one, when it takes a few). */
  method: MethodName;
  description: string;
  input: I;
  output: O;
  hints: ToolHints;
  run(call: ContractCall, input: z.output<I>): Promise<z.input<O>>;
}

/** Declares a tool. Unknown arguments are refused, not ignored: a misspelt field must not silently fall back to a default. */
export function tool<I extends z.ZodObject, O extends z.ZodObject>(spec: Tool<I, O>): Tool {
  return { ...spec, input: spec.input.strict() } as unknown as Tool;
}

/** An id as the contract takes it. */
export const id = z.string().min(1).max(100);
/** A list's size, with its default and ceiling said to the model. */
export const limit = (fallback: number, max: number) => z.number().int().min(1).max(max).default(fallback).describe(`How many at most (default ${fallback}, up to ${max}).`);
/** Lists are cut small for a model's context; a cut list says how to narrow it. */
export const more = z.string().nullable().describe('When the list was cut: how to see the rest or narrow it.');
/** What a cut list says about the rest. */
export const cut = (shown: number, total: number, how: string) => (shown < total ? `${total - shown} more not shown: ${how}.` : null);
/** A long text cut for a model's context, saying how much was left out. */
export const clip = (text: string | null, max: number) => (text && text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text);

/** A session as a tool returns it. */
export const sessionOut = z.object({ id: z.string(), title: z.string(), surface: z.string(), status: z.string(), cwd: z.string(), model: z.string().nullable(), costUsd: z.number(), updatedAt: z.number() });
/** A finished (or still running) turn as a tool returns it. */
export const turnOut = z.object({ sessionId: z.string(), turnId: z.string(), status: z.string(), text: z.string().nullable(), error: z.string().nullable(), costUsd: z.number().nullable(), denials: z.array(z.string()), timedOut: z.boolean() });
/** A memory as a tool returns it. */
export const memoryOut = z.object({ id: z.number(), text: z.string(), category: z.string(), tags: z.array(z.string()), updatedAt: z.number() });
/** A job as a tool returns it. */
export const jobOut = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  cron: z.string(),
  timeZone: z.string(),
  enabled: z.boolean(),
  /** A job that runs code, made or changed from here, waits for the owner: it does not run until they allow it. */
  waitingForApproval: z.boolean(),
  nextRun: z.number().nullable(),
  recent: z.array(z.string()),
});
/** A job's run as a tool returns it. */
export const runOut = z.object({ id: z.string(), status: z.string(), trigger: z.string(), startedAt: z.number().nullable(), endedAt: z.number().nullable(), result: z.string().nullable(), costUsd: z.number().nullable() });

/** The contract's session in the tool's shape. */
export const toSession = (s: MethodOutput<'sessions.create'>) => ({ id: s.id, title: s.title, surface: s.surface, status: s.status, cwd: s.cwd, model: s.model, costUsd: s.costUsd, updatedAt: s.updatedAt });
/** The contract's memory in the tool's shape. */
export const toMemory = (m: MethodOutput<'memory.update'>) => ({ id: m.id, text: m.text, category: m.category, tags: m.tags, updatedAt: m.updatedAt });
/** The contract's job in the tool's shape. */
export const toJob = (j: MethodOutput<'schedules.list'>[number]) => ({
  id: j.id,
  name: j.name,
  kind: j.kind,
  cron: j.cron,
  timeZone: j.timeZone,
  enabled: j.enabled,
  waitingForApproval: j.approval !== null,
  nextRun: j.nextRun,
  recent: j.recent,
});
/** The contract's run in the tool's shape. */
export const toRun = (r: MethodOutput<'schedules.runNow'>) => ({ id: r.id, status: r.status, trigger: r.trigger, startedAt: r.startedAt, endedAt: r.endedAt, result: clip(r.resultText ?? r.stdoutTail ?? r.reason, 4000), costUsd: r.costUsd });
/** The contract's turn in the tool's shape. */
export const toTurn = (sessionId: string, t: MethodOutput<'sessions.turn'>, text: string | null, timedOut: boolean) => ({
  sessionId,
  turnId: t.id,
  status: t.status,
  text: clip(text, 20_000),
  error: t.error,
  costUsd: t.costUsd,
  denials: t.denials,
  timedOut,
});

