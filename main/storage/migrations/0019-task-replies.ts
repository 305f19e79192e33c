import type { Migration } from '../migrate';

export default {
  version: 19,
  name: '0019-task-replies',
  sql: `
    -- The chat a background task's answer goes back to (/task in Telegram or Discord), kept so that the
    -- answer still arrives after a restart: the task service owns it, the chat bridge delivers it once.
    CREATE TABLE task_replies (
      task_id TEXT PRIMARY KEY,
      surface TEXT NOT NULL,
      chat_key TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
  `,
} satisfies Migration;
