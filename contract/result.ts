/**
 * Every call across a transport answers with a Result, never a thrown error, so a client
 * can always tell "the call failed, and why" from "the connection broke".
 */
export const errorCodes = [
  'invalid_input',
  'unknown_method',
  'unknown_event',
  'unauthorized',
  'not_found',
  'conflict',
  'capacity',
  'unavailable',
  'too_large',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Wraps a value as a successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failed Result with a code from the closed set. */
export function fail(code: ErrorCode, message: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message } };
}

/** True when a value from the wire is one of our error codes (the set is closed). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
