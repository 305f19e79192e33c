import { describe, expect, it } from 'vitest';
import { jobInputSchema, type JobInput } from '../../contract';
import { desktopCaller } from '../ipc/router';
import { startTestCore } from '../testing/temp-core';

const job = (input: Partial<JobInput> & Pick<JobInput, 'name' | 'command'>): JobInput => jobInputSchema.parse({ kind: 'claude', cron: '0 3 * * *', ...input });

describe('runs missed while asleep', () => {
  it('a week asleep with per-second jobs: checkMissed records what fell in milliseconds, not seconds per job', async () => {
    let offset = 0;
    const { core } = await startTestCore({ now: () => Date.now() + offset });
    const ids: string[] = [];
    // Distinct limits: each is worked out on its own (the attack made them distinct so that none was shared).
    for (const missedLimit of [1, 2, 3, 4, 5]) {
      ids.push(core.scheduler.create(job({ name: `tick ${missedLimit}`, kind: 'shell', command: 'true', cron: '* * * * * *', missedLimit, missed: 'skip', graceSeconds: 0, enabled: false }), desktopCaller).id);
    }
    for (const id of ids) core.scheduler.update(id, { enabled: true }, desktopCaller);
    core.scheduler.checkMissed();
    offset = 7 * 86_400_000;
    const started = performance.now();
    core.scheduler.checkMissed();
    const blockedMs = performance.now() - started;
    // Before: every fire time walked, ~10 s a job for a week (the attack measured 11-13 s for three jobs and one day).
    expect(blockedMs).toBeLessThan(1000);
    for (const [i, id] of ids.entries()) {
      const runs = core.scheduler.runs(id, 50).filter((r) => r.status === 'missed');
      // The latest ones one by one, up to the job's limit; the rest in one line, counted (604,800 seconds in the week).
      // (On a loaded machine the live timer may also have missed one second of its own before the check.)
      expect(runs.filter((r) => r.plannedAt !== null).length).toBeGreaterThanOrEqual(i + 1);
      expect(runs.filter((r) => r.plannedAt !== null).length).toBeLessThanOrEqual(i + 2);
      const rest = runs.find((r) => r.plannedAt === null);
      // (The window is a week and the few ms between the two checks: one more second may have begun.)
      const uncounted = Number(/^and (\d+) earlier runs missed as well$/.exec(rest?.reason ?? '')?.[1]);
      expect([604_800 - (i + 1), 604_801 - (i + 1)]).toContain(uncounted);
    }
  });

  it('a schedule finer than once a minute, set from outside the window, waits for the owner; once a minute does not', async () => {
    const { core } = await startTestCore();
    const mcp = { surface: 'mcp' as const, actor: 'mcp:someone' };
    const fast = await core.mcp.callTool('create_job', { name: 'tick', kind: 'claude', cron: '*/5 * * * * *', command: 'hi' }, mcp);
    expect(fast.isError, JSON.stringify(fast.content)).toBeFalsy();
    expect(fast.structuredContent).toMatchObject({ waitingForApproval: true });
    const minutely = await core.mcp.callTool('create_job', { name: 'minutely', kind: 'claude', cron: '30 * * * * *', command: 'hi' }, mcp);
    expect(minutely.structuredContent).toMatchObject({ waitingForApproval: false });
    const id = (minutely.structuredContent as { id: string }).id;
    // Made faster from outside: it waits too (and does not fire meanwhile).
    const faster = await core.mcp.callTool('update_job', { job_id: id, cron: '* * * * * *' }, mcp);
    expect(faster.structuredContent, JSON.stringify(faster.content)).toMatchObject({ waitingForApproval: true });
    // The owner's own per-second job is theirs.
    const own = core.scheduler.create(job({ name: 'own', command: 'hi', cron: '* * * * * *' }), desktopCaller);
    expect(own.approval).toBeNull();
  });
});
