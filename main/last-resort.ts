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
