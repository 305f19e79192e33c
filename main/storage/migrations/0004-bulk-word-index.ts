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
  `,
} satisfies Migration;
