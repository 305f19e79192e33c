import { AppError } from '../errors';
import { isOwner } from '../ipc/owner';
import type { HandlersOf } from '../ipc/router';
import type { ApprovalBroker } from './approval-broker';

export function approvalsHandlers(approvals: ApprovalBroker): HandlersOf<'approvals'> {
  return {
    'approvals.list': ({ status, limit }) => approvals.list(status, limit),
    'approvals.get': ({ id }) => approvals.get(id),
    'approvals.answer': ({ id, ...reply }, ctx) => {
      // An "always" rule widens what Claude may do from then on, everywhere: the owner's to save, in the window.
      if (!isOwner(ctx) && (reply.decision === 'always' || reply.rule)) {
        throw new AppError('invalid_input', "decision: only you, in Switchboard's window, can save an Always rule; allow this once or for this session here.");
      }
      return approvals.answer(id, reply, { by: ctx.actor, via: ctx.surface });
    },
    'approvals.rules': () => approvals.rules(),
    'approvals.removeRule': ({ id }) => ({ removed: approvals.removeRule(id) }),
  };
}
