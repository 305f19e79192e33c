import type { ErrorCode, ErrorInfo } from '../contract';

/** An error meant for the caller: its code and message cross the transport as they are. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Turns anything thrown into what a client may see: AppErrors keep their code, the rest is `internal`. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if ((error as { code?: unknown } | null)?.code === 'SQLITE_READONLY') {
    return { code: 'unavailable', message: 'Switchboard has stopped writing its database because it failed its integrity check; see Settings → Health.' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
