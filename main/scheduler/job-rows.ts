import type { Job, JobInput, JobRun, RunAttachment, RunStatus, RunStepResult, RunTrigger } from '../../contract';

/** A `jobs` row as SQLite holds it (JSON in text columns, booleans as 0/1). */
export interface JobRow {
  id: string;
  name: string;
  kind: Job['kind'];
  cron: string;
  time_zone: string;
  enabled: number;
  command: string;
  cwd: string | null;
  env: string;
  timeout_seconds: number;
  tags: string;
  model: string | null;
  permission_policy: Job['permissionPolicy'];
  session_mode: Job['sessionMode'];
  worktree: number;
  session_id: string | null;
  overlap: Job['overlap'];
  missed: Job['missed'];
  missed_limit: number;
  grace_seconds: number;
  retries: number;
  retry_delay_seconds: number;
  delivery: string;
  template: number;
  system_prompt: string | null;
  sources: string;
  vars: string;
  on_missing: Job['onMissing'];
  steps: string;
  created_at: number;
  updated_at: number;
  waiting_since: number | null;
  approval_id: string | null;
  requested_by: string | null;
}

/** A `job_runs` row (or an `active_runs` one, read the same way). */
export interface RunRow {
  id: string;
  job_id: string;
  planned_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  status: RunStatus;
  trigger: RunTrigger;
  attempt: number;
  exit_code: number | null;
  stdout_tail: string | null;
  stderr_tail: string | null;
  result_text: string | null;
  cost_usd: number | null;
  session_id: string | null;
  reason: string | null;
  prompt: string | null;
  problems: string;
  next_prompt: string | null;
  output_dir: string | null;
  attachments: string;
  steps: string;
  chained_from: string | null;
}

/** A job row as the contract's Job, before its next run and recent runs are added. */
export function toJob(row: JobRow): Omit<Job, 'nextRun' | 'recent'> {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    cron: row.cron,
    timeZone: row.time_zone,
    enabled: row.enabled === 1,
    command: row.command,
    cwd: row.cwd,
    env: JSON.parse(row.env) as Record<string, string>,
    timeoutSeconds: row.timeout_seconds,
    tags: JSON.parse(row.tags) as string[],
    model: row.model,
    permissionPolicy: row.permission_policy,
    sessionMode: row.session_mode,
    worktree: row.worktree === 1,
    sessionId: row.session_id,
    overlap: row.overlap,
    missed: row.missed,
    missedLimit: row.missed_limit,
    graceSeconds: row.grace_seconds,
    retries: row.retries,
    retryDelaySeconds: row.retry_delay_seconds,
    // Jobs saved before mail existed have no email list.
    delivery: { email: [], chats: [], ...(JSON.parse(row.delivery) as Partial<Job['delivery']>) } as Job['delivery'],
    template: row.template === 1,
    systemPrompt: row.system_prompt,
    sources: JSON.parse(row.sources) as Job['sources'],
    values: JSON.parse(row.vars) as Job['values'],
    onMissing: row.on_missing,
    steps: JSON.parse(row.steps) as Job['steps'],
    approval: row.waiting_since === null ? null : { approvalId: row.approval_id, requestedBy: row.requested_by ?? 'someone', since: row.waiting_since },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A run row as the contract's JobRun. */
export function toRun(row: RunRow): JobRun {
  return {
    id: row.id,
    jobId: row.job_id,
    plannedAt: row.planned_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status,
    trigger: row.trigger,
    attempt: row.attempt,
    exitCode: row.exit_code,
    stdoutTail: row.stdout_tail,
    stderrTail: row.stderr_tail,
    resultText: row.result_text,
    costUsd: row.cost_usd,
    sessionId: row.session_id,
    reason: row.reason,
    prompt: row.prompt,
    problems: JSON.parse(row.problems) as string[],
    nextPrompt: row.next_prompt,
    outputDir: row.output_dir,
    attachments: JSON.parse(row.attachments) as RunAttachment[],
    steps: JSON.parse(row.steps) as RunStepResult[],
    chainedFrom: row.chained_from,
  };
}

/** The columns a job input (or an update's fields) writes, each value encoded as stored. */
export function columns(input: Partial<JobInput>): Record<string, unknown> {
  const map: [keyof JobInput, string, (v: never) => unknown][] = [
    ['name', 'name', (v) => v],
    ['kind', 'kind', (v) => v],
    ['cron', 'cron', (v) => v],
    ['timeZone', 'time_zone', (v) => v],
    ['enabled', 'enabled', (v: boolean) => (v ? 1 : 0)],
    ['command', 'command', (v) => v],
    ['cwd', 'cwd', (v) => v],
    ['env', 'env', (v) => JSON.stringify(v)],
    ['timeoutSeconds', 'timeout_seconds', (v) => v],
    ['tags', 'tags', (v) => JSON.stringify(v)],
    ['model', 'model', (v) => v],
    ['permissionPolicy', 'permission_policy', (v) => v],
    ['sessionMode', 'session_mode', (v) => v],
    ['worktree', 'worktree', (v: boolean) => (v ? 1 : 0)],
    ['overlap', 'overlap', (v) => v],
    ['missed', 'missed', (v) => v],
    ['missedLimit', 'missed_limit', (v) => v],
    ['graceSeconds', 'grace_seconds', (v) => v],
    ['retries', 'retries', (v) => v],
    ['retryDelaySeconds', 'retry_delay_seconds', (v) => v],
    ['delivery', 'delivery', (v) => JSON.stringify(v)],
    ['template', 'template', (v: boolean) => (v ? 1 : 0)],
    ['systemPrompt', 'system_prompt', (v) => v],
    ['sources', 'sources', (v) => JSON.stringify(v)],
    ['values', 'vars', (v) => JSON.stringify(v)],
    ['onMissing', 'on_missing', (v) => v],
    ['steps', 'steps', (v) => JSON.stringify(v)],
  ];
  const out: Record<string, unknown> = {};
  for (const [key, column, encode] of map) if (input[key] !== undefined) out[column] = encode(input[key] as never);
  return out;
}
