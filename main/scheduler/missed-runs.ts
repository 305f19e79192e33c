import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events';
import { runsBetween } from './cron';
import type { JobStore } from './job-store';
import type { StoredJob } from './job-rules';

/**
 * Finds the runs that fell since the scheduler last looked at the clock and applies each job's
 * policy: runs within the grace window are simply late and run now; older ones are missed, and
 * are skipped (recorded), run once, or run each up to the job's limit.
 */
export function checkMissed(deps: { store: JobStore; events: EventBus; now: number; jobs: Iterable<StoredJob>; fire: (jobId: string, plannedAt: number) => void }): void {
  const { store, events, now } = deps;
  const since = store.checkedAt();
  store.setCheckedAt(now);
  if (since === null || now <= since) return;
  // Jobs that share a schedule share its missed times: worked out once per schedule and limit.
  const fell = new Map<string, ReturnType<typeof runsBetween>>();
  for (const job of deps.jobs) {
    if (!job.enabled || job.approval) continue;
    const limit = Math.max(job.missedLimit, 1);
    const key = `${job.timeZone} ${job.cron} ${limit}`;
    let missedTimes = fell.get(key);
    if (!missedTimes) fell.set(key, (missedTimes = runsBetween(job.cron, job.timeZone, new Date(since), new Date(now), limit)));
    const { times, total } = missedTimes;
    if (!total) continue;
    const late = times.filter((t) => now - t.getTime() <= job.graceSeconds * 1000);
    const missed = times.filter((t) => now - t.getTime() > job.graceSeconds * 1000);
    const uncounted = total - times.length;
    if (late.length) deps.fire(job.id, late.at(-1)!.getTime());
    if (!missed.length) continue;
    const runNow = job.missed === 'each' ? missed : job.missed === 'once' && !late.length ? [missed.at(-1)!] : [];
    const recorded = missed.filter((t) => !runNow.includes(t));
    for (const t of recorded) {
      const reason = job.missed === 'skip' ? 'missed while Switchboard was not running; the policy skips missed runs' : 'missed; the policy runs only the latest one';
      events.emit('schedules.run', store.recordRun({ id: randomUUID(), jobId: job.id, plannedAt: t.getTime(), status: 'missed', trigger: 'schedule', reason, now }));
    }
    if (uncounted > 0) {
      events.emit('schedules.run', store.recordRun({ id: randomUUID(), jobId: job.id, plannedAt: null, status: 'missed', trigger: 'schedule', reason: `and ${uncounted} earlier runs missed as well`, now }));
    }
    for (const t of runNow) deps.fire(job.id, t.getTime());
  }
}
