import type { JobRun } from '../../contract';
import { log } from '../log';
import type { StorageService } from '../storage/storage-service';
import type { JobStore } from './job-store';
import type { RunEnd, StoredJob } from './job-rules';
import { listAttachments } from './run-output';

/** A run's ending as queued: written with the others that ended on the same turn of the event loop. */
type Ending = { job: StoredJob; run: JobRun; end: RunEnd & { endedAt: number } };

/**
 * Runs' endings written in batches: runs that end together (a burst of quick commands) would otherwise
 * each commit alone, and hold up the timers. Each ending is then finished by the scheduler.
 */
export class RunEndings {
  /** Runs that ended since the last flush: recorded together, one transaction per turn of the event loop. */
  private endings: Ending[] = [];

  constructor(
    private readonly deps: {
      storage: StorageService;
      store: JobStore;
      now: () => number;
      /** What the run left for the job's next run (run-executor.ts). */
      takeLeftPrompt: (runId: string) => string | null;
      hasJob: (jobId: string) => boolean;
      /** The ending is recorded: deliveries, retries, the next queued run. */
      finish: (job: StoredJob, run: JobRun) => void;
      /** The run's job was deleted meanwhile: nothing to record, the job no longer runs. */
      gone: (jobId: string) => void;
    },
  ) {}

  /** Queues a run's ending; the queue is written in one transaction on the next turn. */
  add(job: StoredJob, run: JobRun, end: RunEnd): void {
    const nextPrompt = this.deps.takeLeftPrompt(run.id);
    // What the run left in its folder, listed as it ends (a folder Claude never wrote to has none).
    const attachments = end.outputDir ? listAttachments(end.outputDir) : [];
    this.endings.push({ job, run, end: { ...end, nextPrompt, attachments, endedAt: this.deps.now() } });
    if (this.endings.length > 1) return;
    setImmediate(() => this.flush());
  }

  /** Writes the queued endings in one transaction, then finishes each run. */
  flush(): void {
    const batch = this.endings;
    if (!batch.length) return;
    this.endings = [];
    const { db } = this.deps.storage;
    // Each ending on its own savepoint: one that cannot be written (its job deleted during the run) does not drop the rest.
    const one = db.transaction((r: JobRun, e: RunEnd & { endedAt: number }) => this.deps.store.endRun(r, e));
    const gone = new Set<string>();
    db.transaction(() => {
      for (const { run: r, end: e } of batch) {
        try {
          if (this.deps.hasJob(r.jobId)) one(r, e);
          else gone.add(r.id);
        } catch (error) {
          if (this.deps.store.job(r.jobId)) log.error('scheduler: a run’s ending could not be recorded', error, { runId: r.id });
          else gone.add(r.id);
        }
      }
    })();
    for (const { job: j, run: r, end: e } of batch) {
      if (!gone.has(r.id)) this.deps.finish(j, { ...r, ...e });
      else {
        log.info('scheduler: a run ended after its job was deleted; nothing to record', { runId: r.id, jobId: j.id });
        this.deps.gone(j.id);
      }
    }
  }
}
