import type { Migration } from '../migrate';

export default {
  version: 11,
  name: '0011-chat',
  sql: `
    -- The chat bridge (Telegram, Discord): who may talk, who asked to, which session each chat is on,
    -- every outgoing message until it is sent, and the replies and question cards still to finish.
    CREATE TABLE chat_users (
      surface    TEXT NOT NULL,
      user_id    TEXT NOT NULL,
      name       TEXT NOT NULL,
      chat_id    TEXT,
      added_at   INTEGER NOT NULL,
      PRIMARY KEY (surface, user_id)
    ) STRICT;
    CREATE TABLE chat_pairings (
      surface      TEXT NOT NULL,
      code         TEXT NOT NULL,
      user_id      TEXT NOT NULL,
      name         TEXT NOT NULL,
      chat_id      TEXT NOT NULL,
      requested_at INTEGER NOT NULL,
      expires_at   INTEGER NOT NULL,
      PRIMARY KEY (surface, code),
      UNIQUE (surface, user_id)
    ) STRICT;
    CREATE TABLE chat_bindings (
      surface    TEXT NOT NULL,
      chat_key   TEXT NOT NULL,
      session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (surface, chat_key)
    ) STRICT;
    CREATE INDEX chat_bindings_session ON chat_bindings(session_id);
    CREATE TABLE chat_outbox (
      id         INTEGER PRIMARY KEY,
      surface    TEXT NOT NULL,
      chat_key   TEXT NOT NULL,
      op         TEXT NOT NULL CHECK (op IN ('send', 'edit', 'document')),
      payload    TEXT NOT NULL CHECK (json_valid(payload)),
      dedupe     TEXT UNIQUE,
      state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
      attempts   INTEGER NOT NULL DEFAULT 0,
      next_at    INTEGER NOT NULL,
      remote_id  TEXT,
      error      TEXT,
      created_at INTEGER NOT NULL,
      sent_at    INTEGER
    ) STRICT;
    CREATE INDEX chat_outbox_pending ON chat_outbox(surface, next_at) WHERE state = 'pending';
    CREATE TABLE chat_replies (
      surface     TEXT NOT NULL,
      chat_key    TEXT NOT NULL,
      turn_id     TEXT NOT NULL,
      message_id  TEXT,
      finished    INTEGER NOT NULL DEFAULT 0,
      created_at  INTEGER NOT NULL,
      PRIMARY KEY (surface, chat_key, turn_id)
    ) STRICT;
    CREATE INDEX chat_replies_open ON chat_replies(surface) WHERE finished = 0;
    CREATE TABLE chat_cards (
      surface     TEXT NOT NULL,
      approval_id TEXT NOT NULL,
      chat_key    TEXT NOT NULL,
      message_id  TEXT,
      settled     INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (surface, approval_id, chat_key)
    ) STRICT;
  `,
} satisfies Migration;
