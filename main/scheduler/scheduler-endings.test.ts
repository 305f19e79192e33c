import { describe, expect, it } from 'vitest';
import { jobInputSchema, type JobInput, type JobRun } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { startTestCore } from '../testing/temp-core';

const job = (input: Partial<JobInput> & Pick<JobInput, 'name' | 'command'>): JobInput => jobInputSchema.parse({ kind: 'shell', cron: '0 3 * * *', ...input });

/** The next run of `jobId` that the scheduler reports in `status`. */
function nextRun(core: Core, jobId: string, status: JobRun['status'], timeoutMs = 8000): Promise<JobRun> {
  return core.events.next('schedules.run', (run) => (run.jobId === jobId && run.status === status ? run : undefined), timeoutMs).then((run) => run ?? Promise.reject(new Error(`no ${status} run`)));
}

/** Holds the event loop (no callback runs), so that what ends meanwhile is heard in one turn. */
function holdEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('runs ending together', () => {
  it('a job deleted while it runs: its ending is dropped, and another run ending in the same flush is still recorded', async () => {
    const { core } = await startTestCore();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const doomed = core.scheduler.create(job({ name: 'doomed', command: 'sleep 30' }), desktopCaller);
      const quick = core.scheduler.create(job({ name: 'quick', command: 'sleep 0.3' }), desktopCaller);
      const bothRunning = Promise.all([nextRun(core, doomed.id, 'running'), nextRun(core, quick.id, 'running')]);
      core.scheduler.runNow(doomed.id);
      core.scheduler.runNow(quick.id);
      await bothRunning;
      const quickEnded = nextRun(core, quick.id, 'ok');
      // Deleting kills the doomed run; while the loop is held, the quick one ends too: both endings land in one flush.
      core.scheduler.delete(doomed.id);
      holdEventLoop(1500);
      const ended = await quickEnded;
      expect(ended).toMatchObject({ status: 'ok', exitCode: 0 });
      await core.scheduler.settled(quick.id, 10_000);
      expect(core.scheduler.runs(quick.id, 5)).toMatchObject([{ id: ended.id, status: 'ok' }]);
      expect(core.scheduler.list().map((j) => j.name)).toEqual(['quick']);
      // Nothing was thrown outside a handler (before: SQLITE_CONSTRAINT_FOREIGNKEY from the flush's setImmediate).
      expect(uncaught).toEqual([]);
      // The quick job is free to run again: its run is not left "running".
      const again = nextRun(core, quick.id, 'ok');
      expect(core.scheduler.runNow(quick.id)).toMatchObject({ status: 'running' });
      await again;
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
