import type { Migration } from '../migrate';

export default {
  version: 3,
  name: '0003-history-memory',
  sql: `
    -- Imported transcript lines carry their own id: importing twice adds nothing.
    ALTER TABLE messages ADD COLUMN external_id TEXT;
    CREATE UNIQUE INDEX messages_external ON messages(session_id, external_id) WHERE external_id IS NOT NULL;
    -- 0 waiting for a vector, 1 has one, 2 not embedded (tool output, notices, too short).
    ALTER TABLE messages ADD COLUMN vec_state INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX messages_vec_pending ON messages(id) WHERE vec_state = 0;
    CREATE INDEX messages_created ON messages(created_at);

    -- Words: FTS5 over message text, kept in step by triggers in the same transaction.
    CREATE VIRTUAL TABLE messages_fts USING fts5(text, content = 'messages', content_rowid = 'id', tokenize = 'porter unicode61');
    INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages;
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
      INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;

    -- Things worth remembering, from the user, a message, or Claude through a tool.
    CREATE TABLE memories (
      id                INTEGER PRIMARY KEY,
      text              TEXT NOT NULL,
      category          TEXT NOT NULL DEFAULT 'general',
      tags              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
      source_kind       TEXT NOT NULL CHECK (source_kind IN ('user', 'message', 'tool')),
      source_session_id TEXT,
      source_message_id INTEGER,
      vec_state         INTEGER NOT NULL DEFAULT 0,
      created_at        INTEGER NOT NULL,
      updated_at        INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX memories_category ON memories(category);
    CREATE INDEX memories_vec_pending ON memories(id) WHERE vec_state = 0;
    CREATE VIRTUAL TABLE memories_fts USING fts5(text, category, tags, content = 'memories', content_rowid = 'id', tokenize = 'porter unicode61');
    CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
      INSERT INTO memories_fts(rowid, text, category, tags) VALUES (new.id, new.text, new.category, new.tags);
    END;
    CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
      INSERT INTO memories_fts(memories_fts, rowid, text, category, tags) VALUES ('delete', old.id, old.text, old.category, old.tags);
    END;
    CREATE TRIGGER memories_fts_update AFTER UPDATE OF text, category, tags ON memories BEGIN
      INSERT INTO memories_fts(memories_fts, rowid, text, category, tags) VALUES ('delete', old.id, old.text, old.category, old.tags);
      INSERT INTO memories_fts(rowid, text, category, tags) VALUES (new.id, new.text, new.category, new.tags);
    END;

    -- Which embedding provider built the vector tables, and at what dimension (the tables are made to match).
    CREATE TABLE vector_index (
      name       TEXT PRIMARY KEY,
      provider   TEXT NOT NULL,
      dimensions INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;

    -- How far each Claude Code transcript has been read.
    CREATE TABLE transcript_files (
      path       TEXT PRIMARY KEY,
      session_id TEXT,
      offset     INTEGER NOT NULL DEFAULT 0,
      size       INTEGER NOT NULL DEFAULT 0,
      malformed  INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
} satisfies Migration;
