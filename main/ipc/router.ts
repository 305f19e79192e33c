import type { z } from 'zod';
import { fail, isMethodName, methods, ok, type MethodName, type MethodOutput, type MethodParams, type Result, type Surface } from '../../contract';
import { toErrorInfo } from '../errors';
import { log } from '../log';

/**
 * Who is calling: the surface it came through and the actor on it (`desktop`, `browser:<address>`,
 * `api:<address>`, `job:<id>`, and next `telegram:<user id>`, `mcp:<client>`, `hook:<session>`).
 * Turns, approval answers and memories record both.
 */
export interface CallContext {
  surface: Surface;
  actor: string;
}

/** The app's own window: the one caller every desktop call has. */
export const desktopCaller: CallContext = { surface: 'desktop', actor: 'desktop' };

/** One handler per contract method; the compiler flags a missing or mistyped one. */
export type Handlers = {
  [M in MethodName]: (params: MethodParams<M>, ctx: CallContext) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

/** The handlers of one service's methods (`HandlersOf<'sessions'>`): each service folder exports its table. */
export type HandlersOf<Service extends string> = { [M in keyof Handlers as M extends `${Service}.${string}` ? M : never]: Handlers[M] };

/** "field.path: what is wrong" for each issue, so the caller knows which field to fix. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}

/**
 * The one entry point for every transport: checks the method exists, validates the input
 * against the contract, runs the handler, and turns whatever happens into a Result.
 */
export class Router {
  constructor(private readonly handlers: Handlers) {}

  async call(method: unknown, input: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!isMethodName(method)) return fail('unknown_method', `unknown method "${String(method).slice(0, 200)}"`);
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) return fail('invalid_input', formatZodError(parsed.error));
    try {
      const handler = this.handlers[method] as (params: unknown, ctx: CallContext) => unknown;
      return ok(await handler(parsed.data, ctx));
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code !== 'internal') return { ok: false, error: info };
      // The details go to the log under an id; the caller gets the id, not our internals.
      const id = log.error(`${method} failed`, error);
      return fail('internal', `Switchboard could not do this (error ${id}); the log has the details.`);
    }
  }
}
