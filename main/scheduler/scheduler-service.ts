import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Job, JobInput, JobPatch, JobRun, PromptPreview, RunTrigger, SavedJob } from '../../contract';
import { AppError } from '../errors';
import { callerInWords, isOwner } from '../ipc/owner';
import type { Allowance, CallContext } from '../ipc/router';
import type { Service } from '../lifecycle';
import { disposableInterval, disposableTimeout, DisposableStore } from '../disposable';
import { log } from '../log';
import { withTimeout } from '../request-store';
import { JobStore } from './job-store';
import type { renderJobPrompt } from './prompt-template';
import { AfterRun, deliverRun } from './after-run';
import { RunEndings } from './run-endings';
import { outputRootOf } from './run-output';
import { chainOf, checkJob, differs, needsOwner, refuseBypass, refuseCycle, refuseFolder, SHOWN, WHAT_IT_RUNS, type Pending, type StoredJob } from './job-rules';
import type { SchedulerDeps } from './scheduler-deps';
import { Triggers } from './triggers';
import { HeldRuns } from './held-runs';
import { checkMissed } from './missed-runs';
import { killLeftoverGroups, RunExecutor } from './run-executor';
import { JobApprovalFlow } from './job-approval-flow';
import { jobAllowance, JobSessions } from './job-sessions';

export { runsCode, shellCommands, type JobApprovals, type JobVerdict } from './job-rules';
export type { SchedulerDeps } from './scheduler-deps';

/** How often the scheduler notes the time; a longer gap between two ticks means the machine slept. */
const TICK_MS = 30_000;

/**
 * Shell commands and Claude prompts on cron schedules, in time zones. Every run is recorded,
 * including the ones that did not happen; runs that fell while the machine slept or the app was
 * closed are found on start and on wake and handled by each job's missed-run policy.
 */
export class SchedulerService implements Service {
  readonly name = 'scheduler';
  private readonly store: JobStore;
  private readonly triggers: Triggers;
  private readonly heldRuns: HeldRuns;
  private readonly runner: RunExecutor;
  private readonly approvalFlow: JobApprovalFlow;
  private readonly running = new Map<string, AbortController>();
  private readonly queued = new Map<string, Pending[]>();
  /** The timers start() and runs arm (the tick, releases of held runs, retries): stop() releases them, and any armed after. */
  private timers = new DisposableStore();
  /** Runs under way, until each has queued its ending: stop() awaits them. */
  private readonly inFlight = new Set<Promise<void>>();
  private lastTick = 0;
  private finished = 0;
  /** Runs' endings, written in batches (run-endings.ts). */
  private readonly endings: RunEndings;
  /** Jobs as last stored: firing reads them for every run, and parsing rows each time was the cost. */
  private readonly jobs = new Map<string, StoredJob>();

  constructor(
    private readonly deps: SchedulerDeps,
  ) {
    const now = () => this.now();
    this.store = new JobStore(deps.storage);
    this.triggers = new Triggers({ now, onDue: (jobIds, at) => this.due(jobIds, at) });
    this.heldRuns = new HeldRuns({
      store: this.store,
      events: deps.events,
      now,
      hold: deps.hold,
      timers: () => this.timers,
      hasJob: (id) => this.jobs.has(id),
      job: (id) => this.jobs.get(id),
      fire: (jobId, plannedAt) => this.fire(jobId, plannedAt, 'catch-up', 1),
      skip: (jobId, plannedAt, trigger, reason) => this.skip(jobId, plannedAt, trigger, reason),
    });
    const sessions = new JobSessions(deps.router);
    this.runner = new RunExecutor({
      ...deps,
      sessions,
      store: this.store,
      now,
      outputRoot: () => this.outputRoot(),
      job: (id) => this.jobs.get(id),
      keepSession: (jobId, sessionId) => {
        this.store.setSession(jobId, sessionId);
        const job = this.jobs.get(jobId);
        if (job) this.jobs.set(jobId, { ...job, sessionId });
      },
    });
    this.approvalFlow = new JobApprovalFlow({
      store: this.store,
      approvals: deps.approvals,
      sessions,
      notifier: deps.notifier,
      jobs: () => this.jobs.values(),
      allowed: (id) => this.changed(id),
      delete: (id) => this.delete(id),
    });
    this.endings = new RunEndings({
      storage: deps.storage,
      store: this.store,
      now,
      takeLeftPrompt: (runId) => this.runner.takeLeftPrompt(runId),
      hasJob: (id) => this.jobs.has(id),
      finish: (job, run) => this.finish(job, run),
      gone: (jobId) => this.running.delete(jobId),
    });
    this.afterRun = new AfterRun({
      store: this.store,
      events: deps.events,
      env: deps.env,
      deliver: (d) => deliverRun(d, deps.notifier, deps.deliver),
      startJob: (jobId, from) => this.chain(jobId, from),
      job: (id) => this.jobs.get(id),
    });
  }

  private readonly afterRun: AfterRun;

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  start(): void {
    const failed = this.store.failLeftoverRuns(this.now(), killLeftoverGroups(this.store));
    if (failed) log.warn(`${failed} job run(s) were cut short when Switchboard last stopped`);
    for (const job of this.store.jobs()) {
      this.jobs.set(job.id, job);
      this.triggers.arm(job);
    }
    this.timers = new DisposableStore();
    this.heldRuns.clearReleases();
    this.approvalFlow.resume();
    this.checkMissed();
    this.heldRuns.resume();
    this.lastTick = Date.now();
    this.timers.add(
      disposableInterval(() => {
        // Timers do not run while the machine sleeps: a long gap is a wake-up.
        const slept = Date.now() - this.lastTick > TICK_MS * 2;
        this.lastTick = Date.now();
        if (slept) this.checkMissed();
        else this.store.setCheckedAt(this.now());
      }, TICK_MS),
    );
  }

  async stop(): Promise<void> {
    // Retries and releases armed by runs ending from here on are released as they are armed.
    this.timers.dispose();
    this.heldRuns.clearReleases();
    this.triggers.clear();
    this.store.setCheckedAt(this.now());
    for (const controller of this.running.values()) controller.abort();
    // Cancelled runs record themselves: a command gets 5 s after its signal before it is killed.
    await withTimeout(Promise.allSettled(this.inFlight), 6000, null);
    this.deps.templateRenderer?.stop();
    this.endings.flush();
  }

  list(): Job[] {
    return this.store.jobs().map((job) => this.withNext(job));
  }

  /** How many jobs there are, how many are on, and how many runs since `since` (the machine panel, through the root). */
  counts(since: number): { jobs: number; jobsEnabled: number; runsSince: number } {
    return this.store.counts(since);
  }

  /** How many runs of a job ended ok (or failed) since a given run did, that one included; null when it is no longer kept (the inbox's count). */
  runsEndedSince(jobId: string, fromRunId: string, failed: boolean): number | null {
    return this.store.endedSince(jobId, fromRunId, failed ? ['failed', 'timeout'] : ['ok']);
  }

  get(id: string): Job {
    const job = this.store.job(id);
    if (!job) throw new AppError('not_found', `no job ${id}`);
    return this.withNext(job);
  }

  /** Who makes or changes a job, in the owner's words for its approval card (a Claude session by its title): `create`'s and `update`'s last argument. */
  requester(from: CallContext): Promise<string> {
    return this.approvalFlow.describe(from);
  }

  /** What the owner allowed a job's own calls (the router asks, for every call): its approved permission mode (job-sessions.ts). */
  allowance(ctx: CallContext): Allowance | null {
    return jobAllowance(ctx, (id) => this.jobs.get(id));
  }

  /**
   * A new job. One that runs code, made outside the owner's window (MCP, a chat, a Claude session), is saved
   * waiting for the owner's approval: it does not run until they allow it, and is deleted if they do not.
   */
  create(input: JobInput, from: CallContext, requestedBy = callerInWords(from)): SavedJob {
    if (!isOwner(from)) refuseBypass(input);
    const job = checkJob(input, this.jobs, this.deps);
    refuseFolder(job, isOwner(from), this.deps.workFolder);
    const id = randomUUID();
    const waits = !isOwner(from) && needsOwner(job, this.store);
    this.deps.storage.db.transaction(() => {
      this.store.insert(id, job, this.now());
      if (!isOwner(from)) this.store.setMadeOutside(id, true);
      if (waits) this.store.setWaiting(id, { requestedBy, since: this.now() });
    })();
    if (waits) this.approvalFlow.ask(id, 'created', from.actor);
    return this.saved(id);
  }

  /**
   * Changes a job. From outside the owner's window, a change to what a job runs (command, folder,
   * environment, kind, mode) makes it wait for the owner's approval again; the owner changing what a
   * waiting job runs makes it theirs, an ordinary job.
   */
  update(id: string, given: JobPatch, from: CallContext, requestedBy = callerInWords(from)): SavedJob {
    const current = this.get(id);
    // A nested delivery given in part changes only the targets it names.
    const { delivery, ...fields } = given;
    const patch: Partial<JobInput> = { ...fields, ...(delivery && { delivery: { ...current.delivery, ...delivery } }) };
    const owner = isOwner(from);
    if (!owner && differs(current, { ...current, ...patch }, WHAT_IT_RUNS)) refuseBypass({ ...current, ...patch });
    const job = checkJob({ ...current, ...patch }, this.jobs, this.deps);
    // From outside the window any change is checked against the job's folder, old or new: a job the owner made
    // in home is not for someone else to turn into a reader of it.
    if (patch.cwd !== undefined || !owner) refuseFolder(job, owner, this.deps.workFolder);
    refuseCycle(id, job.steps, this.jobs);
    const runChanged = differs(current, job, WHAT_IT_RUNS);
    const waited = current.approval;
    // From outside the window, any change to a job that runs code asks again: its prompt, values, model,
    // schedule or switch are as much what it does as its command (a loose job told to run anything, every minute).
    const anyChange = differs(current, job, Object.keys(patch) as (keyof JobInput)[]);
    // The question asked again (what it shows changed), or no longer needed (the owner set what it runs, or it runs no code now).
    const ask = owner ? !!waited && !runChanged && differs(current, job, SHOWN) : needsOwner(job, this.store) && (anyChange || (!!waited && differs(current, job, SHOWN)));
    const clear = !!waited && !ask && (owner ? runChanged : !needsOwner(job, this.store));
    this.deps.storage.db.transaction(() => {
      this.store.update(id, { ...patch, ...(patch.cwd !== undefined && { cwd: job.cwd }) }, this.now());
      if (ask) this.store.setWaiting(id, { requestedBy: owner ? waited!.requestedBy : requestedBy, since: waited?.since ?? this.now() });
      if (clear) this.store.setWaiting(id, null);
      // Its folder is the owner's choice once they set it (or what it runs, making it theirs); anyone else's after their change.
      if (!owner || patch.cwd !== undefined || clear) this.store.setMadeOutside(id, !owner);
    })();
    if (waited?.approvalId && (ask || clear)) {
      this.approvalFlow.cancel(waited.approvalId, clear ? (owner ? 'Changed in the window: it is an ordinary job now.' : 'The job was changed and no longer needs approval.') : 'The job was changed; asked again with what it runs now.');
    }
    if (ask) this.approvalFlow.ask(id, 'changed', owner ? this.approvalFlow.askedBy(waited?.approvalId) : from.actor);
    return this.saved(id);
  }

  /** The job as changed, with a warning for a folder that does not exist (yet): the run would fail. */
  private saved(id: string): SavedJob {
    const job = this.changed(id);
    const warnings: string[] = [];
    if (job.cwd !== null && !fs.statSync(job.cwd, { throwIfNoEntry: false })?.isDirectory()) {
      warnings.push(`Folder: ${job.cwd} does not exist; runs will fail until it does.`);
    }
    return { ...job, warnings };
  }

  delete(id: string): void {
    const job = this.get(id);
    if (job.approval?.approvalId) this.approvalFlow.cancel(job.approval.approvalId, 'The job was deleted.');
    this.running.get(id)?.abort();
    this.triggers.disarm(id);
    this.queued.delete(id);
    this.jobs.delete(id);
    this.store.delete(id);
    this.deps.events.emit('schedules.removed', { id });
  }

  /** One recorded run (the download route finds its files by it). */
  run(id: string): JobRun | undefined {
    return this.store.run(id);
  }

  runs(id: string, limit: number): JobRun[] {
    this.get(id);
    // A running Claude run knows its session from its start (to show "waiting for your answer" with its link).
    return this.store.runs(id, limit).map((r) => (r.status === 'running' && !r.sessionId && this.runner.sessionOfRun(r.id) ? { ...r, sessionId: this.runner.sessionOfRun(r.id)! } : r));
  }

  /** Runs now; the overlap policy applies as to a scheduled run. Resolves when the run has started (or was skipped). */
  runNow(id: string, from?: CallContext): JobRun {
    const job = this.get(id);
    if (job.approval) {
      throw new AppError('conflict', `The job “${job.name}” is waiting for the owner's approval in Switchboard (made or changed by ${job.approval.requestedBy}); it cannot run until they allow it.`);
    }
    // Running code now, off its schedule, is the owner's call: from elsewhere a job that runs code is refused.
    if (from && !isOwner(from) && needsOwner(job, this.store)) {
      throw new AppError('conflict', `The job “${job.name}” runs code (${job.kind === 'shell' ? 'a shell command' : 'Claude without asking first, or commands of its own'}): only you, in Switchboard's window, can run it now; it runs on its schedule.`);
    }
    return this.fire(id, null, 'manual', 1);
  }

  cancel(id: string): boolean {
    const controller = this.running.get(id);
    controller?.abort();
    return !!controller;
  }

  /** Waits for a job's running run to end (tests, and shutdown). */
  async settled(id: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.running.has(id) || this.queued.get(id)?.length) && Date.now() < deadline) {
      // A run's end is written on the turn after it is queued: wait for a run to end, then for that turn.
      if (this.inFlight.size) await withTimeout(Promise.race(this.inFlight), deadline - Date.now(), null);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Runs that fell while the scheduler was not looking (closed, asleep): each job's missed-run policy applies (missed-runs.ts). */
  checkMissed(): void {
    checkMissed({ store: this.store, events: this.deps.events, now: this.now(), jobs: this.jobs.values(), fire: (jobId, plannedAt) => this.fire(jobId, plannedAt, 'catch-up', 1) });
  }

  // --- running ---------------------------------------------------------------------------------

  /** Triggers due at one instant: their jobs' runs start in one write. */
  private due(jobIds: string[], at: number): void {
    try {
      this.deps.storage.db.transaction(() => {
        this.store.setCheckedAt(this.now());
        this.startRuns(jobIds, at, 'schedule', 1);
      })();
    } catch (error) {
      // Thrown from a node-schedule callback it would end the process; the next instant tries again.
      log.error(`could not start the runs due at ${new Date(at).toISOString()}`, error);
    }
  }

  private fire(jobId: string, plannedAt: number | null, trigger: RunTrigger, attempt: number, chainedFrom: string | null = null): JobRun {
    return this.startRuns([jobId], plannedAt, trigger, attempt, chainedFrom)[0]!;
  }

  /** A job started by another's after-run step; refused when it already ran in this chain (a cycle would run forever). */
  private chain(jobId: string, from: JobRun): JobRun {
    const job = this.get(jobId);
    const chain = chainOf(from, (id) => this.store.run(id));
    if (chain.includes(jobId)) {
      const names = [...chain].reverse().map((id) => this.jobs.get(id)?.name ?? id);
      throw new AppError('conflict', `Not started: “${job.name}” already ran in this chain (${[...names, job.name].join(' → ')}); starting it again would never end.`);
    }
    if (job.approval) throw new AppError('conflict', `Not started: “${job.name}” waits for the owner's approval.`);
    return this.fire(jobId, null, 'manual', 1, from.id);
  }

  /**
   * Starts runs of jobs (one, or all those of an instant), or applies the overlap policy to a job
   * whose previous run is still going. Catch-up runs always queue: "run each missed one" means each.
   * Returns each job's run, in the order given.
   */
  private startRuns(jobIds: readonly string[], plannedAt: number | null, trigger: RunTrigger, attempt: number, chainedFrom: string | null = null): JobRun[] {
    const now = this.now();
    const result = new Map<string, JobRun>();
    const free: { id: string; jobId: string }[] = [];
    // Scheduled Claude work waits for the plan window (a person's "Run now" does not).
    const hold = trigger !== 'manual' && jobIds.some((id) => this.jobs.get(id)?.kind === 'claude') ? (this.deps.hold?.() ?? null) : null;
    for (const jobId of jobIds) {
      const job = this.jobs.get(jobId);
      if (!job) throw new AppError('not_found', `no job ${jobId}`);
      // A retry or a queued run of a job changed since to wait for approval.
      if (job.approval) result.set(jobId, this.skip(jobId, plannedAt, trigger, "not started: the job waits for the owner's approval"));
      else if (hold && job.kind === 'claude') result.set(jobId, this.heldRuns.held(job, plannedAt, trigger, hold));
      else if (!this.running.has(jobId)) free.push({ id: randomUUID(), jobId });
      else if (job.overlap === 'queue' || trigger === 'catch-up') {
        this.queued.set(jobId, [...(this.queued.get(jobId) ?? []), { plannedAt, trigger, attempt }]);
        result.set(jobId, this.store.runs(jobId, 1)[0]!);
      } else {
        result.set(jobId, this.skip(jobId, plannedAt, trigger, 'the previous run was still going'));
      }
    }
    for (const started of this.store.startRuns(free, { plannedAt, trigger, attempt, now })) {
      const run = { ...started, chainedFrom };
      const controller = new AbortController();
      this.running.set(run.jobId, controller);
      result.set(run.jobId, run);
      this.deps.events.emit('schedules.run', run);
      const job = this.jobs.get(run.jobId)!;
      const done = this.runner.execute(job, run, controller.signal).then((end) => this.endings.add(job, run, end));
      this.inFlight.add(done);
      done.finally(() => this.inFlight.delete(done)).catch((error: unknown) => log.error('scheduler: a run could not be recorded', error, { runId: run.id }));
    }
    // Left out by the store: another process holds the lock (a second instance on the same data dir).
    for (const { jobId } of free) if (!result.has(jobId)) result.set(jobId, this.skip(jobId, plannedAt, trigger, 'a run of this job is already in progress'));
    return jobIds.map((id) => result.get(id)!);
  }

  /** The plan's limit reset (known before its own timer fires): the held runs go now, in order, once. */
  releaseHeld(): void {
    this.heldRuns.releaseAll();
  }

  private skip(jobId: string, plannedAt: number | null, trigger: RunTrigger, reason: string): JobRun {
    const skipped = this.store.recordRun({ id: randomUUID(), jobId, plannedAt, status: 'skipped', trigger, reason, now: this.now() });
    this.deps.events.emit('schedules.run', skipped);
    return skipped;
  }

  /** Where runs keep their files (run-output.ts). */
  outputRoot(): string {
    return outputRootOf(this.deps.settings.get('reports.outputDir'), this.deps.env);
  }

  /** The prompt a job's next run would get, rendered now (the editor's preview). Command sources run only for the owner. */
  previewPrompt(input: Parameters<typeof renderJobPrompt>[0]['job'] & { id?: string }, from: CallContext): Promise<PromptPreview> {
    return this.runner.previewPrompt(input, from);
  }

  /**
   * A job's running Claude session leaves the instructions for the job's next run. Only a session that
   * is running a job's run now may, and only for that job: the caller names no job.
   */
  leaveNextPrompt(text: string, from: CallContext): { jobId: string; runId: string } {
    return this.runner.leaveNextPrompt(text, from);
  }

  /** The owner changes what a run left for the next one (the window only: it is what the job's Claude will be told). */
  editNextPrompt(runId: string, text: string | null, from: CallContext): JobRun {
    return this.runner.editNextPrompt(runId, text, from);
  }

  private finish(job: StoredJob, run: JobRun): void {
    this.running.delete(job.id);
    // Pruning scans a job's runs: every 20th run is often enough to keep the history near its size.
    if (++this.finished % 20 === 0) this.store.prune(job.id, this.deps.settings.get('scheduler.keepRuns'));
    this.deps.events.emit('schedules.run', run);
    // Deliveries, commands and chained jobs, in the job's order; each recorded, none undoing the run.
    if (run.status !== 'cancelled') void this.afterRun.run(job, run);
    if ((run.status === 'failed' || run.status === 'timeout') && run.attempt <= job.retries && this.jobs.has(job.id)) {
      const delay = job.retryDelaySeconds * 1000 * 2 ** (run.attempt - 1);
      disposableTimeout(() => this.jobs.has(job.id) && this.fire(job.id, run.plannedAt, 'retry', run.attempt + 1), delay, this.timers);
    }
    // Stopped: what is queued does not start now.
    if (this.timers.isDisposed) return;
    const next = this.queued.get(job.id)?.shift();
    if (next) this.fire(job.id, next.plannedAt, next.trigger, next.attempt);
  }

  private withNext(job: StoredJob): Job {
    return { ...job, nextRun: job.enabled && !job.approval ? this.triggers.nextRun(job.cron, job.timeZone) : null, recent: this.store.runs(job.id, 5).map((r) => r.status) };
  }

  private changed(id: string): Job {
    const job = this.get(id);
    const { nextRun: _next, recent: _recent, ...stored } = job;
    this.jobs.set(id, stored);
    this.triggers.arm(job);
    this.deps.events.emit('schedules.changed', job);
    return job;
  }
}
