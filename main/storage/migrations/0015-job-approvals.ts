import type { Migration } from '../migrate';

export default {
  version: 15,
  name: '0015-job-approvals',
  sql: `
    -- A job that runs code, made or changed in what it runs outside the owner's window (MCP, a chat, a
    -- Claude session), waits for the owner's approval: it does not fire until allowed. waiting_since is
    -- set while it waits; approval_id is the broker's question; requested_by says who asked, in words.
    ALTER TABLE jobs ADD COLUMN waiting_since INTEGER;
    ALTER TABLE jobs ADD COLUMN approval_id TEXT;
    ALTER TABLE jobs ADD COLUMN requested_by TEXT;
  `,
} satisfies Migration;
