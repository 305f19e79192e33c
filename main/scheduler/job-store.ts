import type { Job, JobInput, JobRun, RunStatus, RunStepResult, RunTrigger } from '../../contract';
import type { StorageService } from '../storage/storage-service';
import { columns, toJob, toRun, type JobRow, type RunRow } from './job-rows';

/** Statuses of a run that ran (a session or command started): a last run, and what uses up a next prompt. */
const RAN = "'ok', 'failed', 'timeout', 'cancelled'";

/** Jobs, runs and the scheduler's last look at the clock, in SQLite. */
export class JobStore {
  constructor(private readonly storage: StorageService) {}

  private get db() {
    return this.storage.db;
  }

  /** How many jobs there are, how many are on, and how many runs started (or were due) since `since`: the machine panel. */
  counts(since: number): { jobs: number; jobsEnabled: number; runsSince: number } {
    const count = (sql: string, ...args: unknown[]) => (this.db.prepare(sql).pluck().get(...args) as number) ?? 0;
    return {
      jobs: count('SELECT count(*) FROM jobs'),
      jobsEnabled: count('SELECT count(*) FROM jobs WHERE enabled = 1'),
      runsSince: count('SELECT count(*) FROM job_runs WHERE coalesce(started_at, planned_at, 0) >= ?', since),
    };
  }

  insert(id: string, input: JobInput, now: number): void {
    const values = { ...columns(input), id, created_at: now, updated_at: now };
    const keys = Object.keys(values);
    this.db.prepare(`INSERT INTO jobs (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`).run(values);
  }

  update(id: string, patch: Partial<JobInput>, now: number): void {
    const values = columns(patch);
    const keys = Object.keys(values);
    if (!keys.length) return;
    this.db.prepare(`UPDATE jobs SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @now WHERE id = @id`).run({ ...values, id, now });
  }

  /** The job waits for the owner's approval (it does not run until allowed), or no longer does (null). */
  setWaiting(id: string, waiting: { requestedBy: string; since: number } | null): void {
    this.db.prepare('UPDATE jobs SET waiting_since = ?, requested_by = ?, approval_id = NULL WHERE id = ?').run(waiting?.since ?? null, waiting?.requestedBy ?? null, id);
  }

  /**
   * Whether the job was made or last changed outside the owner's window and not approved since: its runs
   * then check its folder by the rule of those callers again (the folder may have become a link since).
   */
  madeOutside(id: string): boolean {
    return !!this.db.prepare('SELECT made_outside FROM jobs WHERE id = ?').pluck().get(id);
  }

  /** Set when a caller outside the window makes or changes the job; cleared by the owner's word on it. */
  setMadeOutside(id: string, outside: boolean): void {
    this.db.prepare('UPDATE jobs SET made_outside = ? WHERE id = ?').run(outside ? 1 : 0, id);
  }

  /** The broker's question a waiting job is asked with. */
  setApprovalId(id: string, approvalId: string | null): void {
    this.db.prepare('UPDATE jobs SET approval_id = ? WHERE id = ? AND waiting_since IS NOT NULL').run(approvalId, id);
  }

  setSession(id: string, sessionId: string): void {
    this.db.prepare('UPDATE jobs SET session_id = ? WHERE id = ?').run(sessionId, id);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id).changes > 0;
  }

  job(id: string): Omit<Job, 'nextRun' | 'recent'> | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  jobs(): Omit<Job, 'nextRun' | 'recent'>[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY name').all() as JobRow[]).map(toJob);
  }

  /**
   * Starts runs (one, or all those of an instant), writing their lock rows in one statement. Returns
   * the runs that started; a job left out already has a run in progress.
   */
  startRuns(runs: readonly { id: string; jobId: string }[], at: { plannedAt: number | null; trigger: RunTrigger; attempt: number; now: number }): JobRun[] {
    const started = new Set(
      this.db
        .prepare(
          `INSERT OR IGNORE INTO active_runs (id, job_id, planned_at, started_at, trigger, attempt)
           SELECT value ->> 0, value ->> 1, ?, ?, ?, ? FROM json_each(?) RETURNING id`,
        )
        .pluck()
        .all(at.plannedAt, at.now, at.trigger, at.attempt, JSON.stringify(runs.map((r) => [r.id, r.jobId]))) as string[],
    );
    // Built here rather than read back: this runs for every job at every fire.
    return runs
      .filter((r) => started.has(r.id))
      .map((r) => ({
        id: r.id,
        jobId: r.jobId,
        plannedAt: at.plannedAt,
        startedAt: at.now,
        endedAt: null,
        status: 'running',
        trigger: at.trigger,
        attempt: at.attempt,
        exitCode: null,
        stdoutTail: null,
        stderrTail: null,
        resultText: null,
        costUsd: null,
        sessionId: null,
        reason: null,
        prompt: null,
        problems: [],
        nextPrompt: null,
        outputDir: null,
        attachments: [],
        steps: [],
        chainedFrom: null,
      }));
  }

  /** A run that did not happen: skipped or missed, with why. */
  recordRun(run: { id: string; jobId: string; plannedAt: number | null; status: 'skipped' | 'missed' | 'held'; trigger: RunTrigger; reason: string; now: number }): JobRun {
    this.db
      .prepare(`INSERT INTO job_runs (id, job_id, planned_at, ended_at, status, trigger, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(run.id, run.jobId, run.plannedAt, run.now, run.status, run.trigger, run.reason);
    return this.run(run.id)!;
  }

  /** Held runs since `since` that no later run of their job followed: they still wait for their window. */
  waitingHeld(since: number): { jobId: string; plannedAt: number | null }[] {
    return this.db
      .prepare(
        `SELECT r.job_id AS jobId, r.planned_at AS plannedAt FROM job_runs r
         WHERE r.status = 'held' AND r.ended_at >= ?
           AND NOT EXISTS (SELECT 1 FROM job_runs x WHERE x.job_id = r.job_id AND x.status != 'held' AND coalesce(x.started_at, x.ended_at) > r.ended_at)
         ORDER BY r.ended_at`,
      )
      .all(since) as { jobId: string; plannedAt: number | null }[];
  }

  /** Records how a run ended and releases its lock; the caller knows the whole run, so nothing is read back. */
  endRun(run: JobRun, end: Partial<Omit<JobRun, 'id' | 'jobId'>> & { status: RunStatus; endedAt: number }): void {
    this.db.prepare('DELETE FROM active_runs WHERE job_id = ? AND id = ?').run(run.jobId, run.id);
    this.db
      .prepare(
        `INSERT INTO job_runs (id, job_id, planned_at, started_at, ended_at, status, trigger, attempt, exit_code, stdout_tail, stderr_tail, result_text, cost_usd, session_id, reason,
           prompt, problems, next_prompt, output_dir, attachments, steps, chained_from)
         VALUES (@id, @jobId, @plannedAt, @startedAt, @endedAt, @status, @trigger, @attempt, @exitCode, @stdoutTail, @stderrTail, @resultText, @costUsd, @sessionId, @reason,
           @prompt, @problems, @nextPrompt, @outputDir, @attachments, @steps, @chainedFrom)`,
      )
      .run({
        id: run.id,
        jobId: run.jobId,
        plannedAt: run.plannedAt,
        startedAt: run.startedAt,
        trigger: run.trigger,
        attempt: run.attempt,
        status: end.status,
        endedAt: end.endedAt,
        exitCode: end.exitCode ?? null,
        stdoutTail: end.stdoutTail ?? null,
        stderrTail: end.stderrTail ?? null,
        resultText: end.resultText ?? null,
        costUsd: end.costUsd ?? null,
        sessionId: end.sessionId ?? null,
        reason: end.reason ?? null,
        prompt: end.prompt ?? null,
        problems: JSON.stringify(end.problems ?? []),
        nextPrompt: end.nextPrompt ?? null,
        outputDir: end.outputDir ?? null,
        attachments: JSON.stringify(end.attachments ?? []),
        steps: JSON.stringify(end.steps ?? []),
        chainedFrom: end.chainedFrom ?? run.chainedFrom ?? null,
      });
  }

  /** How the after-run steps went, written as each ends (the run itself is recorded already). */
  setSteps(runId: string, steps: RunStepResult[]): void {
    this.db.prepare('UPDATE job_runs SET steps = ? WHERE id = ?').run(JSON.stringify(steps), runId);
  }

  /** A next prompt left by a run in progress, kept with its lock row until the run is recorded. */
  setActiveNextPrompt(runId: string, text: string): void {
    this.db.prepare('UPDATE active_runs SET next_prompt = ? WHERE id = ?').run(text, runId);
  }

  /** The owner's change to what a recorded run left for the next one. */
  setNextPrompt(runId: string, text: string | null): boolean {
    return this.db.prepare('UPDATE job_runs SET next_prompt = ? WHERE id = ?').run(text, runId).changes > 0;
  }

  /**
   * The next prompt waiting for the job's next run, and which run left it: the newest one left, unless a
   * run that ran has been recorded since (it used it up: a next prompt is for exactly the next run).
   * A skipped or missed run renders no session, so it uses nothing up.
   */
  latestNextPrompt(jobId: string): { runId: string; text: string; endedAt: number } | null {
    return (
      (this.db
        .prepare(
          `SELECT r.id AS runId, r.next_prompt AS text, r.ended_at AS endedAt FROM job_runs r
           WHERE r.job_id = ? AND r.next_prompt IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM job_runs later WHERE later.job_id = r.job_id AND later.rowid > r.rowid AND later.status IN (${RAN}))
           ORDER BY r.ended_at DESC, r.rowid DESC LIMIT 1`,
        )
        .get(jobId) as { runId: string; text: string; endedAt: number } | undefined) ?? null
    );
  }

  /** The newest run that ran (not a skipped, missed or held one): what the template calls last_run. */
  lastRan(jobId: string): JobRun | null {
    const row = this.db
      .prepare(`SELECT * FROM job_runs WHERE job_id = ? AND status IN (${RAN}) ORDER BY coalesce(started_at, ended_at) DESC, rowid DESC LIMIT 1`)
      .get(jobId) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  /**
   * How many runs of a job with one of `statuses` ended since run `fromRunId` did (that one included): the
   * inbox's "N runs since you last looked". Null when that run is no longer kept (pruned since).
   */
  endedSince(jobId: string, fromRunId: string, statuses: readonly RunStatus[]): number | null {
    const from = (this.db.prepare('SELECT ended_at FROM job_runs WHERE id = ?').get(fromRunId) as { ended_at: number | null } | undefined)?.ended_at;
    if (from === undefined || from === null) return null;
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM job_runs WHERE job_id = ? AND ended_at >= ? AND status IN (${statuses.map(() => '?').join(', ')})`)
      .get(jobId, from, ...statuses) as { n: number };
    return row.n;
  }

  run(id: string): JobRun | undefined {
    const row = this.db.prepare('SELECT * FROM job_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  /** A job's newest runs, the one in progress first. */
  runs(jobId: string, limit: number): JobRun[] {
    const active = this.db
      .prepare(
        `SELECT id, job_id, planned_at, started_at, NULL AS ended_at, 'running' AS status, trigger, attempt, NULL AS exit_code, NULL AS stdout_tail,
           NULL AS stderr_tail, NULL AS result_text, NULL AS cost_usd, NULL AS session_id, NULL AS reason, NULL AS prompt, '[]' AS problems, next_prompt,
           NULL AS output_dir, '[]' AS attachments, '[]' AS steps, NULL AS chained_from FROM active_runs WHERE job_id = ?`,
      )
      .get(jobId) as RunRow | undefined;
    const ended = this.db.prepare('SELECT * FROM job_runs WHERE job_id = ? ORDER BY coalesce(started_at, ended_at) DESC, rowid DESC LIMIT ?').all(jobId, limit) as RunRow[];
    return (active ? [active, ...ended] : ended).slice(0, limit).map(toRun);
  }

  /** Keeps the newest `keep` runs of a job. */
  prune(jobId: string, keep: number): void {
    this.db
      .prepare('DELETE FROM job_runs WHERE job_id = ? AND id NOT IN (SELECT id FROM job_runs WHERE job_id = ? ORDER BY coalesce(started_at, ended_at) DESC, rowid DESC LIMIT ?)')
      .run(jobId, jobId, keep);
  }

  /** Keeps a shell run's process group with its lock row, for the next start to clean up after a crash. */
  setRunGroup(runId: string, pgid: number, started: number | null): void {
    this.db.prepare('UPDATE active_runs SET pgid = ?, pgid_started = ? WHERE id = ?').run(pgid, started, runId);
  }

  /** The process groups of runs a previous process left in progress. */
  leftoverGroups(): { runId: string; pgid: number; started: number | null }[] {
    return this.db.prepare('SELECT id AS runId, pgid, pgid_started AS started FROM active_runs WHERE pgid IS NOT NULL').all() as {
      runId: string;
      pgid: number;
      started: number | null;
    }[];
  }

  /** Runs a previous process left in progress: they died with it, and `reasons` says what was left of them. */
  failLeftoverRuns(now: number, reasons: ReadonlyMap<string, string> = new Map()): number {
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO job_runs (id, job_id, planned_at, started_at, ended_at, status, trigger, attempt, next_prompt, reason)
           SELECT id, job_id, planned_at, started_at, ?, 'failed', trigger, attempt, next_prompt,
                  coalesce(json_extract(?, '$.' || json_quote(id)), 'Switchboard stopped during this run') FROM active_runs`,
        )
        .run(now, JSON.stringify(Object.fromEntries(reasons)));
      return this.db.prepare('DELETE FROM active_runs').run().changes;
    })();
  }

  checkedAt(): number | null {
    return (this.db.prepare('SELECT checked_at FROM scheduler_state WHERE id = 1').pluck().get() as number | undefined) ?? null;
  }

  setCheckedAt(now: number): void {
    this.db.prepare('INSERT INTO scheduler_state (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at').run(now);
  }
}
