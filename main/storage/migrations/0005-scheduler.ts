import type { Migration } from '../migrate';

export default {
  version: 5,
  name: '0005-scheduler',
  sql: `
    -- A job: a shell command or a Claude prompt on a cron schedule in a time zone.
    CREATE TABLE jobs (
      id              TEXT PRIMARY KEY,
      name            TEXT NOT NULL,
      kind            TEXT NOT NULL CHECK (kind IN ('shell', 'claude')),
      cron            TEXT NOT NULL,
      time_zone       TEXT NOT NULL,
      enabled         INTEGER NOT NULL DEFAULT 1,
      command         TEXT NOT NULL,
      cwd             TEXT,
      env             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(env)),
      timeout_seconds INTEGER NOT NULL,
      tags            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
      -- Claude jobs
      model             TEXT,
      permission_policy TEXT NOT NULL DEFAULT 'ask',
      session_mode      TEXT NOT NULL DEFAULT 'fresh' CHECK (session_mode IN ('fresh', 'persistent')),
      session_id        TEXT,
      -- Policies
      overlap         TEXT NOT NULL DEFAULT 'skip' CHECK (overlap IN ('skip', 'queue')),
      missed          TEXT NOT NULL DEFAULT 'skip' CHECK (missed IN ('skip', 'once', 'each')),
      missed_limit    INTEGER NOT NULL DEFAULT 5,
      grace_seconds   INTEGER NOT NULL DEFAULT 300,
      retries         INTEGER NOT NULL DEFAULT 0,
      retry_delay_seconds INTEGER NOT NULL DEFAULT 60,
      delivery        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(delivery)),
      created_at      INTEGER NOT NULL,
      updated_at      INTEGER NOT NULL
    ) STRICT;

    -- Every run, including the ones that did not happen (skipped, missed).
    CREATE TABLE job_runs (
      id          TEXT PRIMARY KEY,
      job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      planned_at  INTEGER,
      started_at  INTEGER,
      ended_at    INTEGER,
      status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'timeout', 'skipped', 'missed', 'cancelled')),
      trigger     TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'catch-up', 'retry')),
      attempt     INTEGER NOT NULL DEFAULT 1,
      exit_code   INTEGER,
      stdout_tail TEXT,
      stderr_tail TEXT,
      result_text TEXT,
      cost_usd    REAL,
      session_id  TEXT,
      reason      TEXT
    ) STRICT;
    CREATE INDEX job_runs_job ON job_runs(job_id, planned_at);
    -- One run of a job at a time, across restarts: a running row is the lock.
    CREATE UNIQUE INDEX job_runs_lock ON job_runs(job_id) WHERE status = 'running';

    -- When the scheduler last looked at the clock: runs between then and now were missed.
    CREATE TABLE scheduler_state (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      checked_at INTEGER NOT NULL
    ) STRICT;
  `,
} satisfies Migration;
