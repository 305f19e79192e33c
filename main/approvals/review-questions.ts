import { REVIEW_APPROVAL_TOOL, type ReviewApprovalInput } from '../../contract';
import type { ApprovalBroker } from './approval-broker';

/**
 * The owner's word on a review action (merge, discard, undo a turn, delete unmerged work) asked from a chat,
 * an MCP client or a Claude session: one question in the one broker, shown wherever questions are and
 * answered once. The composition root hands this to the worktrees' handlers, which may not import the broker.
 */
export function reviewQuestions(broker: ApprovalBroker): { ask(input: ReviewApprovalInput, askedBy: string): Promise<{ allowed: boolean; message: string | null; by: string | null }> } {
  return {
    async ask(input, askedBy) {
      const verbs = { commit: 'Commit the changes of', merge: 'Merge', discard: 'Discard the changes of', undoTurn: 'Undo a turn of', delete: 'Delete, with its unmerged work,', sendFile: 'Send a file from' } as const;
      const { id, answer } = broker.ask({
        sessionId: input.sessionId,
        turnId: null,
        // Who asked (their actor): they cannot answer it themselves (approvals/handlers.ts).
        source: askedBy,
        toolName: REVIEW_APPROVAL_TOOL,
        input: { ...input },
        suggestions: [],
        description: input.sessionId ? `${verbs[input.action]} the session “${input.title}”, asked by ${input.requestedBy}` : `${input.command}, asked by ${input.requestedBy}`,
      });
      const reply = await answer;
      const approval = broker.get(id);
      return { allowed: reply.allow, message: reply.allow ? null : reply.message, by: approval.answeredVia };
    },
  };
}
