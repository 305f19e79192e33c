import schedule from 'node-schedule';
import { nextRuns } from './cron';
import type { StoredJob } from './job-rules';

/**
 * The scheduler's timers: one node-schedule timer per distinct (expression, time zone), firing all its
 * jobs together (jobs often share a schedule, and 1,000 separate timers due at one instant queue behind
 * each other's rescheduling), and the jobs of every trigger due at the same instant started in one call.
 */
export class Triggers {
  /** Each timer, its jobs, and the instant it last started them. */
  private readonly triggers = new Map<string, { timer: schedule.Job; jobs: Set<string>; firedAt: number }>();
  /**
   * Which triggers are due at each instant: the first of them to fire starts the jobs of all, so
   * jobs in different time zones that fall on one instant start together, in one write.
   */
  private readonly dueAt = new Map<number, Set<string>>();
  /** Which trigger each job is on, so re-arming one job does not scan them all. */
  private readonly triggerOf = new Map<string, string>();
  /** Each schedule's next fire time and when it was computed (see nextRun). */
  private readonly upcoming = new Map<string, { from: number; next: number | null }>();

  constructor(
    private readonly deps: {
      /** Starts these jobs' runs, due at `at`. */
      onDue: (jobIds: string[], at: number) => void;
      now: () => number;
    },
  ) {}

  /** Puts a job on its schedule's timer (none while it is off or waits for the owner's approval). */
  arm(job: StoredJob): void {
    this.disarm(job.id);
    // A job waiting for the owner's approval does not fire.
    if (!job.enabled || job.approval) return;
    const key = `${job.timeZone} ${job.cron}`;
    this.triggerOf.set(job.id, key);
    const existing = this.triggers.get(key);
    if (existing) {
      existing.jobs.add(job.id);
      return;
    }
    const timer = schedule.scheduleJob({ rule: job.cron, tz: job.timeZone }, (fireDate: Date) => this.due(key, fireDate.getTime()));
    if (!timer) return;
    this.triggers.set(key, { timer, jobs: new Set([job.id]), firedAt: 0 });
    // The first instant was planned inside scheduleJob, before a listener could hear it.
    this.planned(key, timer.nextInvocation()?.getTime());
    timer.on('scheduled', (date: Date) => this.planned(key, date.getTime()));
  }

  /** Takes a job off its timer; the timer goes when it has no job left. */
  disarm(jobId: string): void {
    const key = this.triggerOf.get(jobId);
    if (key === undefined) return;
    this.triggerOf.delete(jobId);
    const trigger = this.triggers.get(key);
    if (!trigger) return;
    trigger.jobs.delete(jobId);
    if (trigger.jobs.size) return;
    const next = trigger.timer.nextInvocation()?.getTime();
    if (next !== undefined) this.dueAt.get(next)?.delete(key);
    trigger.timer.cancel();
    this.triggers.delete(key);
  }

  /** Cancels every timer (the scheduler stopping). */
  clear(): void {
    for (const trigger of this.triggers.values()) trigger.timer.cancel();
    this.triggers.clear();
    this.triggerOf.clear();
    this.dueAt.clear();
  }

  /**
   * The next fire time of a schedule, remembered until it passes (and given by node-schedule as it
   * arms a timer): computing it in a time zone takes ~2 ms (cron-parser steps through luxon), and the
   * Schedules list asks for every job each time.
   */
  nextRun(cron: string, timeZone: string): number | null {
    const key = `${timeZone} ${cron}`;
    const now = this.deps.now();
    const known = this.upcoming.get(key);
    if (known && known.from <= now && (known.next === null || now < known.next)) return known.next;
    let next: number | null;
    try {
      next = nextRuns(cron, timeZone, new Date(now), 1)[0]!.getTime();
    } catch {
      next = null;
    }
    this.upcoming.set(key, { from: now, next });
    return next;
  }

  private planned(key: string, at: number | undefined): void {
    if (at === undefined) return;
    // node-schedule worked out the next run already: the Schedules list need not again.
    this.upcoming.set(key, { from: Date.now(), next: at });
    const keys = this.dueAt.get(at);
    if (keys) keys.add(key);
    else this.dueAt.set(at, new Set([key]));
  }

  /** A trigger fired: start its jobs and those of every other trigger due at the same instant. */
  private due(key: string, at: number): void {
    const trigger = this.triggers.get(key);
    // Already started together with another trigger of this instant.
    if (!trigger || trigger.firedAt === at) return;
    const together = [trigger];
    for (const other of this.dueAt.get(at) ?? []) {
      const t = this.triggers.get(other);
      if (t && t !== trigger && t.firedAt !== at) together.push(t);
    }
    this.dueAt.delete(at);
    const jobIds: string[] = [];
    for (const t of together) {
      t.firedAt = at;
      jobIds.push(...t.jobs);
    }
    this.deps.onDue(jobIds, at);
  }
}
