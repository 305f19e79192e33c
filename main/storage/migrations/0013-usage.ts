import type { Migration } from '../migrate';

export default {
  version: 13,
  name: '0013-usage',
  sql: `
    -- Every API answer Claude gave, once (keyed by its message id, so a line written twice, a
    -- subagent's copy, and the same answer seen live and in its transcript count once), with the
    -- session, surface, project and model it belongs to.
    CREATE TABLE usage_events (
      key         TEXT PRIMARY KEY,
      at          INTEGER NOT NULL,
      day         TEXT NOT NULL,
      session_id  TEXT NOT NULL DEFAULT '',
      turn_id     TEXT,
      surface     TEXT NOT NULL,
      project     TEXT NOT NULL,
      model       TEXT NOT NULL,
      input       INTEGER NOT NULL,
      output      INTEGER NOT NULL,
      cache_write INTEGER NOT NULL,
      cache_read  INTEGER NOT NULL,
      cost_usd    REAL NOT NULL,
      priced      INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX usage_events_at ON usage_events(at);
    CREATE INDEX usage_events_session ON usage_events(session_id, at);

    -- Sums kept as answers are counted, so the Usage screen reads thousands of rows, not millions:
    -- by day and what a person groups by, and by hour for the 5-hour windows.
    CREATE TABLE usage_daily (
      day         TEXT NOT NULL,
      surface     TEXT NOT NULL,
      project     TEXT NOT NULL,
      model       TEXT NOT NULL,
      session_id  TEXT NOT NULL,
      input       INTEGER NOT NULL,
      output      INTEGER NOT NULL,
      cache_write INTEGER NOT NULL,
      cache_read  INTEGER NOT NULL,
      cost_usd    REAL NOT NULL,
      requests    INTEGER NOT NULL,
      PRIMARY KEY (day, surface, project, model, session_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE usage_hourly (
      hour     INTEGER PRIMARY KEY,
      tokens   INTEGER NOT NULL,
      cost_usd REAL NOT NULL
    ) STRICT;

    -- Each transcript chunk asks whose Claude session it is.
    CREATE INDEX turns_claude_session ON turns(claude_session_id);
    CREATE INDEX sessions_claude_session ON sessions(claude_session_id);

    -- The plan's own figures as the CLI last reported them, and which alerts were given (once per window).
    CREATE TABLE usage_state (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;

    -- Transcripts read before usage was counted are read once more from the start, so their usage
    -- counts too (messages already stored are skipped by their line id).
    UPDATE transcript_files SET offset = 0;

    -- A held run (a Claude job not started while the plan window was full): the status list grows.
    CREATE TABLE job_runs_next (
      id          TEXT PRIMARY KEY,
      job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
      planned_at  INTEGER,
      started_at  INTEGER,
      ended_at    INTEGER,
      status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'timeout', 'skipped', 'missed', 'cancelled', 'held')),
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
    INSERT INTO job_runs_next SELECT * FROM job_runs;
    DROP TABLE job_runs;
    ALTER TABLE job_runs_next RENAME TO job_runs;
    CREATE INDEX job_runs_job ON job_runs(job_id, planned_at);
  `,
} satisfies Migration;
