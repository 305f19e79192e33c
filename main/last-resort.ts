import { errorMessage } from './errors';
import { ServiceStartError } from './lifecycle';
import { log } from './log';

/**
 * The net under every other guard: a rejection nobody handled, or an exception thrown from a
 * callback, is logged under an error id instead of ending the process with every session,
 * terminal and schedule in it. Each such log line is a bug to fix where it happened.
 */
export function guardProcess(): void {
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection (a bug: please report it with this id)', reason);
  });
  process.on('uncaughtException', (error) => {
    log.error('uncaught exception (a bug: please report it with this id)', error);
  });
}

/**
 * What a start that failed tells the user: one line with the reason in their words and an error
 * id, under which the log file keeps the details (the stack, what was found on disk). Returns
 * that line, and whether the details reached a log file (when not, the caller prints them).
 */
export function reportStartFailure(error: unknown, dataDir: string | null): { line: string; logged: boolean } {
  // Services that started were stopped again, the storage detaching the log: the details still go to the data folder.
  if (!log.path && dataDir) {
    try {
      log.attach(dataDir);
    } catch {
      // A folder we cannot write: the caller prints the details instead.
    }
  }
  const cause = error instanceof ServiceStartError ? error.causeError : error;
  const found = (cause as { details?: unknown } | null)?.details;
  const details = typeof found === 'object' && found !== null ? (found as Record<string, unknown>) : undefined;
  const id = log.error('Switchboard could not start', cause, details, { console: false });
  const where = log.path ? `; the log ${log.path} has the details` : '';
  return { line: `${errorMessage(error)} (error ${id}${where})`, logged: log.path !== null };
}
