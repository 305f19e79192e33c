import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { jobInputSchema } from '../contract';
import { startServe } from '../e2e/support/serve';
import { EventBus } from '../main/events';
import { desktopCaller } from '../main/ipc/router';
import { SchedulerService } from '../main/scheduler/scheduler-service';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import type { Core } from '../main/core';
import { benchCore } from './bench-core';
import { percentile, type BenchGroup } from './figures';

const JOBS = 1000;
const SECONDS = 20;

/** A full run history, as these jobs have after a few minutes: each keeps its newest runs (200 by default). */
function fillHistory(db: Database.Database, jobIds: readonly string[], keep: number): void {
  const insert = db.prepare(`INSERT INTO job_runs (id, job_id, planned_at, started_at, ended_at, status, trigger) VALUES (?, ?, ?, ?, ?, 'ok', 'schedule')`);
  const start = Date.now() - keep * 1000;
  db.transaction(() => {
    for (let k = 0; k < keep; k++) for (const id of jobIds) insert.run(randomUUID(), id, start + k * 1000, start + k * 1000, start + k * 1000 + 5);
  })();
}

/** A scheduler of its own on a bench core's data: nothing carried over from the core's scheduler. */
function schedulerOn(core: Core, execute?: ConstructorParameters<typeof SchedulerService>[0]['execute']): SchedulerService {
  return new SchedulerService({ storage: core.storage, events: new EventBus(), router: core.router, settings: core.settings, notifier: { notify: () => {} }, env: {}, execute });
}

/** Load time for 1,000 jobs that share no schedule (the worst case for timers), and listing them. */
async function loadDistinct(dir: string): Promise<{ load: number; firstList: number; list: number }> {
  const core = await benchCore(path.join(dir, 'distinct'));
  for (let i = 0; i < JOBS; i++) {
    core.scheduler.create(jobInputSchema.parse({ name: `job ${i}`, kind: 'shell', cron: `${i % 60} ${Math.floor(i / 60) % 24} * * ${i % 7}`, command: 'true', timeZone: 'Europe/Berlin' }), desktopCaller);
  }
  await core.scheduler.stop();
  const scheduler = schedulerOn(core);
  const started = performance.now();
  scheduler.start();
  const load = performance.now() - started;
  const listed = () => {
    const t = performance.now();
    scheduler.list();
    return performance.now() - t;
  };
  const firstList = listed();
  const list = listed();
  await scheduler.stop();
  await core.stop();
  return { load, firstList, list };
}

export const schedulerGroup: BenchGroup = {
  name: 'scheduler',
  description: `${JOBS} jobs: load and schedule, fire delay with all of them due every second, memory`,
  async run() {
    const dir = makeTempDir('switchboard-bench-scheduler-');
    try {
      const core = await benchCore(path.join(dir, 'data'));
      const ids: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        ids.push(core.scheduler.create(jobInputSchema.parse({ name: `job ${i}`, kind: 'shell', cron: '* * * * * *', command: 'true', timeZone: i % 2 ? 'Europe/Berlin' : 'America/New_York' }), desktopCaller).id);
      }
      await core.scheduler.stop();
      fillHistory(core.storage.db, ids, core.settings.get('scheduler.keepRuns'));
      // That history was not written a moment ago: its write-ahead log is not waiting to be copied back.
      core.storage.db.pragma('wal_checkpoint(TRUNCATE)');

      // The real scheduler on the same data; the command itself is not started (see the note).
      const delays: number[] = [];
      let upAt = Infinity;
      // Each job's delay is taken as its command would start. The command ends at once, on the
      // next turn of the event loop, as a quick process would.
      const scheduler = schedulerOn(core, (_job, run) => {
        // Steady state: instants planned after the scheduler was up (start takes a moment).
        if (run.trigger === 'schedule' && run.plannedAt && run.plannedAt > upAt) delays.push(Date.now() - run.plannedAt);
        return new Promise((resolve) => setImmediate(() => resolve({ status: 'ok' })));
      });
      // Steady state: the seconds between setup and start are not "missed runs" to catch up on.
      core.storage.db.prepare('UPDATE scheduler_state SET checked_at = ?').run(Date.now());
      const started = performance.now();
      scheduler.start();
      const loadMs = performance.now() - started;
      upAt = Date.now();
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      await scheduler.stop();
      await core.stop();
      // The same with 1,000 different expressions: no shared timers (measured alone).
      const distinct = await loadDistinct(dir);

      // Memory: the real headless server holding the same 1,000 jobs, armed.
      const served = await startServe(path.join(dir, 'data'));
      await new Promise((r) => setTimeout(r, 2000));
      const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${served.process.pid}/status`, 'utf8'))![1]) / 1024;
      await served.stop();

      return [
        { name: 'scheduler.load_1000_ms', value: loadMs, unit: 'ms', goal: { below: 300 }, note: 'read 1,000 jobs due every second, arm their timers, check for missed runs' },
        { name: 'scheduler.load_1000_distinct_ms', value: distinct.load, unit: 'ms', note: '1,000 jobs with 1,000 different expressions (one timer each)' },
        { name: 'scheduler.list_1000_distinct_ms', value: distinct.list, unit: 'ms', note: `the Schedules list of those, next runs known (the first list: ${distinct.firstList.toFixed(0)} ms)` },
        { name: 'scheduler.fire_delay_p50_ms', value: percentile(delays, 50), unit: 'ms', note: `${delays.length} fires in ${SECONDS} s, planned time to the command's start, per job (its lock row written before), with 200 runs of history per job` },
        { name: 'scheduler.fire_delay_p95_ms', value: percentile(delays, 95), unit: 'ms', goal: { below: 25 }, note: 'the command not started (it ends on the next event-loop turn): 1,000 processes a second would time fork, not the scheduler' },
        { name: 'scheduler.rss_mb_1000', value: rss, unit: 'MB', note: 'serve with 1,000 jobs armed (jobs every second), 2 s after start' },
      ];
    } finally {
      removeTempDir(dir);
    }
  },
};
