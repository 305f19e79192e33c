import type { Migration } from '../migrate';

export default {
  version: 12,
  name: '0012-chat-channels',
  sql: `
    -- Channels that opted in (Discord): each bound to a project, which its sessions and its threads'
    -- sessions start with.
    CREATE TABLE chat_channels (
      surface       TEXT NOT NULL,
      chat_key      TEXT NOT NULL,
      name          TEXT NOT NULL,
      place         TEXT NOT NULL DEFAULT '',
      cwd           TEXT,
      model         TEXT,
      allowed_tools TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_tools)),
      system_prompt TEXT,
      reply_to      TEXT NOT NULL DEFAULT 'mention' CHECK (reply_to IN ('mention', 'all')),
      updated_at    INTEGER NOT NULL,
      PRIMARY KEY (surface, chat_key)
    ) STRICT;
  `,
} satisfies Migration;
