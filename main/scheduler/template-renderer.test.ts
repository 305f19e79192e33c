import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobRun } from '../../contract';
import { startHarness, type Harness } from '../testing/claude-harness';
import { lastUserText } from '../testing/fake-anthropic';
import { templateWorkerBundle } from '../testing/temp-core';
import { SchedulerService } from './scheduler-service';
import type { RenderData } from './template-render';
import { TemplateRenderer } from './template-renderer';

/**
 * A template inside every limit LiquidJS checks (1 M characters, one `sort` step) that still takes a second
 * or more in one filter step: the step runs to its end, whatever `renderLimit` says.
 */
const SLOW = '{% assign a = "xy" | append: "" %}{% for i in (1..19) %}{% assign a = a | append: a %}{% endfor %}{% assign b = a | split: "" | sort | join: "" %}sorted {{ b | size }}';
/** The attack's template: 8 M characters split and sorted (now refused by LiquidJS's memory allowance, in the worker). */
const BOMB = '{% assign a = "x" | append: "" %}{% for i in (1..23) %}{% assign a = a | append: a %}{% endfor %}{% assign b = a | split: "" | sort | join: "" %}{{ b | size }}';

function data(command: string): RenderData {
  return {
    job: { command, systemPrompt: null, values: {}, onMissing: 'mark', timeZone: 'UTC', id: 'j', name: 'Slow', sources: [] },
    values: [],
    run: { id: 'run-1', output_dir: '/tmp/run-1', attempt: 1 },
    lastRun: null,
    nextPrompt: null,
    now: Date.UTC(2026, 0, 1),
  };
}

/** The longest the event loop was held while `work` ran, in ms. */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ value: T; blockedMs: number }> {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  try {
    const value = await work();
    return { value, blockedMs: lag.max / 1e6 };
  } finally {
    lag.disable();
  }
}

const renderers: TemplateRenderer[] = [];
let h: Harness | null = null;
afterEach(async () => {
  renderers.splice(0).forEach((r) => r.stop());
  await h?.close();
  h = null;
});

function renderer(options: Partial<ConstructorParameters<typeof TemplateRenderer>[0]> = {}): TemplateRenderer {
  const made = new TemplateRenderer({ script: templateWorkerBundle(), ...options });
  renderers.push(made);
  return made;
}

describe('templates render off the main thread', () => {
  it('a template that sorts a million characters renders in the worker while the event loop stays free', async () => {
    const { value, blockedMs } = await longestBlock(() => renderer().render(data(SLOW)));
    expect(value).toMatchObject({ prompt: 'sorted 1048576', problems: [] });
    // In-thread this one step held the loop for 1-3 s.
    expect(blockedMs).toBeLessThan(500);
  });

  it('a render past its deadline is stopped and fails in words; the next render gets a fresh worker', async () => {
    const quick = renderer({ deadlineMs: 300 });
    await expect(quick.render(data(SLOW))).rejects.toThrow('the template took longer than 0.3 s to render');
    await expect(quick.render(data('plain {{ job.name }}'))).resolves.toMatchObject({ prompt: 'plain Slow' });
  });

  it('a template that needs more memory than the worker has fails in words', async () => {
    const small = renderer({ memoryMb: 8, deadlineMs: 20_000 });
    await expect(small.render(data(SLOW))).rejects.toThrow('the template needed more than 8 MB of memory to render');
    await expect(small.render(data('still {{ job.id }}'))).resolves.toMatchObject({ prompt: 'still j' });
  });

  it('the attack’s template is refused by the memory allowance, quickly, with the reason recorded', async () => {
    const { value, blockedMs } = await longestBlock(() => renderer().render(data(BOMB)));
    expect(value.problems).toEqual([expect.stringContaining('memory alloc limit exceeded')]);
    expect(blockedMs).toBeLessThan(500);
  });
});

describe('a template job run from MCP', { timeout: 90_000 }, () => {
  it('runs with the event loop free, and a template past the deadline fails its run in words', async () => {
    h = await startHarness();
    const { core, api } = h;
    const mcp = { surface: 'mcp' as const, actor: 'mcp:someone' };
    api.reply({ kind: 'text', text: 'done' });
    const made = await core.mcp.callTool('create_job', { name: 'sorting', kind: 'claude', cron: '0 0 1 1 *', template: true, command: SLOW, systemPrompt: SLOW }, mcp);
    expect(made.isError, JSON.stringify(made.content)).toBeFalsy();
    const job = made.structuredContent as { id: string; waitingForApproval: boolean };
    expect(job.waitingForApproval).toBe(false);
    const { blockedMs } = await longestBlock(async () => {
      const ran = await core.mcp.callTool('run_job', { job_id: job.id }, mcp);
      expect(ran.isError, JSON.stringify(ran.content)).toBeFalsy();
      await core.scheduler.settled(job.id, 60_000);
    });
    expect(core.scheduler.runs(job.id, 1)[0]).toMatchObject({ status: 'ok', prompt: 'sorted 1048576' });
    expect(lastUserText(api.requests.at(-1)!)).toContain('sorted 1048576');
    // Before: two such renders back to back held it for their whole time (the attack measured 8.6 s).
    expect(blockedMs).toBeLessThan(1000);

    // The same job on a scheduler whose renders may take 0.3 s: the run fails before any session starts.
    const deps = (core.scheduler as unknown as { deps: ConstructorParameters<typeof SchedulerService>[0] }).deps;
    const strict = new SchedulerService({ ...deps, templateRenderer: renderer({ deadlineMs: 300 }) });
    await strict.start();
    const requests = api.requests.length;
    const failed = new Promise<JobRun>((resolve) => core.events.on('schedules.run', (r) => r.jobId === job.id && r.status === 'failed' && resolve(r)));
    strict.runNow(job.id);
    expect(await failed).toMatchObject({ reason: expect.stringMatching(/^not started: the template took longer than 0\.3 s to render/), sessionId: null });
    await strict.stop();
    expect(api.requests.length).toBe(requests);
  });
});
