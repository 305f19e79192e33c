import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import schedule from 'node-schedule';
import type { Job, JobApprovalInput, JobInput, JobPatch, JobRun, PromptPreview, RunDelivery, RunTrigger, SavedJob } from '../../contract';
import { AppError, errorMessage } from '../errors';
import { expandFolder } from '../folders';
import type { EventBus } from '../events';
import { callerInWords, isOwner } from '../ipc/owner';
import type { CallContext } from '../ipc/router';
import type { Service } from '../lifecycle';
import { disposableInterval, disposableTimeout, DisposableStore, type IDisposable } from '../disposable';
import { log } from '../log';
import { withTimeout } from '../request-store';
import type { Notifier } from '../notifier';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import { killOwnGroup, processStartTime } from '../process-identity';
import { firesEverySecond, nextRuns, runsBetween, validateSchedule } from './cron';
import { JobStore } from './job-store';
import type { JobSessions } from './job-sessions';
import { runShell } from './shell-runner';
import { renderJobPrompt, type TemplateServices } from './prompt-template';
import type { TemplateRenderer } from './template-renderer';
import { AfterRun } from './after-run';
import { attachmentNote, listAttachments, runFolder, writeRule } from './run-output';

/** How often the scheduler notes the time; a longer gap between two ticks means the machine slept. */
const TICK_MS = 30_000;

/** How a run ended, as its executor reports it. */
type RunEnd = Partial<Omit<JobRun, 'id' | 'jobId'>> & { status: JobRun['status'] };

/** How the owner's question about a job ended; `cancelled` (asked again, or withdrawn) decides nothing. */
export type JobVerdict = 'allowed' | 'denied' | 'timeout' | 'cancelled';

/** The one approval broker, as the scheduler needs it: handed over by the composition root. */
export interface JobApprovals {
  /** `askedBy`: the actor who made or changed the job, who may not answer it; null when not known. */
  ask(question: JobApprovalInput, askedBy: string | null): { id: string; verdict: Promise<JobVerdict> };
  /** Who asked an earlier question (its actor), so that asking again keeps them from answering. */
  askedBy(id: string): string | null;
  /** A question asked before a restart and still open: its verdict; null when it is not open any more. */
  resume(id: string): Promise<JobVerdict> | null;
  cancel(id: string, reason: string): void;
}

/**
 * Whether a job runs code on the user's machine without each step being asked: a shell command, or Claude
 * in a mode looser than *ask* (plan asks before it acts, so it is not).
 */
export function runsCode(job: Pick<JobInput, 'kind' | 'permissionPolicy'> & Partial<Pick<JobInput, 'sources' | 'steps' | 'delivery'>>): boolean {
  // Mailing a run's result and files, or sending them to a chat other than the owner's, is sending
  // files out: the owner's to decide, like code.
  return job.kind === 'shell' || job.permissionPolicy === 'acceptEdits' || job.permissionPolicy === 'bypass' || shellCommands(job).length > 0 || sendsOut(job.delivery);
}

/** A delivery that reaches someone other than the owner's own chats and desktop. */
function sendsOut(delivery: Partial<JobInput['delivery']> | undefined): boolean {
  return (delivery?.email?.length ?? 0) > 0 || (delivery?.chats ?? []).some((c) => c.target !== 'owner');
}

/** The shell commands a job runs besides its own: its template's command sources and its after-run shell steps. */
export function shellCommands(job: Partial<Pick<JobInput, 'sources' | 'steps'>>): string[] {
  return [
    ...(job.sources ?? []).flatMap((s) => (s.kind === 'command' ? [`template source ${s.name}: ${s.command}`] : [])),
    ...(job.steps ?? []).flatMap((s) => (s.kind === 'shell' ? [`after the run: ${s.command}`] : [])),
  ];
}

/** What a job runs: a change to one of these from outside the owner's window asks the owner again. */
const WHAT_IT_RUNS = ['command', 'cwd', 'env', 'kind', 'permissionPolicy', 'sources', 'steps', 'delivery'] as const;
/** What the owner's question shows besides: a waiting job changed in these is asked again, so the card says what is true. */
const SHOWN = [...WHAT_IT_RUNS, 'name', 'cron', 'timeZone'] as const;

function differs(before: JobInput, after: JobInput, fields: readonly (keyof JobInput)[]): boolean {
  return fields.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

interface Pending {
  plannedAt: number | null;
  trigger: RunTrigger;
  attempt: number;
}

/**
 * Shell commands and Claude prompts on cron schedules, in time zones. Every run is recorded,
 * including the ones that did not happen; runs that fell while the machine slept or the app was
 * closed are found on start and on wake and handled by each job's missed-run policy.
 */
export class SchedulerService implements Service {
  readonly name = 'scheduler';
  private readonly store: JobStore;
  /**
   * One node-schedule timer per distinct (expression, time zone), firing all its jobs together:
   * jobs often share a schedule, and 1,000 separate timers due at one instant queue behind each
   * other's rescheduling. `firedAt` is the instant it last started its jobs.
   */
  private readonly triggers = new Map<string, { timer: schedule.Job; jobs: Set<string>; firedAt: number }>();
  /**
   * Which triggers are due at each instant: the first of them to fire starts the jobs of all, so
   * jobs in different time zones that fall on one instant start together, in one write.
   */
  private readonly dueAt = new Map<number, Set<string>>();
  /** Which trigger each job is on, so re-arming one job does not scan them all. */
  private readonly triggerOf = new Map<string, string>();
  private readonly running = new Map<string, AbortController>();
  /** The session of each running Claude run, known from its start (the stored run gets it when it ends). */
  private readonly runSessions = new Map<string, string>();
  /** Held runs waiting for their window to reset, by job, and the timers that release them. */
  private readonly waiting = new Map<string, (number | null)[]>();
  private readonly releases = new Map<number, IDisposable>();
  private readonly queued = new Map<string, Pending[]>();
  /** The timers start() and runs arm (the tick, releases of held runs, retries): stop() releases them, and any armed after. */
  private timers = new DisposableStore();
  /** Runs under way, until each has queued its ending: stop() awaits them. */
  private readonly inFlight = new Set<Promise<void>>();
  private lastTick = 0;
  private finished = 0;
  /** Runs that ended since the last flush: recorded together, one transaction per turn of the event loop. */
  private endings: { job: Omit<Job, 'nextRun' | 'recent'>; run: JobRun; end: RunEnd & { endedAt: number } }[] = [];
  /** Each schedule's next fire time and when it was computed (see nextRun). */
  private readonly upcoming = new Map<string, { from: number; next: number | null }>();
  /** Jobs as last stored: firing reads them for every run, and parsing rows each time was the cost. */
  private readonly jobs = new Map<string, Omit<Job, 'nextRun' | 'recent'>>();

  constructor(
    private readonly deps: {
      storage: StorageService;
      events: EventBus;
      /** The sessions Claude jobs run in (the session manager, from the root). */
      sessions: JobSessions;
      settings: SettingsService;
      notifier: Notifier;
      env: NodeJS.ProcessEnv;
      /** Whether Claude runs as root, where the CLI refuses to bypass permissions. */
      isRoot?: boolean;
      /** The clock; tests move it to simulate downtime. */
      now?: () => number;
      /** Replaces running the command (the scheduler benchmark times firing, not process start). */
      execute?: (job: Omit<Job, 'nextRun' | 'recent'>, run: JobRun) => Promise<RunEnd>;
      /** Whether Claude jobs must wait now: the plan window over the hold threshold (until it resets), or a budget spent (no end known). */
      hold?: () => { reason: string; until: number | null } | null;
      /** The owner's questions about jobs made outside their window; without it such jobs wait, unasked. */
      approvals?: JobApprovals;
      /** Why a folder may not be a job's for this maker (work-folder.ts, from the root), or null. */
      workFolder?: (folder: string, owner: boolean) => string | null;
      /** Memory and history search for templates' sources (none: those sources fail, saying so). */
      templates?: Omit<TemplateServices, 'shell' | 'render'>;
      /** Renders templates in a worker with a deadline (none: in-thread). */
      templateRenderer?: TemplateRenderer;
      /** Sends a run's result and files to the job's targets (chats, mail); says where it went. */
      deliver?: (delivery: RunDelivery) => Promise<string[]>;
      /** A session in a git worktree of its own (main/worktrees/, from the root), for a job that asks for one. */
      worktreeSession?: (input: { title: string; cwd: string; model: string | null; permissionPolicy: Job['permissionPolicy']; surfaceKey: string }) => Promise<{ id: string }>;
      /** What a session's worktree holds against its base, in one line ("2 files changed, +4 −1 on …"); null when nothing. */
      changesLine?: (sessionId: string) => Promise<string | null>;
    },
  ) {
    this.store = new JobStore(deps.storage);
    this.afterRun = new AfterRun({
      store: this.store,
      events: deps.events,
      env: deps.env,
      deliver: (d) => this.deliver(d),
      startJob: (jobId, from) => this.chain(jobId, from),
      job: (id) => this.jobs.get(id),
    });
  }

  private readonly afterRun: AfterRun;
  /** The run each job's Claude session is doing now, so set_next_prompt finds its own job and no other. */
  private readonly runOfSession = new Map<string, { jobId: string; runId: string }>();
  /** Next prompts left by runs in progress. */
  private readonly leftPrompts = new Map<string, string>();

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  start(): void {
    const failed = this.store.failLeftoverRuns(this.now(), this.killLeftoverGroups());
    if (failed) log.warn(`${failed} job run(s) were cut short when Switchboard last stopped`);
    for (const job of this.store.jobs()) {
      this.jobs.set(job.id, job);
      this.arm(job);
    }
    this.timers = new DisposableStore();
    this.releases.clear();
    this.resumeApprovals();
    this.checkMissed();
    this.resumeHeld();
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

  /** Shell runs that outlived a crashed Switchboard are killed before they are recorded as failed. */
  private killLeftoverGroups(): Map<string, string> {
    const reasons = new Map<string, string>();
    for (const { runId, pgid, started } of this.store.leftoverGroups()) {
      const outcome = killOwnGroup(pgid, started);
      if (outcome === 'killed') {
        log.warn('killed the processes of a job run left from the last start', { runId, pgid });
        reasons.set(runId, `Switchboard stopped during this run; the command was still running (process group ${pgid}) and was killed at the next start`);
      }
    }
    return reasons;
  }

  async stop(): Promise<void> {
    // Retries and releases armed by runs ending from here on are released as they are armed.
    this.timers.dispose();
    this.releases.clear();
    for (const trigger of this.triggers.values()) trigger.timer.cancel();
    this.triggers.clear();
    this.triggerOf.clear();
    this.dueAt.clear();
    this.store.setCheckedAt(this.now());
    for (const controller of this.running.values()) controller.abort();
    // Cancelled runs record themselves: a command gets 5 s after its signal before it is killed.
    await withTimeout(Promise.allSettled(this.inFlight), 6000, null);
    this.deps.templateRenderer?.stop();
    this.flushEndings();
  }

  list(): Job[] {
    return this.store.jobs().map((job) => this.withNext(job));
  }

  /** How many jobs there are, how many are on, and how many runs since `since` (the machine panel, through the root). */
  counts(since: number): { jobs: number; jobsEnabled: number; runsSince: number } {
    return this.store.counts(since);
  }

  get(id: string): Job {
    const job = this.store.job(id);
    if (!job) throw new AppError('not_found', `no job ${id}`);
    return this.withNext(job);
  }

  /**
   * A new job. One that runs code, made outside the owner's window (MCP, a chat, a Claude session), is saved
   * waiting for the owner's approval: it does not run until they allow it, and is deleted if they do not.
   */
  create(input: JobInput, from: CallContext): SavedJob {
    if (!isOwner(from)) this.refuseBypass(input);
    const job = this.checked(input);
    this.refuseFolder(job, isOwner(from));
    const id = randomUUID();
    const waits = !isOwner(from) && this.needsOwner(job);
    this.deps.storage.db.transaction(() => {
      this.store.insert(id, job, this.now());
      if (waits) this.store.setWaiting(id, { requestedBy: this.describe(from), since: this.now() });
    })();
    if (waits) this.askOwner(id, 'created', from.actor);
    return this.saved(id);
  }

  /**
   * Changes a job. From outside the owner's window, a change to what a job runs (command, folder,
   * environment, kind, mode) makes it wait for the owner's approval again; the owner changing what a
   * waiting job runs makes it theirs, an ordinary job.
   */
  update(id: string, given: JobPatch, from: CallContext): SavedJob {
    const current = this.get(id);
    // A nested delivery given in part changes only the targets it names.
    const { delivery, ...fields } = given;
    const patch: Partial<JobInput> = { ...fields, ...(delivery && { delivery: { ...current.delivery, ...delivery } }) };
    const owner = isOwner(from);
    if (!owner && differs(current, { ...current, ...patch }, WHAT_IT_RUNS)) this.refuseBypass({ ...current, ...patch });
    const job = this.checked({ ...current, ...patch });
    if (patch.cwd !== undefined) this.refuseFolder(job, owner);
    this.refuseCycle(id, job.steps);
    const runChanged = differs(current, job, WHAT_IT_RUNS);
    const waited = current.approval;
    // From outside the window, any change to a job that runs code asks again: its prompt, values, model,
    // schedule or switch are as much what it does as its command (a loose job told to run anything, every minute).
    const anyChange = differs(current, job, Object.keys(patch) as (keyof JobInput)[]);
    // The question asked again (what it shows changed), or no longer needed (the owner set what it runs, or it runs no code now).
    const ask = owner ? !!waited && !runChanged && differs(current, job, SHOWN) : this.needsOwner(job) && (anyChange || (!!waited && differs(current, job, SHOWN)));
    const clear = !!waited && !ask && (owner ? runChanged : !this.needsOwner(job));
    this.deps.storage.db.transaction(() => {
      this.store.update(id, { ...patch, ...(patch.cwd !== undefined && { cwd: job.cwd }) }, this.now());
      if (ask) this.store.setWaiting(id, { requestedBy: owner ? waited!.requestedBy : this.describe(from), since: waited?.since ?? this.now() });
      if (clear) this.store.setWaiting(id, null);
    })();
    if (waited?.approvalId && (ask || clear)) {
      this.deps.approvals?.cancel(waited.approvalId, clear ? (owner ? 'Changed in the window: it is an ordinary job now.' : 'The job was changed and no longer needs approval.') : 'The job was changed; asked again with what it runs now.');
    }
    if (ask) this.askOwner(id, 'changed', owner ? (waited?.approvalId ? (this.deps.approvals?.askedBy(waited.approvalId) ?? null) : null) : from.actor);
    return this.saved(id);
  }

  /** Bypassing permissions is the owner's choice alone, whoever else asks (not only as root). */
  /** Claude reads in a job's folder without asking, and its file sources read from it: not the data folder, nor (from outside the window) home. */
  private refuseFolder(job: JobInput, owner: boolean): void {
    const refused = job.cwd ? this.deps.workFolder?.(job.cwd, owner) : null;
    if (refused) throw new AppError('invalid_input', `cwd: ${refused}`);
  }

  private refuseBypass(job: JobInput): void {
    if (job.kind === 'claude' && job.permissionPolicy === 'bypass') {
      throw new AppError('invalid_input', 'permissionPolicy: a job that bypasses permissions can be made or changed only in the Switchboard window, not from here.');
    }
  }

  /** Who asked, in the owner's words: a Claude session by its title when it is one of ours. */
  private describe(from: CallContext): string {
    const sessionId = from.actor.startsWith('session:') ? from.actor.slice('session:'.length) : null;
    const title = sessionId ? this.deps.sessions.list().find((s) => s.id === sessionId)?.title : undefined;
    return title ? `the Claude session “${title}”, through its MCP tools` : callerInWords(from);
  }

  /** Asks the owner about a waiting job, through the one broker; the answer allows or deletes it. */
  private askOwner(id: string, change: JobApprovalInput['change'], askedBy: string | null): void {
    const job = this.store.job(id);
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
    }, askedBy);
    this.store.setApprovalId(id, approvalId);
    this.follow(id, approvalId, verdict);
  }

  private follow(jobId: string, approvalId: string, verdict: Promise<JobVerdict>): void {
    verdict.then((v) => this.decided(jobId, approvalId, v)).catch((error: unknown) => log.error('could not apply the answer about a job', error));
  }

  /** The owner answered (or nobody did): allowed, it is an ordinary job; denied or unanswered, it is deleted. */
  private decided(jobId: string, approvalId: string, verdict: JobVerdict): void {
    const job = this.store.job(jobId);
    // Asked again since, deleted meanwhile, or Switchboard stopping: this answer decides nothing.
    if (!job?.approval || job.approval.approvalId !== approvalId || verdict === 'cancelled') return;
    if (verdict === 'allowed') {
      this.store.setWaiting(jobId, null);
      this.changed(jobId);
      return;
    }
    this.delete(jobId);
    this.deps.notifier.notify({
      title: `Job deleted: ${job.name}`,
      body: verdict === 'timeout' ? `Nobody approved it in time (made by ${job.approval.requestedBy}), so it was deleted without running.` : `You denied it (made by ${job.approval.requestedBy}); it was deleted without running.`,
      link: '#/schedules',
    });
  }

  /** Jobs still waiting when Switchboard stopped wait on: their open question is picked up again, or asked anew. */
  private resumeApprovals(): void {
    for (const job of this.jobs.values()) {
      if (!job.approval) continue;
      const verdict = job.approval.approvalId ? this.deps.approvals?.resume(job.approval.approvalId) : null;
      if (verdict) this.follow(job.id, job.approval.approvalId!, verdict);
      else this.askOwner(job.id, job.updatedAt > job.createdAt ? 'changed' : 'created', job.approval.approvalId ? (this.deps.approvals?.askedBy(job.approval.approvalId) ?? null) : null);
    }
  }

  /** Refuses now what could only fail at every run; the folder is stored as the absolute path it names. */
  private checked<J extends JobInput>(job: J): J {
    validateSchedule(job.cron, job.timeZone);
    const names = job.sources.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new AppError('invalid_input', `sources: two sources are named ${twice}; each needs its own name`);
    for (const step of job.steps) {
      if (step.kind === 'job' && !this.jobs.has(step.jobId)) throw new AppError('invalid_input', `steps: there is no job ${step.jobId} to start after the run`);
    }
    if (job.kind === 'claude' && job.permissionPolicy === 'bypass' && (this.deps.isRoot ?? process.getuid?.() === 0)) {
      throw new AppError('invalid_input', 'permissionPolicy: the Claude CLI refuses to bypass permissions when it runs as root, so every run would fail');
    }
    return { ...job, cwd: job.cwd === null ? null : expandFolder(job.cwd, this.deps.env) };
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
    if (job.approval?.approvalId) this.deps.approvals?.cancel(job.approval.approvalId, 'The job was deleted.');
    this.running.get(id)?.abort();
    this.disarm(id);
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
    return this.store.runs(id, limit).map((r) => (r.status === 'running' && !r.sessionId && this.runSessions.has(r.id) ? { ...r, sessionId: this.runSessions.get(r.id)! } : r));
  }

  /** Runs now; the overlap policy applies as to a scheduled run. Resolves when the run has started (or was skipped). */
  runNow(id: string, from?: CallContext): JobRun {
    const job = this.get(id);
    if (job.approval) {
      throw new AppError('conflict', `The job “${job.name}” is waiting for the owner's approval in Switchboard (made or changed by ${job.approval.requestedBy}); it cannot run until they allow it.`);
    }
    // Running code now, off its schedule, is the owner's call: from elsewhere a job that runs code is refused.
    if (from && !isOwner(from) && this.needsOwner(job)) {
      throw new AppError('conflict', `The job “${job.name}” runs code (${job.kind === 'shell' ? 'a shell command' : 'Claude without asking first, or commands of its own'}): only you, in Switchboard's window, can run it now; it runs on its schedule.`);
    }
    return this.fire(id, null, 'manual', 1);
  }

  /** Runs code by itself, or starts a job that does (a chain is as much code as its links). */
  private needsOwner(job: JobInput, seen = new Set<string>()): boolean {
    // A schedule finer than a minute is the owner's to allow too (a Claude job every second, 86,400 runs a day).
    if (runsCode(job) || firesEverySecond(job.cron)) return true;
    return (job.steps ?? []).some((step) => {
      if (step.kind !== 'job' || seen.has(step.jobId)) return false;
      seen.add(step.jobId);
      const next = this.store.job(step.jobId);
      return !!next && this.needsOwner(next, seen);
    });
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

  /**
   * Finds the runs that fell since the scheduler last looked at the clock and applies each job's
   * policy: runs within the grace window are simply late and run now; older ones are missed, and
   * are skipped (recorded), run once, or run each up to the job's limit.
   */
  checkMissed(): void {
    const now = this.now();
    const since = this.store.checkedAt();
    this.store.setCheckedAt(now);
    if (since === null || now <= since) return;
    // Jobs that share a schedule share its missed times: worked out once per schedule and limit.
    const fell = new Map<string, ReturnType<typeof runsBetween>>();
    for (const job of this.jobs.values()) {
      if (!job.enabled || job.approval) continue;
      const limit = Math.max(job.missedLimit, 1);
      const key = `${job.timeZone} ${job.cron} ${limit}`;
      let missedTimes = fell.get(key);
      if (!missedTimes) fell.set(key, (missedTimes = runsBetween(job.cron, job.timeZone, new Date(since), new Date(now), limit)));
      const { times, total } = missedTimes;
      if (!total) continue;
      const late = times.filter((t) => now - t.getTime() <= job.graceSeconds * 1000);
      const missed = times.filter((t) => now - t.getTime() > job.graceSeconds * 1000);
      const uncounted = total - times.length;
      if (late.length) this.fire(job.id, late.at(-1)!.getTime(), 'catch-up', 1);
      if (!missed.length) continue;
      const runNow = job.missed === 'each' ? missed : job.missed === 'once' && !late.length ? [missed.at(-1)!] : [];
      const recorded = missed.filter((t) => !runNow.includes(t));
      for (const t of recorded) {
        const reason = job.missed === 'skip' ? 'missed while Switchboard was not running; the policy skips missed runs' : 'missed; the policy runs only the latest one';
        this.deps.events.emit('schedules.run', this.store.recordRun({ id: randomUUID(), jobId: job.id, plannedAt: t.getTime(), status: 'missed', trigger: 'schedule', reason, now }));
      }
      if (uncounted > 0) {
        this.deps.events.emit(
          'schedules.run',
          this.store.recordRun({ id: randomUUID(), jobId: job.id, plannedAt: null, status: 'missed', trigger: 'schedule', reason: `and ${uncounted} earlier runs missed as well`, now }),
        );
      }
      for (const t of runNow) this.fire(job.id, t.getTime(), 'catch-up', 1);
    }
  }

  // --- running ---------------------------------------------------------------------------------

  private arm(job: Omit<Job, 'nextRun' | 'recent'>): void {
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

  private disarm(jobId: string): void {
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

  private fire(jobId: string, plannedAt: number | null, trigger: RunTrigger, attempt: number, chainedFrom: string | null = null): JobRun {
    return this.startRuns([jobId], plannedAt, trigger, attempt, chainedFrom)[0]!;
  }

  /** The desktop note, then the chats and mail the core hands over; says where the result went. */
  private async deliver(delivery: RunDelivery): Promise<string[]> {
    const { job, run } = delivery;
    const where: string[] = [];
    if (job.delivery.desktop) {
      this.deps.notifier.notify({
        title: `${job.name}: ${run.status === 'ok' ? 'done' : run.status}`,
        body: `${(run.resultText ?? run.reason ?? run.stdoutTail ?? '').trim().slice(0, 200)}${delivery.files.length ? ` (${delivery.files.length} file${delivery.files.length === 1 ? '' : 's'})` : ''}`,
        link: `#/schedules/${job.id}/runs/${run.id}`,
      });
      where.push('desktop');
    }
    if (this.deps.deliver) where.push(...(await this.deps.deliver(delivery)));
    return where;
  }

  /** The jobs a chain of runs went through, newest first, following each run back to the one that started it. */
  private chainOf(run: JobRun): string[] {
    const jobs = [run.jobId];
    let from = run.chainedFrom;
    while (from && jobs.length < 100) {
      const earlier = this.store.run(from);
      if (!earlier) break;
      jobs.push(earlier.jobId);
      from = earlier.chainedFrom;
    }
    return jobs;
  }

  /** A job started by another's after-run step; refused when it already ran in this chain (a cycle would run forever). */
  private chain(jobId: string, from: JobRun): JobRun {
    const job = this.get(jobId);
    const chain = this.chainOf(from);
    if (chain.includes(jobId)) {
      const names = [...chain].reverse().map((id) => this.jobs.get(id)?.name ?? id);
      throw new AppError('conflict', `Not started: “${job.name}” already ran in this chain (${[...names, job.name].join(' → ')}); starting it again would never end.`);
    }
    if (job.approval) throw new AppError('conflict', `Not started: “${job.name}” waits for the owner's approval.`);
    return this.fire(jobId, null, 'manual', 1, from.id);
  }

  /** Refuses steps that would start jobs in a circle (A starts B, B starts A), naming the circle. */
  private refuseCycle(id: string, steps: JobInput['steps']): void {
    const next = (jobId: string): string[] => (jobId === id ? steps : (this.jobs.get(jobId)?.steps ?? [])).flatMap((s) => (s.kind === 'job' ? [s.jobId] : []));
    const walk = (jobId: string, path: string[]): string[] | null => {
      for (const to of next(jobId)) {
        if (to === id) return [...path, to];
        if (path.includes(to)) continue;
        const found = walk(to, [...path, to]);
        if (found) return found;
      }
      return null;
    };
    const cycle = walk(id, [id]);
    if (cycle) throw new AppError('invalid_input', `steps: this would start jobs in a circle (${cycle.map((j) => this.jobs.get(j)?.name ?? 'this job').join(' → ')}), which would never end`);
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
      else if (hold && job.kind === 'claude') result.set(jobId, this.held(job, plannedAt, trigger, hold));
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
      const done = this.execute(job, run, controller.signal).then((end) => this.complete(job, run, end));
      this.inFlight.add(done);
      done.finally(() => this.inFlight.delete(done)).catch((error: unknown) => log.error('scheduler: a run could not be recorded', error, { runId: run.id }));
    }
    // Left out by the store: another process holds the lock (a second instance on the same data dir).
    for (const { jobId } of free) if (!result.has(jobId)) result.set(jobId, this.skip(jobId, plannedAt, trigger, 'a run of this job is already in progress'));
    return jobIds.map((id) => result.get(id)!);
  }

  /**
   * A Claude job due while it must wait: recorded as held (or skipped, for a spent budget), and run
   * when the window resets if its missed-run policy runs missed runs.
   */
  private held(job: Omit<Job, 'nextRun' | 'recent'>, plannedAt: number | null, trigger: RunTrigger, hold: { reason: string; until: number | null }): JobRun {
    if (hold.until === null) return this.skip(job.id, plannedAt, trigger, `not started: ${hold.reason}`);
    const then = job.missed === 'skip' ? 'the job skips missed runs, so this one will not run' : job.missed === 'once' ? 'it runs once then' : 'it runs then';
    const run = this.store.recordRun({ id: randomUUID(), jobId: job.id, plannedAt, status: 'held', trigger, reason: `held: ${hold.reason}; ${then}`, now: this.now() });
    this.deps.events.emit('schedules.run', run);
    if (job.missed !== 'skip') {
      const waiting = this.waiting.get(job.id) ?? [];
      // "once": the latest held run stands for all of them.
      this.waiting.set(job.id, job.missed === 'once' ? [plannedAt] : [...waiting, plannedAt]);
      const until = hold.until;
      if (!this.releases.has(until)) this.releases.set(until, disposableTimeout(() => this.release(until), Math.max(0, until - Date.now()) + 1000, this.timers));
    }
    return run;
  }

  /** Held runs still waiting when Switchboard stopped wait again (or go now, if their window has reset meanwhile). */
  private resumeHeld(): void {
    const held = this.store.waitingHeld(this.now() - 7 * 86_400_000);
    for (const { jobId, plannedAt } of held) {
      const job = this.jobs.get(jobId);
      if (!job || job.missed === 'skip') continue;
      this.waiting.set(jobId, job.missed === 'once' ? [plannedAt] : [...(this.waiting.get(jobId) ?? []), plannedAt]);
    }
    if (!this.waiting.size) return;
    const until = this.deps.hold?.()?.until ?? this.now();
    this.releases.set(until, disposableTimeout(() => this.release(until), Math.max(0, until - Date.now()) + 1000, this.timers));
  }

  /** The plan's limit reset (known before its own timer fires): the held runs go now, in order, once. */
  releaseHeld(): void {
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
      if (!this.jobs.has(jobId)) continue;
      for (const plannedAt of planned) this.fire(jobId, plannedAt, 'catch-up', 1);
    }
  }

  private skip(jobId: string, plannedAt: number | null, trigger: RunTrigger, reason: string): JobRun {
    const skipped = this.store.recordRun({ id: randomUUID(), jobId, plannedAt, status: 'skipped', trigger, reason, now: this.now() });
    this.deps.events.emit('schedules.run', skipped);
    return skipped;
  }

  private async execute(job: Omit<Job, 'nextRun' | 'recent'>, run: JobRun, signal: AbortSignal): Promise<RunEnd> {
    try {
      if (this.deps.execute) return await this.deps.execute(job, run);
      if (job.kind === 'shell') {
        // A script's files for the user go in its run's folder too ($SWITCHBOARD_RUN_DIR): they are the run's attachments.
        const outputDir = runFolder(this.outputRoot(), job, run);
        const ended = await runShell({
          command: job.command,
          cwd: job.cwd,
          env: { ...this.deps.env, ...job.env, SWITCHBOARD_RUN_DIR: outputDir, SWITCHBOARD_RUN_ID: run.id },
          timeoutMs: job.timeoutSeconds * 1000,
          signal,
          onStart: (pgid) => this.store.setRunGroup(run.id, pgid, processStartTime(pgid)),
        });
        return { ...ended, outputDir };
      }
      return await this.runClaude(job, run, signal);
    } catch (error) {
      return { status: 'failed', reason: errorMessage(error) };
    }
  }

  /**
   * Queues a run's ending; the queue is written in one transaction on the next turn. Runs that end
   * together (a burst of quick commands) would otherwise each commit alone, and hold up the timers.
   */
  private complete(job: Omit<Job, 'nextRun' | 'recent'>, run: JobRun, end: RunEnd): void {
    const nextPrompt = this.leftPrompts.get(run.id) ?? null;
    this.leftPrompts.delete(run.id);
    // What the run left in its folder, listed as it ends (a folder Claude never wrote to has none).
    const attachments = end.outputDir ? listAttachments(end.outputDir) : [];
    this.endings.push({ job, run, end: { ...end, nextPrompt, attachments, endedAt: this.now() } });
    if (this.endings.length > 1) return;
    setImmediate(() => this.flushEndings());
  }

  /** Writes the queued endings in one transaction, then finishes each run. */
  private flushEndings(): void {
    const batch = this.endings;
    if (!batch.length) return;
    this.endings = [];
    // Each ending on its own savepoint: one that cannot be written (its job deleted during the run) does not drop the rest.
    const one = this.deps.storage.db.transaction((r: JobRun, e: RunEnd & { endedAt: number }) => this.store.endRun(r, e));
    const gone = new Set<string>();
    this.deps.storage.db.transaction(() => {
      for (const { run: r, end: e } of batch) {
        try {
          if (this.jobs.has(r.jobId)) one(r, e);
          else gone.add(r.id);
        } catch (error) {
          if (this.store.job(r.jobId)) log.error('scheduler: a run’s ending could not be recorded', error, { runId: r.id });
          else gone.add(r.id);
        }
      }
    })();
    for (const { job: j, run: r, end: e } of batch) {
      if (!gone.has(r.id)) this.finish(j, { ...r, ...e });
      else {
        log.info('scheduler: a run ended after its job was deleted; nothing to record', { runId: r.id, jobId: j.id });
        this.running.delete(j.id);
      }
    }
  }

  /** Where runs keep their files: the setting, or Switchboard/Runs in the home folder (outside the data folder, so its files may be sent). */
  outputRoot(): string {
    const home = this.deps.env.HOME || this.deps.env.USERPROFILE;
    // Without a home folder in its environment (a test's core), the runs go to the temp folder rather than the real home.
    return expandFolder(this.deps.settings.get('reports.outputDir') ?? (home ? path.join(home, 'Switchboard', 'Runs') : path.join(os.tmpdir(), 'switchboard-runs')), this.deps.env);
  }

  /** The services a template's sources use: memory and history from the core, a shell in the job's folder with the job's environment. */
  private templateServices(env: Record<string, string>): TemplateServices {
    const none = async () => {
      throw new Error('search is not available here');
    };
    return {
      memories: this.deps.templates?.memories ?? none,
      history: this.deps.templates?.history ?? none,
      unreadable: this.deps.templates?.unreadable,
      shell: (command, cwd, timeoutMs) => runShell({ command, cwd, env: { ...this.deps.env, ...env }, timeoutMs, signal: AbortSignal.timeout(timeoutMs + 10_000) }),
      ...(this.deps.templateRenderer && { render: (data) => this.deps.templateRenderer!.render(data) }),
    };
  }

  /** The prompt a job's next run would get, rendered now (the editor's preview). Command sources run only for the owner. */
  async previewPrompt(input: Parameters<typeof renderJobPrompt>[0]['job'] & { id?: string }, from: CallContext): Promise<PromptPreview> {
    const saved = input.id ? this.jobs.get(input.id) : undefined;
    const job = { ...input, cwd: input.cwd === null ? null : expandFolder(input.cwd, this.deps.env), name: saved?.name, id: saved?.id };
    // A preview reads the folder's files as a run would: the same folder rule as the job's maker.
    this.refuseFolder({ cwd: job.cwd } as JobInput, isOwner(from));
    return renderJobPrompt(
      {
        job,
        run: null,
        lastRun: saved ? this.store.lastRan(saved.id) : null,
        nextPrompt: saved ? this.store.latestNextPrompt(saved.id) : null,
        now: this.now(),
        allowCommands: isOwner(from),
      },
      this.templateServices(saved?.env ?? {}),
    );
  }

  /**
   * A job's running Claude session leaves the instructions for the job's next run. Only a session that
   * is running a job's run now may, and only for that job: the caller names no job.
   */
  leaveNextPrompt(text: string, from: CallContext): { jobId: string; runId: string } {
    const sessionId = from.actor.startsWith('session:') ? from.actor.slice('session:'.length) : null;
    const mine = sessionId ? this.runOfSession.get(sessionId) : undefined;
    if (!mine) throw new AppError('conflict', "set_next_prompt is only for a scheduled job's own Claude session while its run is going; this caller is not running one.");
    this.leftPrompts.set(mine.runId, text);
    this.store.setActiveNextPrompt(mine.runId, text);
    return mine;
  }

  /** The owner changes what a run left for the next one (the window only: it is what the job's Claude will be told). */
  editNextPrompt(runId: string, text: string | null, from: CallContext): JobRun {
    if (!isOwner(from)) throw new AppError('unauthorized', 'The next prompt of a job can be changed only in the Switchboard window.');
    const run = this.store.run(runId);
    if (!run) throw new AppError('not_found', `no recorded run ${runId}`);
    this.store.setNextPrompt(runId, text?.trim() ? text.trim() : null);
    const changed = this.store.run(runId)!;
    this.deps.events.emit('schedules.run', changed);
    return changed;
  }

  /** A Claude job: a fresh session each run, or one that carries on from run to run. */
  private async runClaude(job: Omit<Job, 'nextRun' | 'recent'>, run: JobRun, signal: AbortSignal): Promise<RunEnd> {
    const sessions = this.deps.sessions;
    const jobFolder = runFolder(this.outputRoot(), job);
    const outputDir = runFolder(this.outputRoot(), job, run);
    const rendered = await renderJobPrompt(
      { job, run: { id: run.id, outputDir, attempt: run.attempt }, lastRun: this.store.lastRan(job.id), nextPrompt: this.store.latestNextPrompt(job.id), now: this.now(), allowCommands: true },
      this.templateServices(job.env),
    );
    const made = { outputDir, problems: rendered.problems, prompt: rendered.prompt };
    if (rendered.failed) return { ...made, status: 'failed', prompt: null, reason: `not started: ${rendered.failed}` };
    if (rendered.wouldSkip) return { ...made, status: 'skipped', prompt: null, reason: `not started: the prompt could not be filled (${rendered.problems.join('; ')}); the job skips a run with a gap` };
    const told = `${attachmentNote(outputDir)} To leave instructions for this job's next run, call the set_next_prompt tool.`;
    const systemPrompt = [rendered.systemPrompt, told].filter(Boolean).join('\n\n');
    let sessionId = job.sessionMode === 'persistent' ? job.sessionId : null;
    if (!sessionId || !sessions.list().some((s) => s.id === sessionId)) {
      const fields = {
        title: job.sessionMode === 'persistent' ? `Job: ${job.name}` : `Job: ${job.name} (${new Date(run.startedAt ?? this.now()).toISOString().slice(0, 16)})`,
        cwd: job.cwd,
        model: job.model,
        permissionPolicy: job.permissionPolicy,
        systemPrompt,
        // Its own output folder and its own next prompt need no question: nothing else is loosened.
        allowedTools: [...writeRule(jobFolder), 'mcp__switchboard__set_next_prompt'],
        surfaceKey: job.sessionMode === 'persistent' ? `job:${job.id}` : `job:${job.id}:${run.id}`,
      };
      const created =
        job.worktree && job.cwd && this.deps.worktreeSession
          ? await this.deps.worktreeSession({ ...fields, cwd: job.cwd }).catch((error: unknown) => {
              throw new Error(`the job's worktree could not be made: ${errorMessage(error)}`);
            })
          : sessions.create({ ...fields, surface: 'schedule' });
      sessionId = created.id;
      if (job.sessionMode === 'persistent') {
        this.store.setSession(job.id, sessionId);
        this.jobs.set(job.id, { ...job, sessionId });
      }
    }
    else if (job.template) {
      // A session carried on from run to run keeps the system prompt it started with: the template's part applies from its next start.
      await sessions.update({ id: sessionId, systemPrompt });
    }
    // A carried-on session's process may predate this run's folder: a template job is told in the prompt too.
    const text = job.sessionMode === 'persistent' && job.template ? `${rendered.prompt}\n\n(${told})` : rendered.prompt;
    this.runOfSession.set(sessionId, { jobId: job.id, runId: run.id });
    this.runSessions.set(run.id, sessionId);
    this.deps.events.emit('schedules.run', { ...run, sessionId });
    try {
      const asked = await sessions.ask({ id: sessionId, text, timeoutMs: job.timeoutSeconds * 1000 }, { surface: 'schedule', actor: `job:${job.id}` }, signal);
      if (asked.timedOut) {
        // The job's timeout holds: the turn is stopped, not left running.
        void sessions.interrupt(sessionId);
        return { ...made, status: 'timeout', sessionId, reason: `interrupted after the ${job.timeoutSeconds} s timeout` };
      }
      const ended = asked.turn;
      // A fresh run's session is never spoken to again: its process goes now, not after the idle time.
      if (job.sessionMode === 'fresh') void sessions.release(sessionId).catch((error: unknown) => log.error('scheduler: stopping a fresh run’s process failed', error));
      const status = signal.aborted ? 'cancelled' : ended.status === 'done' ? 'ok' : 'failed';
      // A job in a worktree delivers what it changed with its result (the diff itself is in the session's Changes tab).
      const changed = job.worktree ? await this.deps.changesLine?.(sessionId).catch(() => null) : null;
      const resultText = changed ? `${ended.resultText ?? ''}\n\n${changed}`.trim() : ended.resultText;
      return { ...made, status, sessionId, resultText, costUsd: ended.costUsd, reason: status === 'ok' ? null : (ended.error ?? ended.status) };
    } finally {
      this.runOfSession.delete(sessionId);
      this.runSessions.delete(run.id);
    }
  }

  private finish(job: Omit<Job, 'nextRun' | 'recent'>, run: JobRun): void {
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

  private withNext(job: Omit<Job, 'nextRun' | 'recent'>): Job {
    return { ...job, nextRun: job.enabled && !job.approval ? this.nextRun(job.cron, job.timeZone) : null, recent: this.store.runs(job.id, 5).map((r) => r.status) };
  }

  /**
   * The next fire time of a schedule, remembered until it passes (and given by node-schedule as it
   * arms a timer): computing it in a time zone takes ~2 ms (cron-parser steps through luxon), and the
   * Schedules list asks for every job each time.
   */
  private nextRun(cron: string, timeZone: string): number | null {
    const key = `${timeZone} ${cron}`;
    const now = this.now();
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

  private changed(id: string): Job {
    const job = this.get(id);
    const { nextRun: _next, recent: _recent, ...stored } = job;
    this.jobs.set(id, stored);
    this.arm(job);
    this.deps.events.emit('schedules.changed', job);
    return job;
  }
}
