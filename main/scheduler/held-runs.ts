import { randomUUID } from 'node:crypto';
import type { JobRun, RunTrigger } from '../../contract';
import { disposableTimeout, type DisposableStore, type IDisposable } from '../disposable';
import type { EventBus } from '../events';
import type { JobStore } from './job-store';
import type { StoredJob } from './job-rules';

/** Why Claude jobs must wait now, and until when (null: a spent budget, no end known). */
export type Hold = { reason: string; until: number | null };

/**
 * Claude runs due while the plan's window is full: recorded as held (or skipped, for a spent budget) and
 * started when the window resets, as each job's missed-run policy says; kept across a restart.
 */
export class HeldRuns {
  /** Held runs waiting for their window to reset, by job. */
  private readonly waiting = new Map<string, (number | null)[]>();
  /** The timers that release them, by the instant they wait for. */
  private readonly releases = new Map<number, IDisposable>();

  constructor(
    private readonly deps: {
      store: JobStore;
      events: EventBus;
      now: () => number;
      hold?: () => Hold | null;
      /** The scheduler's timers now (a new store each start; disposed at stop). */
      timers: () => DisposableStore;
      hasJob: (jobId: string) => boolean;
      job: (jobId: string) => StoredJob | undefined;
      /** Starts a catch-up run of a job planned at `plannedAt`. */
      fire: (jobId: string, plannedAt: number | null) => void;
      skip: (jobId: string, plannedAt: number | null, trigger: RunTrigger, reason: string) => JobRun;
    },
  ) {}

  /** Forgets the release timers (start and stop; the timers themselves go with their store). */
  clearReleases(): void {
    this.releases.clear();
  }

  /**
   * A Claude job due while it must wait: recorded as held (or skipped, for a spent budget), and run
   * when the window resets if its missed-run policy runs missed runs.
   */
  held(job: StoredJob, plannedAt: number | null, trigger: RunTrigger, hold: Hold): JobRun {
    if (hold.until === null) return this.deps.skip(job.id, plannedAt, trigger, `not started: ${hold.reason}`);
    const then = job.missed === 'skip' ? 'the job skips missed runs, so this one will not run' : job.missed === 'once' ? 'it runs once then' : 'it runs then';
    const run = this.deps.store.recordRun({ id: randomUUID(), jobId: job.id, plannedAt, status: 'held', trigger, reason: `held: ${hold.reason}; ${then}`, now: this.deps.now() });
    this.deps.events.emit('schedules.run', run);
    if (job.missed !== 'skip') {
      const waiting = this.waiting.get(job.id) ?? [];
      // "once": the latest held run stands for all of them.
      this.waiting.set(job.id, job.missed === 'once' ? [plannedAt] : [...waiting, plannedAt]);
      const until = hold.until;
      if (!this.releases.has(until)) this.releases.set(until, disposableTimeout(() => this.release(until), Math.max(0, until - Date.now()) + 1000, this.deps.timers()));
    }
    return run;
  }

  /** Held runs still waiting when Switchboard stopped wait again (or go now, if their window has reset meanwhile). */
  resume(): void {
    const held = this.deps.store.waitingHeld(this.deps.now() - 7 * 86_400_000);
    for (const { jobId, plannedAt } of held) {
      const job = this.deps.job(jobId);
      if (!job || job.missed === 'skip') continue;
      this.waiting.set(jobId, job.missed === 'once' ? [plannedAt] : [...(this.waiting.get(jobId) ?? []), plannedAt]);
    }
    if (!this.waiting.size) return;
    const until = this.deps.hold?.()?.until ?? this.deps.now();
    this.releases.set(until, disposableTimeout(() => this.release(until), Math.max(0, until - Date.now()) + 1000, this.deps.timers()));
  }

  /** The plan's limit reset (known before its own timer fires): the held runs go now, in order, once. */
  releaseAll(): void {
    for (const [until, timer] of [...this.releases]) {
      timer.dispose();
      this.release(until);
    }
  }

  /** The window reset: held runs go, each as its job's policy says (they may be held again if it is still full). */
  private release(until: number): void {
    this.releases.delete(until);
    const waiting = [...this.waiting.entries()];
    this.waiting.clear();
    for (const [jobId, planned] of waiting) {
      if (!this.deps.hasJob(jobId)) continue;
      for (const plannedAt of planned) this.deps.fire(jobId, plannedAt);
    }
  }
}
