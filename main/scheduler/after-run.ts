import type { AfterStep, Job, JobRun, RunDelivery, RunStepResult } from '../../contract';
import { errorMessage } from '../errors';
import type { EventBus } from '../events';
import { log } from '../log';
import type { Notifier } from '../notifier';
import type { JobStore } from './job-store';
import { runShell } from './shell-runner';

type StoredJob = Omit<Job, 'nextRun' | 'recent'>;


/** Delivers a run: the desktop note, then the chats and mail the core hands over; says where the result went. */
export async function deliverRun(delivery: RunDelivery, notifier: Notifier, deliver?: (delivery: RunDelivery) => Promise<string[]>): Promise<string[]> {
  const { job, run } = delivery;
  const where: string[] = [];
  if (job.delivery.desktop) {
    notifier.notify({
      title: `${job.name}: ${run.status === 'ok' ? 'done' : run.status}`,
      body: `${(run.resultText ?? run.reason ?? run.stdoutTail ?? '').trim().slice(0, 200)}${delivery.files.length ? ` (${delivery.files.length} file${delivery.files.length === 1 ? '' : 's'})` : ''}`,
      link: `#/schedules/${job.id}/runs/${run.id}`,
    });
    where.push('desktop');
  }
  if (deliver) where.push(...(await deliver(delivery)));
  return where;
}

/** The most of a run's result handed to an after-run command in its environment. */
const RESULT_ENV_CHARS = 100_000;

const tail = (text: string, max = 400) => (text.length > max ? `…${text.slice(-max)}` : text);

/** A step in words, for the run history. */
export function stepLabel(step: AfterStep, jobName: (id: string) => string | undefined): string {
  if (step.kind === 'deliver') return 'Deliver the result';
  if (step.kind === 'shell') return `Run: ${step.command.split('\n')[0]!.slice(0, 120)}`;
  return `Start “${jobName(step.jobId) ?? step.jobId}”${step.when === 'ok' ? ' (when this run succeeded)' : ''}`;
}

/**
 * What happens after a run, in the job's order: deliver, a command, another job. Each step is recorded
 * with the run as it ends; a failed step is recorded and the next goes on: nothing undoes the run.
 * A job with no steps delivers, as every job did before steps existed.
 */
export class AfterRun {
  constructor(
    private readonly deps: {
      store: JobStore;
      events: EventBus;
      env: NodeJS.ProcessEnv;
      deliver(delivery: RunDelivery): Promise<string[]>;
      /** Starts a chained job, refusing a cycle; returns the run it started. */
      startJob(jobId: string, from: JobRun): JobRun;
      job(id: string): StoredJob | undefined;
    },
  ) {}

  async run(job: StoredJob, run: JobRun): Promise<RunStepResult[]> {
    const steps: AfterStep[] = job.steps.length ? job.steps : [{ kind: 'deliver' }];
    const results: RunStepResult[] = [];
    for (const step of steps) {
      const label = stepLabel(step, (id) => this.deps.job(id)?.name);
      let outcome: Pick<RunStepResult, 'status' | 'detail'>;
      try {
        outcome = await this.step(step, job, run);
      } catch (error) {
        outcome = { status: 'failed', detail: errorMessage(error) };
      }
      results.push({ kind: step.kind, label, ...outcome, at: Date.now() });
      try {
        this.deps.store.setSteps(run.id, results);
        this.deps.events.emit('schedules.run', { ...run, steps: [...results] });
      } catch (error) {
        // The job (and its runs) deleted meanwhile: nothing to record into.
        log.warn('an after-run step could not be recorded', { runId: run.id, reason: errorMessage(error) });
      }
    }
    return results;
  }

  private async step(step: AfterStep, job: StoredJob, run: JobRun): Promise<Pick<RunStepResult, 'status' | 'detail'>> {
    switch (step.kind) {
      case 'deliver': {
        const files = run.outputDir ? run.attachments.map((a) => ({ name: a.name, size: a.size, path: `${run.outputDir}/${a.name}` })) : [];
        const where = await this.deps.deliver({ job, run, files });
        return where.length ? { status: 'ok', detail: `Sent to ${where.join(', ')}${files.length ? ` with ${files.length} file${files.length === 1 ? '' : 's'}` : ''}.` } : { status: 'skipped', detail: 'No target is set for this job, or none could take it.' };
      }
      case 'shell': {
        const result = await runShell({
          command: step.command,
          cwd: job.cwd ?? run.outputDir,
          env: {
            ...this.deps.env,
            ...job.env,
            SWITCHBOARD_JOB_ID: job.id,
            SWITCHBOARD_JOB_NAME: job.name,
            SWITCHBOARD_RUN_ID: run.id,
            SWITCHBOARD_RUN_STATUS: run.status,
            SWITCHBOARD_RUN_DIR: run.outputDir ?? '',
            SWITCHBOARD_RUN_RESULT: (run.resultText ?? run.stdoutTail ?? '').slice(0, RESULT_ENV_CHARS),
          },
          timeoutMs: step.timeoutSeconds * 1000,
          signal: new AbortController().signal,
        });
        const said = tail((result.status === 'ok' ? result.stdoutTail : result.stderrTail || result.stdoutTail).trim());
        return result.status === 'ok' ? { status: 'ok', detail: said || 'exit code 0' } : { status: 'failed', detail: `${result.reason ?? result.status}${said ? `: ${said}` : ''}` };
      }
      case 'job': {
        if (step.when === 'ok' && run.status !== 'ok') return { status: 'skipped', detail: `This run ended ${run.status}; the next job starts only after a run that succeeded.` };
        const started = this.deps.startJob(step.jobId, run);
        return started.status === 'running' ? { status: 'ok', detail: `Started its run ${started.id.slice(0, 8)}.` } : { status: 'failed', detail: started.reason ?? `not started (${started.status})` };
      }
    }
  }
}
