import { JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL } from '../../contract';
import { AppError } from '../errors';
import { isOwner } from '../ipc/owner';
import type { HandlersOf } from '../ipc/router';
import type { ApprovalBroker } from './approval-broker';

/** The questions a caller asks and may take back (Claude Code's hooks): answered in asked-questions.ts. */
type AskedMethods = 'approvals.ask' | 'approvals.wait' | 'approvals.withdraw';

/**
 * Questions that ask for the owner's word on a request (not Claude's tool calls, which a chat answers): only
 * Switchboard asks them, never a caller through `approvals.ask` (a look-alike card would be answered for nothing).
 */
export const OWNER_QUESTIONS: readonly string[] = [JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL];

/**
 * Whoever asked a question, and when a session's Claude asked it, everyone who ever sent that session a message,
 * through the sessions they drive in turn (a Claude that messages itself, or another session, relays the person):
 * what a session's Claude asked for counts as asked by each of them.
 */
function askersOf(source: string, driversOf: ((sessionId: string) => string[]) | undefined): Set<string> {
  const askers = new Set([source]);
  const sessions = [source];
  // A bounded walk: the sessions an asker drove, and theirs.
  for (let i = 0; i < sessions.length && i < 50; i++) {
    const actor = sessions[i]!;
    if (!actor.startsWith('session:')) continue;
    for (const driver of driversOf?.(actor.slice('session:'.length)) ?? []) {
      if (askers.has(driver)) continue;
      askers.add(driver);
      sessions.push(driver);
    }
  }
  return askers;
}

/**
 * `driversOf`: everyone who sent a session a message, so that what a session's Claude asked for counts as
 * asked by the people driving it (a chat user cannot allow what their own session's Claude requested).
 */
export function approvalsHandlers(approvals: ApprovalBroker, driversOf?: (sessionId: string) => string[]): Omit<HandlersOf<'approvals'>, AskedMethods> {
  return {
    'approvals.list': ({ status, limit }) => approvals.list(status, limit),
    'approvals.get': ({ id }) => approvals.get(id),
    'approvals.answer': ({ id, ...reply }, ctx) => {
      // An "always" rule widens what Claude may do from then on, everywhere: the owner's to save, in the window.
      if (!isOwner(ctx) && (reply.decision === 'always' || reply.rule)) {
        throw new AppError('invalid_input', "decision: only you, in Switchboard's window, can save an Always rule; allow this once or for this session here.");
      }
      // The owner's word on what someone asked for (a job that runs code, a merge, a file sent out) is
      // not theirs to give: from outside the window, whoever asked cannot allow it (they may withdraw it).
      const question = approvals.get(id);
      if (reply.decision !== 'deny' && !isOwner(ctx) && OWNER_QUESTIONS.includes(question.toolName)) {
        const askers = askersOf(question.source, driversOf);
        if (askers.has(ctx.actor)) throw new AppError('unauthorized', 'You asked for this yourself, so it waits for the owner: answer it in Switchboard’s window.');
        // A job's Claude asked: whoever made or changed that job is not known here, so no one outside the window may allow it.
        if ([...askers].some((a) => a.startsWith('job:'))) throw new AppError('unauthorized', 'A scheduled job’s Claude asked for this, so it waits for the owner: answer it in Switchboard’s window.');
        // A session's Claude asked and nobody is known to have driven it (the session was deleted, its turns with it): nor may anyone outside the window.
        if (driversOf && [...askers].some((a) => a.startsWith('session:') && !driversOf(a.slice('session:'.length)).length)) {
          throw new AppError('unauthorized', 'The Claude session that asked for this is gone, and who drove it with it, so it waits for the owner: answer it in Switchboard’s window.');
        }
      }
      return approvals.answer(id, reply, { by: ctx.actor, via: ctx.surface });
    },
    'approvals.rules': () => approvals.rules(),
    'approvals.removeRule': ({ id }) => ({ removed: approvals.removeRule(id) }),
  };
}
