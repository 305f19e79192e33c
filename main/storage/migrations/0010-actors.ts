import type { Migration } from '../migrate';

export default {
  version: 10,
  name: '0010-actors',
  sql: `
    -- Who did it, beside the surface it came through: 'desktop', 'browser:127.0.0.1', 'job:<id>', and next a
    -- Telegram user, an MCP client or a terminal session. Rows from before stay unknown (NULL).
    ALTER TABLE turns ADD COLUMN actor TEXT;
    ALTER TABLE memories ADD COLUMN actor TEXT;
    -- Approvals already name who answered; a person's answer said only 'user'.
  `,
} satisfies Migration;
