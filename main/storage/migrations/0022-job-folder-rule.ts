import type { Migration } from '../migrate';

export default {
  version: 22,
  name: '0022-job-folder-rule',
  sql: `
    -- A job made or last changed outside the owner's window (MCP, a chat, a Claude session), and not approved by
    -- the owner since: its folder is checked again at each run by the rule of those callers (work-folder.ts), as
    -- the folder may have become a link (to another session's own folder, a hidden folder of home) since it was saved.
    ALTER TABLE jobs ADD COLUMN made_outside INTEGER NOT NULL DEFAULT 0;
  `,
} satisfies Migration;
