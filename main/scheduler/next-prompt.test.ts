import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobInputSchema, type JobRun } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { startHarness, type Harness } from '../testing/claude-harness';
import { reportModel } from '../testing/report-model';
import { nextEvent } from '../testing/wait';
import { NO_EARLIER_RUN, NO_NEXT_PROMPT } from './prompt-template';

// The real CLI against the Anthropic stand-in, real SQLite; the next prompt is left over Switchboard's MCP server.
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const seen = new Set<string>();
/** Starts a run and waits for its end (a later event of an earlier run, a step's update, is not it). */
async function runToEnd(core: Core, jobId: string): Promise<JobRun> {
  const ended = nextEvent(core.events, 'schedules.run', (r) => r.jobId === jobId && r.status !== 'running' && !seen.has(r.id), 90_000);
  await core.scheduler.runNow(jobId);
  const run = await ended;
  seen.add(run.id);
  return run;
}

describe('a template job’s last_run and next_prompt', { timeout: 240_000 }, () => {
  it('a job that skips on a gap runs its first run; a next prompt reaches exactly the next run, then is used up', async () => {
    h = await startHarness({ core: { server: SERVER } });
    const { core, api, dir } = h;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'runs') });
    const job = core.scheduler.create(
      jobInputSchema.parse({
        name: 'Status',
        kind: 'claude',
        cron: '0 9 * * 1',
        timeZone: 'UTC',
        permissionPolicy: 'acceptEdits',
        template: true,
        onMissing: 'skip',
        command: 'Previous status: {{ last_run.status }}. Next: {{ next_prompt }}',
      }),
      desktopCaller,
    );

    // First run: no last run and no next prompt are said in words, and are no gap that skips the run.
    reportModel(api, { file: { name: 'a.txt', content: 'a' }, nextPrompt: 'Check the totals', answer: 'first done' });
    const first = await runToEnd(core, job.id);
    expect(first.status, first.reason ?? '').toBe('ok');
    expect(first.prompt).toBe(`Previous status: none. Next: ${NO_NEXT_PROMPT}`);
    expect(first.problems).toEqual([]);
    expect(first.nextPrompt).toBe('Check the totals');
    expect(NO_EARLIER_RUN).toMatch(/no earlier run/);

    // The run after it gets the next prompt; it leaves none.
    reportModel(api, { file: { name: 'b.txt', content: 'b' }, answer: 'second done' });
    const second = await runToEnd(core, job.id);
    expect(second.status, second.reason ?? '').toBe('ok');
    expect(second.prompt).toBe('Previous status: ok. Next: Check the totals');
    expect(second.nextPrompt).toBeNull();
    // The editor's preview says what the next run would get: nothing is waiting any more.
    expect((await core.scheduler.previewPrompt(job, desktopCaller)).prompt).toBe(`Previous status: ok. Next: ${NO_NEXT_PROMPT}`);

    // The third run does not get it again: the second one used it up.
    const third = await runToEnd(core, job.id);
    expect(third.status, third.reason ?? '').toBe('ok');
    expect(third.prompt).toBe(`Previous status: ok. Next: ${NO_NEXT_PROMPT}`);
  });
});
