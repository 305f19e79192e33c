import type { CallContext, HandlersOf } from '../ipc/router';
import { nextRuns } from './cron';
import type { SchedulerService } from './scheduler-service';

/** The schedules methods; `runFile` reads a run's (or task's) file for the desktop window (see runFileReader). */
export function schedulesHandlers(scheduler: SchedulerService, runFile: (runId: string, name: string, from: CallContext) => Promise<{ name: string; size: number; base64: string }>): HandlersOf<'schedules'> {
  return {
    'schedules.runFile': ({ runId, name }, ctx) => runFile(runId, name, ctx),
    'schedules.list': () => scheduler.list(),
    'schedules.get': ({ id }) => scheduler.get(id),
    // Who asks decides whether a job that runs code waits for the owner's approval.
    'schedules.create': async (input, ctx) => scheduler.create(input, ctx, await scheduler.requester(ctx)),
    'schedules.update': async ({ id, ...patch }, ctx) => scheduler.update(id, patch, ctx, await scheduler.requester(ctx)),
    'schedules.delete': ({ id }) => {
      scheduler.delete(id);
      return { deleted: true as const };
    },
    'schedules.preview': ({ cron, timeZone, count }) => ({ runs: nextRuns(cron, timeZone, new Date(), count).map((d) => d.getTime()) }),
    'schedules.runNow': ({ id }, ctx) => scheduler.runNow(id, ctx),
    'schedules.cancel': ({ id }) => ({ cancelled: scheduler.cancel(id) }),
    'schedules.runs': ({ id, limit }) => scheduler.runs(id, limit),
    // Command sources run only when the owner asks for the preview.
    'schedules.previewPrompt': (input, ctx) => scheduler.previewPrompt(input, ctx),
    // The caller's own run, found from its session: no job id is taken, so no other job can be reached.
    'schedules.setNextPrompt': ({ text }, ctx) => scheduler.leaveNextPrompt(text, ctx),
    'schedules.editNextPrompt': ({ runId, text }, ctx) => scheduler.editNextPrompt(runId, text, ctx),
  };
}
