import * as z from 'zod';
import { event, method } from './define';
import { folderPath, patchOf, withoutNul } from './fields';
import { permissionPolicies } from './sessions';

/** `held`: a Claude job not started while the plan window was over the hold threshold (it runs after the reset, or is skipped, per its missed-run policy). */
export type RunStatus = 'running' | 'ok' | 'failed' | 'timeout' | 'skipped' | 'missed' | 'cancelled' | 'held';
export type RunTrigger = 'schedule' | 'manual' | 'catch-up' | 'retry';

export const jobFields = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  kind: z.enum(['shell', 'claude']),
  cron: z.string().trim().min(1, 'must not be empty').max(200),
  timeZone: z.string().trim().min(1).max(100),
  enabled: z.boolean(),
  /** The shell command, or the prompt for Claude. */
  command: withoutNul(z.string().trim().min(1, 'must not be empty').max(100_000)),
  cwd: folderPath.nullable(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'names an environment variable'), withoutNul(z.string().max(10_000))),
  timeoutSeconds: z.number().int().min(1).max(7 * 24 * 3600),
  tags: z.array(z.string().trim().min(1).max(100)).max(50),
  model: withoutNul(z.string().trim().min(1).max(200)).nullable(),
  permissionPolicy: z.enum(permissionPolicies),
  sessionMode: z.enum(['fresh', 'persistent']),
  /** A Claude job in a repository: each session in a git worktree of its own, its diff delivered with the result. */
  worktree: z.boolean(),
  overlap: z.enum(['skip', 'queue']),
  missed: z.enum(['skip', 'once', 'each']),
  missedLimit: z.number().int().min(1).max(1000),
  graceSeconds: z.number().int().min(0).max(7 * 24 * 3600),
  retries: z.number().int().min(0).max(20),
  retryDelaySeconds: z.number().int().min(1).max(24 * 3600),
  delivery: z
    .object({
      desktop: z.boolean().default(true),
      /** A Telegram chat id, or "owner" for the private chats of the people allowed. */
      telegramChatId: z.string().max(100).nullable().default(null),
      /** A Discord channel id (a bound channel), or "owner" for the DMs of the people allowed. */
      discordChannelId: z.string().max(100).nullable().default(null),
    })
    .strict(),
};

export const jobInputSchema = z
  .object({
    name: jobFields.name,
    kind: jobFields.kind,
    cron: jobFields.cron,
    timeZone: jobFields.timeZone.default('UTC'),
    enabled: jobFields.enabled.default(true),
    command: jobFields.command,
    cwd: jobFields.cwd.default(null),
    env: jobFields.env.default({}),
    timeoutSeconds: jobFields.timeoutSeconds.default(3600),
    tags: jobFields.tags.default([]),
    model: jobFields.model.default(null),
    permissionPolicy: jobFields.permissionPolicy.default('ask'),
    sessionMode: jobFields.sessionMode.default('fresh'),
    worktree: jobFields.worktree.default(false),
    overlap: jobFields.overlap.default('skip'),
    missed: jobFields.missed.default('skip'),
    missedLimit: jobFields.missedLimit.default(5),
    graceSeconds: jobFields.graceSeconds.default(300),
    retries: jobFields.retries.default(0),
    retryDelaySeconds: jobFields.retryDelaySeconds.default(60),
    delivery: jobFields.delivery.default({ desktop: true, telegramChatId: null, discordChannelId: null }),
  })
  .strict();

export type JobInput = z.output<typeof jobInputSchema>;

/** A change to a job: only the fields given change. */
export const jobPatchSchema = patchOf(jobInputSchema);
export type JobPatch = z.output<typeof jobPatchSchema>;

/**
 * A job made or changed outside the owner's window that runs code (a shell command, or Claude looser than
 * *ask*): it waits for the owner's approval and does not run until allowed.
 */
export interface JobApprovalState {
  /** The broker's question (approvals.answer takes it); null while none is open. */
  approvalId: string | null;
  /** Who made or changed it, in words. */
  requestedBy: string;
  since: number;
}

export interface Job extends JobInput {
  id: string;
  /** Set while the job waits for the owner's approval; null for an ordinary job. */
  approval: JobApprovalState | null;
  /** The persistent session a Claude job carries on in, if it has one. */
  sessionId: string | null;
  nextRun: number | null;
  /** The latest runs' statuses, newest first, for the list. */
  recent: RunStatus[];
  createdAt: number;
  updatedAt: number;
}

/** A saved job, with what will fail at run time unless fixed (a folder that does not exist yet). */
export interface SavedJob extends Job {
  warnings: string[];
}

export interface JobRun {
  id: string;
  jobId: string;
  plannedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  status: RunStatus;
  trigger: RunTrigger;
  attempt: number;
  exitCode: number | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  resultText: string | null;
  costUsd: number | null;
  sessionId: string | null;
  reason: string | null;
}

const id = z.string().min(1).max(100);

export const schedulesMethods = {
  'schedules.list': method<Job[]>()(z.object({}).strict(), 'Every job with its next run.'),
  'schedules.create': method<SavedJob>()(jobInputSchema, 'A new job; the expression and time zone are checked, naming what is wrong.'),
  'schedules.update': method<SavedJob>()(z.object({ id }).extend(jobPatchSchema.shape).strict(), 'Change a job: only the fields given change; it is rescheduled at once.'),
  'schedules.delete': method<{ deleted: true }>()(z.object({ id }).strict(), 'Delete a job and its run history.'),
  'schedules.preview': method<{ runs: number[] }>()(
    z.object({ cron: jobFields.cron, timeZone: jobFields.timeZone, count: z.number().int().min(1).max(50).default(5) }).strict(),
    'The next runs of an expression in a time zone, by the rules the runner uses.',
  ),
  'schedules.runNow': method<JobRun>()(z.object({ id }).strict(), 'Run a job now (its overlap policy applies).'),
  'schedules.cancel': method<{ cancelled: boolean }>()(z.object({ id }).strict(), "Cancel a job's running run."),
  'schedules.runs': method<JobRun[]>()(z.object({ id, limit: z.number().int().min(1).max(1000).default(50) }).strict(), 'Run history, newest first.'),
};

export const schedulesEvents = {
  'schedules.changed': event<Job>('A job was created, changed or rescheduled.'),
  'schedules.removed': event<{ id: string }>('A job was deleted.'),
  'schedules.run': event<JobRun>('A run started, ended, or was recorded as skipped or missed.'),
};
