import type { Migration } from '../migrate';

export default {
  version: 17,
  name: '0017-inbox-push',
  sql: `
    -- The inbox: one row per thing that waits for or informs the user, from every source. key names what it
    -- mirrors (approval:<id>, stop:<id>, run:<id>, turn:<id>, note:<uuid>...) so a source's later change
    -- updates the same row; needs_you is set for the kinds that wait for the user (questions, job approvals,
    -- stops in their reply window). Written only by main/inbox/.
    CREATE TABLE inbox_items (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      source TEXT NOT NULL,
      session_id TEXT,
      job_id TEXT,
      actor TEXT,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      link TEXT,
      state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'settled', 'dismissed')),
      read INTEGER NOT NULL DEFAULT 0,
      needs_you INTEGER NOT NULL DEFAULT 0,
      ref TEXT,
      until INTEGER,
      outcome TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX inbox_items_state ON inbox_items (state, id);
    CREATE INDEX inbox_items_needs_you ON inbox_items (state, needs_you, id);
    CREATE INDEX inbox_items_unread ON inbox_items (state, read, id);
    CREATE INDEX inbox_items_session ON inbox_items (session_id, state) WHERE session_id IS NOT NULL;

    -- Browsers subscribed to Web Push (the PushSubscription's endpoint and keys), named by the user.
    -- Written only by main/push/; the VAPID keys are secrets, not here.
    CREATE TABLE push_subscriptions (
      endpoint TEXT PRIMARY KEY,
      p256dh TEXT NOT NULL,
      auth TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      last_error TEXT
    );
  `,
} satisfies Migration;
