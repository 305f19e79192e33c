import type * as z from 'zod';
import { methods, type MethodName } from '../../contract';

/** The fields of a contract method's input object. */
type Shape<M extends MethodName> = (typeof methods)[M]['input'] extends z.ZodObject<infer S, z.core.$ZodObjectConfig> ? S : never;

/**
 * One field of a contract method's input, exactly as the contract validates it: a tool names the field
 * instead of typing its limits again (and may add a description for a model, or its own default).
 */
export function field<M extends MethodName, K extends keyof Shape<M> & string>(method: M, key: K): Shape<M>[K] {
  const shape = (methods[method].input as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
  const found = shape[key];
  if (!found) throw new Error(`${method} has no input field ${key}`);
  return found as unknown as Shape<M>[K];
}
