import type { Migration } from '../migrate';

export default {
  version: 21,
  name: '0021-forgotten-transcripts',
  sql: `
    -- The Claude sessions of conversations the user deleted: their transcripts stay in Claude Code's folder,
    -- and lines read from them later (the CLI's last ones, a rewrite) must not bring the conversation back.
    CREATE TABLE forgotten_transcripts (
      claude_session_id TEXT PRIMARY KEY,
      forgotten_at INTEGER NOT NULL
    ) STRICT;
  `,
} satisfies Migration;
