import type { JobApprovalInput } from '../../contract';
import { callerInWords } from '../ipc/owner';
import type { CallContext } from '../ipc/router';
import { log } from '../log';
import type { Notifier } from '../notifier';
import type { JobSessions } from './job-sessions';
import type { JobStore } from './job-store';
import { jobExtras, shellCommands, type JobApprovals, type JobVerdict, type StoredJob } from './job-rules';

/**
 * A job made or changed outside the owner's window that runs code waits for the owner: the question
 * asked through the one broker, followed to its answer (allowed: an ordinary job; denied or unanswered:
 * deleted), and picked up again after a restart.
 */
export class JobApprovalFlow {
  constructor(
    private readonly deps: {
      store: JobStore;
      approvals?: JobApprovals;
      sessions: JobSessions;
      notifier: Notifier;
      jobs: () => Iterable<StoredJob>;
      /** The job allowed: stored as it is now, armed, announced. */
      allowed: (jobId: string) => void;
      delete: (jobId: string) => void;
    },
  ) {}

  /** Who asked, in the owner's words: a Claude session by its title when it is one of ours (read through the contract). */
  async describe(from: CallContext): Promise<string> {
    const sessionId = from.actor.startsWith('session:') ? from.actor.slice('session:'.length) : null;
    const title = sessionId ? await this.deps.sessions.title(sessionId) : null;
    return title ? `the Claude session “${title}”, through its MCP tools` : callerInWords(from);
  }

  /** Who asked an earlier question about a job (so asking again keeps them from answering); null when not known. */
  askedBy(approvalId: string | null | undefined): string | null {
    return approvalId ? (this.deps.approvals?.askedBy(approvalId) ?? null) : null;
  }

  /** Withdraws an open question (the job changed or deleted). */
  cancel(approvalId: string, reason: string): void {
    this.deps.approvals?.cancel(approvalId, reason);
  }

  /** Asks the owner about a waiting job, through the one broker; the answer allows or deletes it. */
  ask(id: string, change: JobApprovalInput['change'], askedBy: string | null): void {
    const job = this.deps.store.job(id);
    if (!job?.approval || !this.deps.approvals) return;
    const { id: approvalId, verdict } = this.deps.approvals.ask({
      jobId: id,
      name: job.name,
      kind: job.kind,
      // Everything it runs is on the card: a template's commands and the after-run ones too.
      command: [job.command, ...shellCommands(job)].join('\n\n'),
      cwd: job.cwd,
      cron: job.cron,
      timeZone: job.timeZone,
      permissionPolicy: job.permissionPolicy,
      envNames: Object.keys(job.env),
      requestedBy: job.approval.requestedBy,
      change,
      also: jobExtras(job, (jobId) => this.deps.store.job(jobId)?.name),
    }, askedBy);
    this.deps.store.setApprovalId(id, approvalId);
    this.follow(id, approvalId, verdict);
  }

  /** Jobs still waiting when Switchboard stopped wait on: their open question is picked up again, or asked anew. */
  resume(): void {
    for (const job of this.deps.jobs()) {
      if (!job.approval) continue;
      const verdict = job.approval.approvalId ? this.deps.approvals?.resume(job.approval.approvalId) : null;
      if (verdict) this.follow(job.id, job.approval.approvalId!, verdict);
      else this.ask(job.id, job.updatedAt > job.createdAt ? 'changed' : 'created', this.askedBy(job.approval.approvalId));
    }
  }

  private follow(jobId: string, approvalId: string, verdict: Promise<JobVerdict>): void {
    verdict.then((v) => this.decided(jobId, approvalId, v)).catch((error: unknown) => log.error('could not apply the answer about a job', error));
  }

  /** The owner answered (or nobody did): allowed, it is an ordinary job; denied or unanswered, it is deleted. */
  private decided(jobId: string, approvalId: string, verdict: JobVerdict): void {
    const job = this.deps.store.job(jobId);
    // Asked again since, deleted meanwhile, or Switchboard stopping: this answer decides nothing.
    if (!job?.approval || job.approval.approvalId !== approvalId || verdict === 'cancelled') return;
    if (verdict === 'allowed') {
      this.deps.store.setWaiting(jobId, null);
      // The owner saw its folder on the card and allowed it: their word now.
      this.deps.store.setMadeOutside(jobId, false);
      this.deps.allowed(jobId);
      return;
    }
    this.deps.delete(jobId);
    this.deps.notifier.notify({
      title: `Job deleted: ${job.name}`,
      body: verdict === 'timeout' ? `Nobody approved it in time (made by ${job.approval.requestedBy}), so it was deleted without running.` : `You denied it (made by ${job.approval.requestedBy}); it was deleted without running.`,
      link: '#/schedules',
    });
  }
}
