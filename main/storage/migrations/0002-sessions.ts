import type { Migration } from '../migrate';

export default {
  version: 2,
  name: '0002-sessions',
  sql: `
    -- A conversation with Claude, from any surface; its CLI session id changes on reset or a lost resume.
    CREATE TABLE sessions (
      id                TEXT PRIMARY KEY,
      surface           TEXT NOT NULL,
      surface_key       TEXT NOT NULL,
      claude_session_id TEXT NOT NULL,
      cli_started       INTEGER NOT NULL DEFAULT 0,
      title             TEXT NOT NULL,
      cwd               TEXT NOT NULL,
      model             TEXT,
      permission_policy TEXT NOT NULL CHECK (permission_policy IN ('ask', 'acceptEdits', 'plan', 'bypass')),
      system_prompt     TEXT,
      session_rules     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(session_rules)),
      last_status       TEXT NOT NULL DEFAULT 'stopped',
      cost_usd          REAL NOT NULL DEFAULT 0,
      created_at        INTEGER NOT NULL,
      updated_at        INTEGER NOT NULL,
      UNIQUE (surface, surface_key)
    ) STRICT;

    -- One message sent to Claude and what came of it; a queued turn is already stored.
    CREATE TABLE turns (
      id                TEXT PRIMARY KEY,
      session_id        TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      seq               INTEGER NOT NULL,
      claude_session_id TEXT NOT NULL,
      surface           TEXT NOT NULL,
      prompt            TEXT NOT NULL,
      status            TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'stalled', 'interrupted', 'cancelled')),
      result_text       TEXT,
      error             TEXT,
      cost_usd          REAL,
      input_tokens      INTEGER,
      output_tokens     INTEGER,
      duration_ms       INTEGER,
      denials           TEXT CHECK (denials IS NULL OR json_valid(denials)),
      queued_at         INTEGER NOT NULL,
      started_at        INTEGER,
      ended_at          INTEGER,
      UNIQUE (session_id, seq)
    ) STRICT;
    CREATE INDEX turns_status ON turns(status) WHERE status IN ('queued', 'running');

    -- Every message of a session: the user's, each assistant block, each tool result, notices.
    CREATE TABLE messages (
      id         INTEGER PRIMARY KEY,
      session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      turn_id    TEXT REFERENCES turns(id) ON DELETE CASCADE,
      role       TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
      kind       TEXT NOT NULL,
      text       TEXT NOT NULL DEFAULT '',
      data       TEXT CHECK (data IS NULL OR json_valid(data)),
      surface    TEXT,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX messages_session ON messages(session_id, id);

    -- "Always allow" rules, in the CLI's own pattern form, e.g. Bash(git *).
    CREATE TABLE approval_rules (
      id         INTEGER PRIMARY KEY,
      rule       TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL
    ) STRICT;

    -- Every permission question and how it was answered, by whom and from where.
    CREATE TABLE approvals (
      id           TEXT PRIMARY KEY,
      session_id   TEXT REFERENCES sessions(id) ON DELETE SET NULL,
      turn_id      TEXT,
      source       TEXT NOT NULL,
      tool_name    TEXT NOT NULL,
      input        TEXT NOT NULL CHECK (json_valid(input)),
      suggestions  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(suggestions)),
      description  TEXT,
      status       TEXT NOT NULL CHECK (status IN ('pending', 'allowed', 'denied', 'expired')),
      decision     TEXT CHECK (decision IS NULL OR decision IN ('once', 'session', 'always', 'deny', 'rule', 'timeout', 'cancelled')),
      rule         TEXT,
      message      TEXT,
      answered_by  TEXT,
      answered_via TEXT,
      created_at   INTEGER NOT NULL,
      expires_at   INTEGER NOT NULL,
      answered_at  INTEGER
    ) STRICT;
    CREATE INDEX approvals_pending ON approvals(status) WHERE status = 'pending';
  `,
} satisfies Migration;
