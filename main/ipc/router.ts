import type { z } from 'zod';
import { fail, isMethodName, methods, ok, type MethodInput, type MethodName, type MethodOutput, type MethodParams, type PermissionPolicy, type Result, type Surface } from '../../contract';
import { AppError, toErrorInfo } from '../errors';
import { log } from '../log';

/**
 * Who is calling: the surface it came through and the actor on it (`desktop`, `browser:<address>`,
 * `api:<address>`, `telegram:<user id>`, `mcp:<client's name>@<its connection>`, `session:<id>`, `hook:<Claude session id>`,
 * `job:<id>`). Turns, approval answers, questions and memories record both.
 */
export interface CallContext {
  surface: Surface;
  actor: string;
  /** What the owner already allowed this caller: set by the router from what is stored, never taken from the caller (see `Allowances`). */
  readonly allowed?: Allowance;
}

/** What the owner allowed a caller that is not the owner: a scheduled job's permission mode, approved with the job. */
export interface Allowance {
  permissionPolicy: PermissionPolicy;
}

/**
 * Finds what the owner allowed a caller (a job's approved mode, from the job store), for the router to put on
 * its context. The root hands it in; whatever a caller put on `allowed` itself is dropped first.
 */
export type Allowances = (ctx: CallContext) => Allowance | null;

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
 * What a surface holds of the router (chats, MCP, the hooks): a call typed by method, so the caller
 * gets that method's output type. The input is still validated: callers are untrusted.
 */
export interface ContractCaller {
  call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<Result<MethodOutput<M>>>;
}

/**
 * The one "call or throw" of the surfaces: the method's value, or its contract error thrown as an
 * AppError (code and words kept), for code that works in steps and answers failures in one place.
 */
export async function callOrThrow<M extends MethodName>(router: ContractCaller, method: M, input: MethodInput<M>, ctx: CallContext): Promise<MethodOutput<M>> {
  const result = await router.call(method, input, ctx);
  if (!result.ok) throw new AppError(result.error.code, result.error.message);
  return result.value;
}

/** `callOrThrow` with the caller fixed: what a tool or a chat command gets to call the contract as its caller. */
export function boundCall(router: ContractCaller, ctx: CallContext): <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>> {
  return (method, input) => callOrThrow(router, method, input, ctx);
}

/**
 * The one entry point for every transport: checks the method exists, validates the input
 * against the contract, runs the handler, and turns whatever happens into a Result.
 */
export class Router implements ContractCaller {
  constructor(
    private readonly handlers: Handlers,
    private readonly allowances?: Allowances,
  ) {}

  /** A method by name, typed; an untyped name and input (from the wire) take the second form. */
  call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<Result<MethodOutput<M>>>;
  call(method: unknown, input: unknown, ctx: CallContext): Promise<Result<unknown>>;
  async call(method: unknown, input: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!isMethodName(method)) return fail('unknown_method', `unknown method "${String(method).slice(0, 200)}"`);
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) return fail('invalid_input', formatZodError(parsed.error));
    try {
      const handler = this.handlers[method] as (params: unknown, ctx: CallContext) => unknown;
      return ok(await handler(parsed.data, this.context(ctx)));
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code !== 'internal') return { ok: false, error: info };
      // The details go to the log under an id; the caller gets the id, not our internals.
      const id = log.error(`${method} failed`, error);
      return fail('internal', `Switchboard could not do this (error ${id}); the log has the details.`);
    }
  }

  /** The caller's surface and actor, with what the owner allowed them looked up here: an `allowed` the caller brought is not kept. */
  private context(ctx: CallContext): CallContext {
    const plain: CallContext = { surface: ctx.surface, actor: ctx.actor };
    const allowed = this.allowances?.(plain);
    return allowed ? { ...plain, allowed } : plain;
  }
}
