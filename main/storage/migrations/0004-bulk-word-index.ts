import type { Migration } from '../migrate';

export default {
  version: 4,
  name: '0004-bulk-word-index',
  sql: `
    -- Messages are indexed by the code that writes them, a batch in one statement: FTS5 flushes its
    -- pending terms at every statement, so a per-row trigger made ingest four times slower.
    -- Deletes and edits are rare and keep their triggers.
    DROP TRIGGER messages_fts_insert;
    -- Date filters run inside the word and vector searches, never by this index; it only cost writes.
    DROP INDEX messages_created;
    -- The vector tables' columns, so a change of layout (not only of provider) rebuilds them.
    ALTER TABLE vector_index ADD COLUMN layout TEXT NOT NULL DEFAULT '';
    -- A stable integer for each session (an implicit rowid may change on VACUUM): the vector index
    -- filters by it.
    ALTER TABLE sessions ADD COLUMN key INTEGER;
    UPDATE sessions SET key = rowid;
    CREATE UNIQUE INDEX sessions_key ON sessions(key);
    CREATE TRIGGER sessions_key_insert AFTER INSERT ON sessions WHEN new.key IS NULL BEGIN
      UPDATE sessions SET key = (SELECT coalesce(max(key), 0) + 1 FROM sessions) WHERE id = new.id;
    END;
  `,
} satisfies Migration;
