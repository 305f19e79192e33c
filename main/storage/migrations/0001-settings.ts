import type { Migration } from '../migrate';

export default {
  version: 1,
  name: '0001-settings',
  sql: `
    CREATE TABLE settings (
      key        TEXT PRIMARY KEY,
      value      TEXT NOT NULL CHECK (json_valid(value)),
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
} satisfies Migration;
