import type { Migration } from '../migrate';

export default {
  version: 16,
  name: '0016-reports',
  sql: `
    -- Scheduled work that reports (issue 27). A Claude job's prompt can be a Liquid template rendered at
    -- each run from named sources; what to do when one fails; the steps after a run (JSON lists).
    ALTER TABLE jobs ADD COLUMN template INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN system_prompt TEXT;
    ALTER TABLE jobs ADD COLUMN sources TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE jobs ADD COLUMN vars TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE jobs ADD COLUMN on_missing TEXT NOT NULL DEFAULT 'mark';
    ALTER TABLE jobs ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
    -- What a run was given and what it produced: the rendered prompt, what the template could not fill,
    -- the next run's prompt it left, its output folder and files, how each after-run step went.
    ALTER TABLE job_runs ADD COLUMN prompt TEXT;
    ALTER TABLE job_runs ADD COLUMN problems TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE job_runs ADD COLUMN next_prompt TEXT;
    ALTER TABLE job_runs ADD COLUMN output_dir TEXT;
    ALTER TABLE job_runs ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE job_runs ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE job_runs ADD COLUMN chained_from TEXT;
    -- A next prompt left while the run is going survives a crash with its lock row.
    ALTER TABLE active_runs ADD COLUMN next_prompt TEXT;
    CREATE INDEX job_runs_next_prompt ON job_runs (job_id, ended_at) WHERE next_prompt IS NOT NULL;
  `,
} satisfies Migration;
