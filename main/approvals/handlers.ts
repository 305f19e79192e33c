import type { HandlersOf } from '../ipc/router';
import type { ApprovalBroker } from './approval-broker';

export function approvalsHandlers(approvals: ApprovalBroker): HandlersOf<'approvals'> {
  return {
    'approvals.list': ({ status, limit }) => approvals.list(status, limit),
    'approvals.get': ({ id }) => approvals.get(id),
    'approvals.answer': ({ id, ...reply }, ctx) => approvals.answer(id, reply, { by: ctx.actor, via: ctx.surface }),
    'approvals.rules': () => approvals.rules(),
    'approvals.removeRule': ({ id }) => ({ removed: approvals.removeRule(id) }),
  };
}
