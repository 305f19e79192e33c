import type { Approval, AskedAnswer } from '../../contract';
import { AppError } from '../errors';
import { callerInWords, isOwner } from '../ipc/owner';
import type { CallContext, Handlers } from '../ipc/router';
import { withTimeout } from '../request-store';
import type { ApprovalBroker, BrokerAnswer } from './approval-broker';
import { OWNER_QUESTIONS } from './handlers';

/** How long an answered question's answer waits for its asker to read it (`approvals.wait`) before it is forgotten. */
const KEPT_MS = 60_000;

interface Asked {
  actor: string;
  answer: Promise<BrokerAnswer>;
}

/**
 * `approvals.ask`, `wait` and `withdraw`: a permission question that a caller outside the broker puts to the
 * owner and may take back (Claude Code's hooks: the terminal answered first, or stopped waiting). Only the
 * hooks surface and the owner may ask; only whoever asked (or the owner) waits on or withdraws a question.
 * The question records its asker as its source (`hook:<Claude session id>`), and a terminal's "this session"
 * rules hold for that Claude session.
 */
export function askedQuestionHandlers(broker: ApprovalBroker, onAsked?: (approval: Approval) => void): Pick<Handlers, 'approvals.ask' | 'approvals.wait' | 'approvals.withdraw'> {
  const asked = new Map<string, Asked>();

  /** The question, when this caller asked it (or is the owner). */
  function mine(id: string, ctx: CallContext): Asked {
    const found = asked.get(id);
    if (!found) throw new AppError('not_found', `no question ${id} waits for an answer here (it was not asked through approvals.ask, or ended over a minute ago)`);
    if (found.actor !== ctx.actor && !isOwner(ctx)) throw new AppError('unauthorized', `That question was asked by someone else; ${callerInWords(ctx)} cannot wait on it or take it back.`);
    return found;
  }

  return {
    'approvals.ask': ({ toolName, input, suggestions, description }, ctx) => {
      if (ctx.surface !== 'hook' && !isOwner(ctx)) throw new AppError('unauthorized', `Only Claude Code's hooks (and Switchboard's window) put permission questions to the owner this way, not ${callerInWords(ctx)}.`);
      if (OWNER_QUESTIONS.includes(toolName)) throw new AppError('unauthorized', `${toolName} is a question only Switchboard asks the owner (a job or a review waiting for their word); ${callerInWords(ctx)} cannot ask it.`);
      const claudeSessionId = ctx.actor.startsWith('hook:') ? ctx.actor.slice('hook:'.length) : '';
      const { id, answer } = broker.ask({
        sessionId: null,
        turnId: null,
        source: ctx.actor,
        toolName,
        input,
        suggestions,
        description,
        ...(claudeSessionId && claudeSessionId !== 'unknown' ? { outsideSession: `claude:${claudeSessionId}` } : {}),
      });
      asked.set(id, { actor: ctx.actor, answer });
      // Kept a minute after its answer, for the asker to read; then forgotten.
      void answer.then(() => setTimeout(() => asked.delete(id), KEPT_MS).unref());
      const approval = broker.get(id);
      onAsked?.(approval);
      return approval;
    },
    'approvals.wait': async ({ id, timeoutMs }, ctx) => {
      const reply = await withTimeout(mine(id, ctx).answer, timeoutMs, null);
      if (!reply) return { status: 'pending' } satisfies AskedAnswer;
      if (reply.allow) return { status: 'allowed', input: reply.input } satisfies AskedAnswer;
      // Denied by a person, or ended with nobody's answer (its time passed, withdrawn): the record says which.
      const settled = broker.get(id);
      return { status: settled.status === 'denied' ? 'denied' : 'expired', message: reply.message } satisfies AskedAnswer;
    },
    'approvals.withdraw': ({ id, reason }, ctx) => {
      mine(id, ctx);
      const open = broker.get(id).status === 'pending';
      broker.cancel(id, reason);
      return { withdrawn: open };
    },
  };
}
