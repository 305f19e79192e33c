import * as z from 'zod';
import { jobInputSchema, jobPatchSchema } from '../../contract';
import { tool, id, limit, more, cut, jobOut, runOut, toJob, toRun, type Tool } from './tool';

/** The scheduler's tools: jobs, their runs, and a job's next prompt. */
export const jobTools: Tool[] = [
  tool({
    name: 'set_next_prompt',
    title: "Set this job's next prompt",
    method: 'schedules.setNextPrompt',
    description:
      "Only inside a scheduled job's own Claude session, while its run is going: leave the instructions for the job's next run (what to pick up, what to check). The next run's prompt template gets them as next_prompt; the user sees and can edit them in the run history. Calling again replaces the text.",
    input: z.object({ text: z.string().trim().min(1).max(20_000).describe('The instructions for the next run, written to your future self.') }),
    output: z.object({ jobId: z.string(), runId: z.string() }),
    hints: { idempotentHint: true },
    async run(call, { text }) {
      return call('schedules.setNextPrompt', { text });
    },
  }),
  tool({
    name: 'list_jobs',
    title: 'List scheduled jobs',
    method: 'schedules.list',
    description: 'Scheduled jobs (shell commands and Claude prompts on cron, each in its time zone) with their next run and latest results.',
    input: z.object({ limit: limit(20, 200) }),
    output: z.object({ jobs: z.array(jobOut), more }),
    hints: { readOnlyHint: true },
    async run(call, { limit }) {
      const jobs = await call('schedules.list', {});
      return { jobs: jobs.slice(0, limit).map(toJob), more: cut(limit, jobs.length, 'raise limit') };
    },
  }),
  tool({
    name: 'create_job',
    title: 'Create a scheduled job',
    method: 'schedules.create',
    description:
      'Schedule a shell command (`kind: "shell"`) or a Claude prompt (`kind: "claude"`) on a cron expression (5 fields, or 6 with seconds) in an IANA time zone. Add `{ surface, target }` to delivery.chats to get results in a chat app (`{ surface: "telegram", target: "owner" }`: your private chat with the Telegram bot). A shell job, or a Claude job in acceptEdits mode, made here waits for the user’s approval in Switchboard (waitingForApproval) and runs only once they allow it; if they deny it or do not answer, it is deleted. bypass is refused.',
    input: jobInputSchema,
    output: jobOut.extend({ warnings: z.array(z.string()) }),
    hints: {},
    async run(call, input) {
      const job = await call('schedules.create', input);
      return { ...toJob(job), warnings: job.warnings };
    },
  }),
  tool({
    name: 'update_job',
    title: 'Change a scheduled job',
    method: 'schedules.update',
    description: "Change a job: only the fields given change (its schedule, command, enabled…). Changing what a shell or acceptEdits job runs (command, cwd, env, kind, permissionPolicy) makes it wait for the user's approval again.",
    input: z.object({ job_id: id }).extend(jobPatchSchema.shape),
    output: jobOut.extend({ warnings: z.array(z.string()) }),
    hints: { idempotentHint: true },
    async run(call, { job_id, ...fields }) {
      const job = await call('schedules.update', { id: job_id, ...fields });
      return { ...toJob(job), warnings: job.warnings };
    },
  }),
  tool({
    name: 'delete_job',
    title: 'Delete a scheduled job',
    method: 'schedules.delete',
    description: 'Delete a job and its run history.',
    input: z.object({ job_id: id }),
    output: z.object({ deleted: z.boolean() }),
    hints: { destructiveHint: true, idempotentHint: true },
    async run(call, { job_id }) {
      return call('schedules.delete', { id: job_id });
    },
  }),
  tool({
    name: 'run_job',
    title: 'Run a job now',
    method: 'schedules.runNow',
    description: "Run a scheduled job now (its overlap policy applies). Returns the run; see job_history for its result. A job waiting for the user's approval does not run.",
    input: z.object({ job_id: id }),
    output: runOut,
    hints: {},
    async run(call, { job_id }) {
      return toRun(await call('schedules.runNow', { id: job_id }));
    },
  }),
  tool({
    name: 'job_history',
    title: 'A job’s runs',
    method: 'schedules.runs',
    description: 'The runs of a job, newest first: status, what triggered it, output or Claude’s answer.',
    input: z.object({ job_id: id, limit: limit(10, 200) }),
    output: z.object({ runs: z.array(runOut) }),
    hints: { readOnlyHint: true },
    async run(call, { job_id, limit }) {
      return { runs: (await call('schedules.runs', { id: job_id, limit })).map(toRun) };
    },
  }),
];
