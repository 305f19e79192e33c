import { describe, expect, it } from 'vitest';
import { jobInputSchema, type JobInput, type JobRun } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { startTestCore } from '../testing/temp-core';

const job = (input: Partial<JobInput> & Pick<JobInput, 'name' | 'command'>): JobInput => jobInputSchema.parse({ kind: 'shell', cron: '0 3 * * *', ...input });

/** The next run of `jobId` that the scheduler reports in `status`. */
function nextRun(core: Core, jobId: string, status: JobRun['status']): Promise<JobRun> {
  return core.events.next('schedules.run', (run) => (run.jobId === jobId && run.status === status ? run : undefined), 20_000).then((run) => run ?? Promise.reject(new Error(`no ${status} run`)));
}

describe('the scheduler stops whole', () => {
  it('leaves no retry timer behind: a run that failed before stop() is not retried after it', async () => {
    const { core } = await startTestCore();
    const flaky = core.scheduler.create(job({ name: 'flaky', command: 'exit 1', retries: 3, retryDelaySeconds: 1 }), desktopCaller);
    const failed = nextRun(core, flaky.id, 'failed');
    core.scheduler.runNow(flaky.id);
    const first = await failed;
    // The retry is armed for 1 s from now; the scheduler stops before it.
    await core.scheduler.stop();
    const after: JobRun[] = [];
    // (The failed run's own after-run steps may still report; a retry is a new run.)
    core.events.on('schedules.run', (run) => run.id !== first.id && after.push(run));
    // Nothing can be awaited for a timer that must not fire: wait past its time, twice over.
    await new Promise((r) => setTimeout(r, 2200));
    expect(after).toEqual([]);
    expect(core.scheduler.runs(flaky.id, 10).map((r) => r.attempt)).toEqual([1]);
  });

  it('awaits the run under way: once stop() returns, the run is recorded as cancelled', async () => {
    const { core } = await startTestCore();
    const slow = core.scheduler.create(job({ name: 'slow', command: 'sleep 30' }), desktopCaller);
    const running = nextRun(core, slow.id, 'running');
    core.scheduler.runNow(slow.id);
    await running;
    const started = Date.now();
    await core.scheduler.stop();
    expect(Date.now() - started).toBeLessThan(6500);
    expect(core.scheduler.runs(slow.id, 1)[0]).toMatchObject({ status: 'cancelled' });
  });
});
