import type { Database } from 'better-sqlite3';
import { NEEDS_YOU_KINDS, type SessionInbox, type InboxCounts, type InboxItem, type InboxKind, type InboxState } from '../../contract';

interface Row {
  id: number;
  key: string;
  kind: InboxKind;
  source: string;
  session_id: string | null;
  job_id: string | null;
  actor: string | null;
  title: string;
  text: string;
  link: string | null;
  state: InboxState;
  read: number;
  needs_you: number;
  ref: string | null;
  until: number | null;
  outcome: string | null;
  created_at: number;
  updated_at: number;
}

/** What a source says of an item: the key names what it mirrors, so the same source updates the same row. */
export interface NewItem {
  key: string;
  kind: InboxKind;
  source: string;
  sessionId?: string | null;
  jobId?: string | null;
  actor?: string | null;
  title: string;
  text: string;
  link?: string | null;
  ref?: string | null;
  until?: number | null;
}

export type ListFilter = 'all' | 'open' | 'needs_you' | 'unread';

function toItem(row: Row): InboxItem {
  return {
    id: row.id,
    kind: row.kind,
    source: row.source,
    sessionId: row.session_id,
    jobId: row.job_id,
    actor: row.actor,
    title: row.title,
    text: row.text,
    link: row.link,
    state: row.state,
    read: row.read === 1,
    ref: row.ref,
    until: row.until,
    outcome: row.outcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const FILTERS: Record<ListFilter, string> = {
  all: `state != 'dismissed'`,
  open: `state = 'open'`,
  needs_you: `state = 'open' AND needs_you = 1`,
  unread: `state = 'open' AND read = 0`,
};

/** What one item adds to the counts. */
function weight(row: Pick<Row, 'state' | 'needs_you' | 'read'> | undefined): InboxCounts {
  if (!row || row.state !== 'open') return { needsYou: 0, unread: 0, badge: 0 };
  const unread = row.read ? 0 : 1;
  return { needsYou: row.needs_you, unread, badge: row.needs_you || unread };
}

/**
 * The inbox table's one owner. The counts are kept in memory as rows change (a full count once at start):
 * a list or a badge never scans the open items, however many there are.
 */
export class InboxStore {
  private counted: InboxCounts | null = null;

  constructor(private readonly db: () => Database) {}

  counts(): InboxCounts {
    if (!this.counted) {
      const row = this.db()
        .prepare(`SELECT count(*) FILTER (WHERE needs_you = 1) AS needsYou, count(*) FILTER (WHERE read = 0) AS unread, count(*) FILTER (WHERE needs_you = 1 OR read = 0) AS badge FROM inbox_items WHERE state = 'open'`)
        .get() as InboxCounts;
      this.counted = { needsYou: row.needsYou, unread: row.unread, badge: row.badge };
    }
    return { ...this.counted };
  }

  private account(before: Row | undefined, after: Row | undefined): void {
    if (!this.counted) return;
    const b = weight(before);
    const a = weight(after);
    this.counted.needsYou += a.needsYou - b.needsYou;
    this.counted.unread += a.unread - b.unread;
    this.counted.badge += a.badge - b.badge;
  }

  private rowByKey(key: string): Row | undefined {
    return this.db().prepare('SELECT * FROM inbox_items WHERE key = ?').get(key) as Row | undefined;
  }

  private rowById(id: number): Row | undefined {
    return this.db().prepare('SELECT * FROM inbox_items WHERE id = ?').get(id) as Row | undefined;
  }

  get(id: number): InboxItem | null {
    const row = this.rowById(id);
    return row ? toItem(row) : null;
  }

  byKey(key: string): InboxItem | null {
    const row = this.rowByKey(key);
    return row ? toItem(row) : null;
  }

  /** A new item, or the source's newer word on one it made before (its text, its link); read and state stay as they were. */
  upsert(item: NewItem, now: number): { item: InboxItem; added: boolean } {
    const before = this.rowByKey(item.key);
    const after = this.db()
      .prepare(
        `INSERT INTO inbox_items (key, kind, source, session_id, job_id, actor, title, text, link, needs_you, ref, until, created_at, updated_at)
         VALUES (@key, @kind, @source, @sessionId, @jobId, @actor, @title, @text, @link, @needsYou, @ref, @until, @now, @now)
         ON CONFLICT (key) DO UPDATE SET title = excluded.title, text = excluded.text, link = excluded.link, until = excluded.until,
           session_id = coalesce(excluded.session_id, session_id), job_id = coalesce(excluded.job_id, job_id), updated_at = excluded.updated_at
         RETURNING *`,
      )
      .get({
        key: item.key,
        kind: item.kind,
        source: item.source,
        sessionId: item.sessionId ?? null,
        jobId: item.jobId ?? null,
        actor: item.actor ?? null,
        title: item.title,
        text: item.text,
        link: item.link ?? null,
        needsYou: NEEDS_YOU_KINDS.includes(item.kind) ? 1 : 0,
        ref: item.ref ?? null,
        until: item.until ?? null,
        now,
      }) as Row;
    this.account(before, after);
    return { item: toItem(after), added: !before };
  }

  /**
   * A source saying the same thing again (a job's next result or failure): while the item is open and unread it
   * is updated in place (its ref, the first of the repeats, stays); once read, settled or dismissed it comes back
   * as new: open, unread, at the top (a new id; `replaced` names the old one).
   */
  repeat(item: NewItem, now: number): { item: InboxItem; added: boolean; replaced: number | null } {
    const before = this.rowByKey(item.key);
    if (!before || (before.state === 'open' && before.read === 0)) return { ...this.upsert(item, now), replaced: null };
    return this.db().transaction(() => {
      this.db().prepare('DELETE FROM inbox_items WHERE id = ?').run(before.id);
      this.account(before, undefined);
      return { ...this.upsert(item, now), replaced: before.id };
    })();
  }

  /** Over elsewhere (by key, or by id): answered, continued, timed out. A dismissed item stays dismissed; its outcome is still noted. */
  settle(target: string | number, outcome: string, now: number): InboxItem | null {
    const before = typeof target === 'number' ? this.rowById(target) : this.rowByKey(target);
    if (!before || (before.state === 'settled' && before.outcome === outcome)) return null;
    const after = this.db()
      .prepare(`UPDATE inbox_items SET state = CASE state WHEN 'open' THEN 'settled' ELSE state END, outcome = ?, updated_at = ? WHERE id = ? RETURNING *`)
      .get(outcome, now, before.id) as Row;
    this.account(before, after);
    return toItem(after);
  }

  /** Removes a deleted session's items: they carry its words (its title, answers, commands), which go with it. How many went. */
  forgetSession(sessionId: string): number {
    const gone = this.db().prepare('DELETE FROM inbox_items WHERE session_id = ? RETURNING *').all(sessionId) as Row[];
    for (const row of gone) this.account(row, undefined);
    return gone.length;
  }

  /** Ties an item to a session found after it was made (a terminal's question, once its session is known). */
  setSession(key: string, sessionId: string): InboxItem | null {
    const row = this.db().prepare('UPDATE inbox_items SET session_id = ? WHERE key = ? AND session_id IS NULL RETURNING *').get(sessionId, key) as Row | undefined;
    return row ? toItem(row) : null;
  }

  dismiss(id: number, now: number): InboxItem | null {
    const before = this.rowById(id);
    if (!before) return null;
    if (before.state === 'dismissed') return toItem(before);
    const after = this.db().prepare(`UPDATE inbox_items SET state = 'dismissed', updated_at = ? WHERE id = ? RETURNING *`).get(now, id) as Row;
    this.account(before, after);
    return toItem(after);
  }

  /** Marks read; returns the rows that changed (few: a session's, or the ids given), or null for "all" (many). */
  markRead(target: { ids?: number[]; sessionId?: string; all?: boolean }, now: number): { changed: number; items: InboxItem[] | null } {
    if (target.all) {
      const changed = this.db().prepare('UPDATE inbox_items SET read = 1, updated_at = ? WHERE read = 0').run(now).changes;
      this.counted = null;
      return { changed, items: null };
    }
    const rows: Row[] = [];
    const byId = this.db().prepare('UPDATE inbox_items SET read = 1, updated_at = ? WHERE id = ? AND read = 0 RETURNING *');
    const bySession = this.db().prepare('UPDATE inbox_items SET read = 1, updated_at = ? WHERE session_id = ? AND read = 0 RETURNING *');
    this.db().transaction(() => {
      for (const id of target.ids ?? []) {
        const row = byId.get(now, id) as Row | undefined;
        if (row) rows.push(row);
      }
      if (target.sessionId) rows.push(...(bySession.all(now, target.sessionId) as Row[]));
    })();
    for (const row of rows) this.account({ ...row, read: 0 }, row);
    return { changed: rows.length, items: rows.map(toItem) };
  }

  /** A page, newest first; `before` continues from the last id of the previous page. */
  list(filter: ListFilter, limit: number, before?: number, sessionId?: string): { items: InboxItem[]; next: number | null } {
    const where = [FILTERS[filter]];
    const params: (string | number)[] = [];
    if (before !== undefined) {
      where.push('id < ?');
      params.push(before);
    }
    if (sessionId) {
      where.push('session_id = ?');
      params.push(sessionId);
    }
    const rows = this.db()
      .prepare(`SELECT * FROM inbox_items WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
      .all(...params, limit + 1) as Row[];
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map(toItem);
    return { items, next: more ? items[items.length - 1]!.id : null };
  }

  /** Open items by kind, for the checks at start (a question whose broker record ended while Switchboard was down). */
  openOfKinds(kinds: readonly InboxKind[]): InboxItem[] {
    return (this.db().prepare(`SELECT * FROM inbox_items WHERE state = 'open' AND kind IN (${kinds.map(() => '?').join(', ')})`).all(...kinds) as Row[]).map(toItem);
  }

  /** Open items of one kind about a job or a session (a job's holds, released when the window reset). */
  openOf(kind: InboxKind, about: { jobId?: string; sessionId?: string }): InboxItem[] {
    const column = about.jobId ? 'job_id' : 'session_id';
    return (this.db().prepare(`SELECT * FROM inbox_items WHERE state = 'open' AND kind = ? AND ${column} = ?`).all(kind, about.jobId ?? about.sessionId ?? '') as Row[]).map(toItem);
  }

  /** What the open items about each session come to, one row a session: its one state is made of this. */
  openBySession(): Record<string, SessionInbox> {
    const rows = this.db()
      .prepare(
        `SELECT session_id AS id, max(needs_you) AS needsYou, max(read = 0) AS unread, max(read = 0 AND kind IN ('done', 'job_result')) AS unreadDone, max(CASE WHEN kind = 'limit_wait' THEN until END) AS limitUntil
         FROM inbox_items WHERE state = 'open' AND session_id IS NOT NULL GROUP BY session_id`,
      )
      .all() as { id: string; needsYou: number; unread: number; unreadDone: number; limitUntil: number | null }[];
    const out: Record<string, SessionInbox> = {};
    for (const row of rows) out[row.id] = { needsYou: row.needsYou === 1, unread: row.unread === 1, unreadDone: row.unreadDone === 1, limitUntil: row.limitUntil };
    return out;
  }
}
