import * as z from 'zod';
import { event, method } from './define';
import { chatApps, chatSurfaces } from './chat';
import { emailAddress, folderPath, patchOf, withoutNul } from './fields';
import { permissionPolicies } from './sessions';

/** `held`: a Claude job not started while the plan window was over the hold threshold (it runs after the reset, or is skipped, per its missed-run policy). */
export type RunStatus = 'running' | 'ok' | 'failed' | 'timeout' | 'skipped' | 'missed' | 'cancelled' | 'held';
export type RunTrigger = 'schedule' | 'manual' | 'catch-up' | 'retry';

/** A name a template uses for a value: letters, digits and `_`, as Liquid reads a variable. */
const sourceName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and _, not starting with a digit')
  .max(40)
  .refine((n) => !TEMPLATE_BUILTINS.includes(n as never), 'is one of the names every template has (now, last_run, next_prompt, values, job, run)');

/** What every template can use without declaring it: the time in the job's zone, the last run, the next prompt it left, the job's values, the job and this run. */
export const TEMPLATE_BUILTINS = ['now', 'last_run', 'next_prompt', 'values', 'job', 'run'] as const;

/**
 * A named value a Claude job's template is rendered with, gathered fresh at each run. `command` runs
 * code (in the job's folder), so a job with one falls under the owner's approval like a shell job.
 */
export const promptSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memories'), name: sourceName, query: z.string().trim().min(1, 'must not be empty').max(500), limit: z.number().int().min(1).max(50).default(5) }).strict(),
  z.object({ kind: z.literal('history'), name: sourceName, query: z.string().trim().min(1, 'must not be empty').max(500), limit: z.number().int().min(1).max(50).default(5) }).strict(),
  z.object({ kind: z.literal('file'), name: sourceName, path: withoutNul(z.string().trim().min(1, 'must not be empty').max(1000)) }).strict(),
  z.object({ kind: z.literal('command'), name: sourceName, command: withoutNul(z.string().trim().min(1, 'must not be empty').max(10_000)), timeoutSeconds: z.number().int().min(1).max(600).default(30) }).strict(),
]);
export type PromptSource = z.output<typeof promptSourceSchema>;

/**
 * What happens after a run, in order. `deliver` sends the result and attachments to the job's
 * targets; `shell` runs a command (code: the owner's approval rule applies); `job` starts another job.
 * A job with no steps delivers, as every job did before steps existed.
 */
export const afterStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('deliver') }).strict(),
  z.object({ kind: z.literal('shell'), command: withoutNul(z.string().trim().min(1, 'must not be empty').max(10_000)), timeoutSeconds: z.number().int().min(1).max(3600).default(300) }).strict(),
  z
    .object({ kind: z.literal('job'), jobId: z.string().min(1).max(100), when: z.enum(['always', 'ok']).default('ok') })
    .strict(),
]);
export type AfterStep = z.output<typeof afterStepSchema>;

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
  /** A Claude job's prompt (and system prompt) is a Liquid template, rendered at each run from its sources. */
  template: z.boolean(),
  /** Added to Claude's system prompt for the job's sessions (a template too, when `template` is on). */
  systemPrompt: withoutNul(z.string().max(100_000)).nullable(),
  sources: z.array(promptSourceSchema).max(20),
  /** Values set on the job, as `values.<name>` in the template. */
  values: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and _, not starting with a digit').max(40), z.string().max(10_000)),
  /** A source that fails or a name with no value: run with the gap marked in the prompt, or skip the run. Either way the run records what failed. */
  onMissing: z.enum(['mark', 'skip']),
  steps: z.array(afterStepSchema).max(10),
  delivery: z
    .object({
      desktop: z.boolean().default(true),
      /**
       * Chats the result goes to, each on a chat app: a chat or channel id there, or "owner" for the private
       * chats of the people allowed (a Telegram chat id; a bound Discord channel's id).
       */
      chats: z
        .array(z.object({ surface: z.enum(chatSurfaces), target: z.string().trim().min(1).max(100) }).strict())
        .max(20)
        .default([])
        .describe(`Chats the result goes to, as { surface, target }: ${chatSurfaces.map((s) => `on ${s}, ${chatApps[s].deliveryTarget}`).join('; ')}.`),
      /** Addresses the result goes to by mail (with the run's files attached), through the SMTP settings. */
      email: z.array(emailAddress).max(20).default([]),
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
    template: jobFields.template.default(false),
    systemPrompt: jobFields.systemPrompt.default(null),
    sources: jobFields.sources.default([]),
    values: jobFields.values.default({}),
    onMissing: jobFields.onMissing.default('mark'),
    steps: jobFields.steps.default([]),
    delivery: jobFields.delivery.default({ desktop: true, chats: [], email: [] }),
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

/** A file a run left in its output folder: delivered with the result, downloadable from the window. */
export interface RunAttachment {
  name: string;
  size: number;
}

/** One after-run step as it went, in the run's history. */
export interface RunStepResult {
  kind: AfterStep['kind'];
  /** What the step was, in words (`Deliver to Telegram, email`, `sh: ./publish.sh`, `Start “Digest”`). */
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  /** What happened: where it went, the command's output tail or error, why it was skipped. */
  detail: string;
  at: number;
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
  /** The prompt Claude was given, as rendered from the template. */
  prompt: string | null;
  /** What the template could not fill (a source that failed, a name with no value), in words. */
  problems: string[];
  /** What this run left for the next one (set_next_prompt), editable in the window. */
  nextPrompt: string | null;
  /** The run's output folder: files Claude writes there are its attachments. */
  outputDir: string | null;
  attachments: RunAttachment[];
  steps: RunStepResult[];
  /** The job that started this one (a chain step), if any. */
  chainedFrom: string | null;
}

/** A run's result on its way to the job's targets (desktop, chats, mail): the job, the run as recorded, its files on disk. */
export interface RunDelivery {
  job: Omit<Job, 'nextRun' | 'recent'>;
  run: JobRun;
  files: { name: string; path: string; size: number }[];
}

/** One source as a preview (or a run) found it: its text, or why it has none. */
export interface SourcePreview {
  name: string;
  kind: PromptSource['kind'] | 'builtin';
  ok: boolean;
  /** The value's text (cut for the preview), or what failed. */
  text: string;
}

/** A template rendered as a run would render it now. */
export interface PromptPreview {
  prompt: string;
  systemPrompt: string | null;
  problems: string[];
  sources: SourcePreview[];
  /** The run would be skipped (its job skips on a gap, and there is one). */
  wouldSkip: boolean;
}

const id = z.string().min(1).max(100);

export const schedulesMethods = {
  'schedules.list': method<Job[]>()(z.object({}).strict(), 'Every job with its next run.'),
  'schedules.get': method<Job>()(z.object({ id }).strict(), 'One job by id, with its next run.'),
  'schedules.create': method<SavedJob>()(jobInputSchema, 'A new job; the expression and time zone are checked, naming what is wrong.'),
  'schedules.update': method<SavedJob>()(z.object({ id }).extend(jobPatchSchema.shape).strict(), 'Change a job: only the fields given change; it is rescheduled at once.'),
  'schedules.delete': method<{ deleted: true }>()(z.object({ id }).strict(), 'Delete a job and its run history.'),
  'schedules.preview': method<{ runs: number[] }>()(
    z.object({ cron: jobFields.cron, timeZone: jobFields.timeZone, count: z.number().int().min(1).max(50).default(5) }).strict(),
    'The next runs of an expression in a time zone, by the rules the runner uses.',
  ),
  'schedules.runNow': method<JobRun>()(z.object({ id }).strict(), 'Run a job now (its overlap policy applies).'),
  'schedules.cancel': method<{ cancelled: boolean }>()(z.object({ id }).strict(), "Cancel a job's running run."),
  'schedules.previewPrompt': method<PromptPreview>()(
    z
      .object({
        id: id.optional(),
        command: jobFields.command,
        template: jobFields.template.default(true),
        systemPrompt: jobFields.systemPrompt.default(null),
        sources: jobFields.sources.default([]),
        values: jobFields.values.default({}),
        onMissing: jobFields.onMissing.default('mark'),
        timeZone: jobFields.timeZone.default('UTC'),
        cwd: jobFields.cwd.default(null),
      })
      .strict(),
    "A job's prompt rendered now, as its next run would render it, with each source's value or what failed. Commands are run only for the owner.",
  ),
  'schedules.setNextPrompt': method<{ jobId: string; runId: string }>()(
    z.object({ text: withoutNul(z.string().trim().min(1, 'must not be empty').max(20_000)) }).strict(),
    "From a job's running Claude session: the instructions its next run gets as next_prompt. Only for the caller's own job.",
  ),
  'schedules.editNextPrompt': method<JobRun>()(
    z.object({ runId: id, text: withoutNul(z.string().max(20_000)).nullable() }).strict(),
    'The owner changes (or clears) the next prompt a run left.',
  ),
  'schedules.runs': method<JobRun[]>()(z.object({ id, limit: z.number().int().min(1).max(1000).default(50) }).strict(), 'Run history, newest first.'),
  'schedules.runFile': method<{ name: string; size: number; base64: string }>()(
    z.object({ runId: id, name: z.string().min(1).max(255) }).strict(),
    "One of a run's (or a background task's) files, whole: for the desktop window, which has no token for the download route. The owner only.",
  ),
};

export const schedulesEvents = {
  'schedules.changed': event<Job>('A job was created, changed or rescheduled.'),
  'schedules.removed': event<{ id: string }>('A job was deleted.'),
  'schedules.run': event<JobRun>('A run started, ended, or was recorded as skipped or missed.'),
};
