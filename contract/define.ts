import type { z } from 'zod';

/**
 * A method is its input schema (checked at every boundary, since callers are untrusted) and its
 * output type (a phantom: the server is trusted, so outputs are typed but not re-validated).
 */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly summary: string;
  /** Never set at run time; carries the output type. */
  readonly output?: O;
}

/** An event is a name and a payload type; events only flow from the core to clients. */
export interface EventSpec<P = unknown> {
  readonly summary: string;
  /** Never set at run time; carries the payload type. */
  readonly payload?: P;
}

/** Declares a method: `method<Output>()(inputSchema, summary)`, so the output type is explicit. */
export function method<O>() {
  return <I extends z.ZodType>(input: I, summary: string): MethodSpec<I, O> => ({ input, summary });
}

/** Declares an event with its payload type. */
export function event<P>(summary: string): EventSpec<P> {
  return { summary };
}
