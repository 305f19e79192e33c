import type { Migration } from '../migrate';

export default {
  version: 8,
  name: '0008-run-groups-partial-text-memory-versions',
  sql: `
    -- A shell run's process group and when its leader started, kept with its lock row: after a
    -- crash the next start kills what is left of it before recording the run as failed, so a job
    -- never runs twice at once and its timeout holds. The start time tells our group from a
    -- later process that got the same pid.
    ALTER TABLE active_runs ADD COLUMN pgid INTEGER;
    ALTER TABLE active_runs ADD COLUMN pgid_started INTEGER;

    -- Text streamed in a turn but not yet stored as a whole block: written as it streams, so a
    -- crash of the server keeps what the user already saw.
    ALTER TABLE turns ADD COLUMN partial_text TEXT;

    -- What an edit or a merge of a memory replaced: a wrong merge can be taken back, and no fact
    -- is lost by one. Forgetting a memory forgets these too.
    CREATE TABLE memory_versions (
      id          INTEGER PRIMARY KEY,
      memory_id   INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
      text        TEXT NOT NULL,
      category    TEXT NOT NULL,
      tags        TEXT NOT NULL,
      replaced_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX memory_versions_by_memory ON memory_versions (memory_id);
  `,
} satisfies Migration;
