import { JOB_APPROVAL_TOOL, type Approval, type JobApprovalInput } from '../../contract';
import type { ApprovalBroker } from './approval-broker';

/** How the owner's question about a job ended: `cancelled` (asked again, or withdrawn) decides nothing. */
export type JobVerdict = 'allowed' | 'denied' | 'timeout' | 'cancelled';

function verdictOf(approval: Approval): JobVerdict {
  if (approval.status === 'allowed') return 'allowed';
  if (approval.decision === 'deny') return 'denied';
  if (approval.decision === 'timeout') return 'timeout';
  return 'cancelled';
}

/**
 * The owner's questions about jobs made or changed outside their window, in the one broker: shown in the
 * window, Telegram and Discord as every question is, answered once wherever first. The composition root
 * hands this to the scheduler, which may not import the broker.
 */
export function jobQuestions(broker: ApprovalBroker): {
  ask(job: JobApprovalInput, askedBy: string | null): { id: string; verdict: Promise<JobVerdict> };
  askedBy(id: string): string | null;
  resume(id: string): Promise<JobVerdict> | null;
  cancel(id: string, reason: string): void;
} {
  const settled = (id: string) => (): JobVerdict => verdictOf(broker.get(id));
  return {
    ask(job, askedBy) {
      const { id, answer } = broker.ask({
        sessionId: null,
        turnId: null,
        // Who asked (their actor), who cannot answer it themselves (approvals/handlers.ts).
        source: askedBy ?? 'scheduler',
        toolName: JOB_APPROVAL_TOOL,
        input: { ...job },
        suggestions: [],
        description: `${job.change === 'created' ? 'A new' : 'A changed'} ${job.kind === 'shell' ? 'shell' : 'Claude'} job, from ${job.requestedBy}`,
      });
      return { id, verdict: answer.then(settled(id)) };
    },
    askedBy(id) {
      try {
        const source = broker.get(id).source;
        return source === 'scheduler' ? null : source;
      } catch {
        return null;
      }
    },
    resume(id) {
      return broker.resume(id)?.then(settled(id)) ?? null;
    },
    cancel(id, reason) {
      broker.cancel(id, reason);
    },
  };
}
