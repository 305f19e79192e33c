import type { Migration } from '../migrate';

export default {
  version: 6,
  name: '0006-active-runs',
  sql: `
    -- Runs in progress, apart from the history: a job's row here is its run lock. Starting a run
    -- writes this small table only; the history (indexed per job, so every insert lands on another
    -- page) is written once, when the run ends. With 1,000 jobs due at once and a full history,
    -- writing the history at start took 60-100 ms; this takes a few.
    CREATE TABLE active_runs (
      job_id      TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
      id          TEXT NOT NULL,
      planned_at  INTEGER,
      started_at  INTEGER NOT NULL,
      trigger     TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'catch-up', 'retry')),
      attempt     INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;

    INSERT INTO active_runs (job_id, id, planned_at, started_at, trigger, attempt)
      SELECT job_id, id, planned_at, coalesce(started_at, 0), trigger, attempt FROM job_runs WHERE status = 'running';
    DELETE FROM job_runs WHERE status = 'running';
    DROP INDEX job_runs_lock;
  `,
} satisfies Migration;
