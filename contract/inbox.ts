import * as z from 'zod';
import { event, method } from './define';
import type { SessionStatus } from './sessions';

/**
 * What an inbox item is about. The first three wait for the user (a question to answer, a job to approve,
 * a terminal session to continue); the rest inform.
 */
export const inboxKinds = ['question', 'job_approval', 'stop', 'note', 'done', 'failed', 'job_result', 'job_failed', 'usage_alert', 'usage_hold', 'limit_wait'] as const;
export type InboxKind = (typeof inboxKinds)[number];

/** Kinds that need the user while open: they count as *needs you* and go to the phone. */
export const NEEDS_YOU_KINDS: readonly InboxKind[] = ['question', 'job_approval', 'stop'];

/** Kinds that go to the phone by Web Push (while nobody is at a window): what needs the user, and failures. */
export const PUSH_KINDS: readonly InboxKind[] = ['question', 'job_approval', 'stop', 'failed', 'job_failed', 'limit_wait'];

/** open: waiting or unseen; settled: answered, continued or over elsewhere (its `outcome` says how); dismissed: put away by the user. */
export type InboxState = 'open' | 'settled' | 'dismissed';

/** One thing that waits for or informs the user, from any source, with the address to open it at. */
export interface InboxItem {
  id: number;
  kind: InboxKind;
  /** The service it came from: approvals, hooks, user, sessions, scheduler, usage. */
  source: string;
  sessionId: string | null;
  jobId: string | null;
  /** Who it is from or about (`session:<id>`, `mcp:<client>`, `hook:<claude session>`, `job:<id>`). */
  actor: string | null;
  title: string;
  text: string;
  /** The window's address (`#/sessions/<id>`, `#/schedules/<id>/runs/<run>`). */
  link: string | null;
  state: InboxState;
  read: boolean;
  /** What it refers to, for acting inline: the broker's question id (question, job_approval), the stop's id (stop). */
  ref: string | null;
  /** Until when a stopped terminal session can be continued, or when a plan limit resets. */
  until: number | null;
  /** How it was settled, in words (answered on Telegram, timed out, continued…). */
  outcome: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The figures a badge shows: open items that need the user, unread open items, and the badge (what needs the user plus the unread rest). */
export interface InboxCounts {
  needsYou: number;
  unread: number;
  badge: number;
}

export interface InboxPage {
  items: InboxItem[];
  counts: InboxCounts;
  /** Pass as `before` for the next (older) page; null at the end. */
  next: number | null;
}

/** One state per session, as the Sessions list shows it. */
export type SessionState = 'working' | 'needs_you' | 'done' | 'idle' | 'failed';

/** What the open items about one session come to: whether one needs the user, an unread finished turn or result, a wait for the plan's limit. */
export interface SessionInbox {
  needsYou: boolean;
  /** Any open item about it not read yet (opening the session reads them). */
  unread: boolean;
  unreadDone: boolean;
  /** Waiting for the plan's limit to reset until then; null when not. */
  limitUntil: number | null;
}

/**
 * A session's one state: it needs the user when an open item of a *needs you* kind is about it; a session
 * at work (or waiting for the plan's limit) is working; a failed or stalled one failed; one that finished
 * a long turn the user has not read yet is done; the rest idle.
 */
export function sessionState(status: SessionStatus, inbox: SessionInbox | undefined): SessionState {
  if (inbox?.needsYou) return 'needs_you';
  if (status === 'running' || status === 'queued' || inbox?.limitUntil) return 'working';
  if (status === 'failed' || status === 'stalled') return 'failed';
  if (inbox?.unreadDone) return 'done';
  return 'idle';
}

const itemId = z.number().int().min(1);

export const inboxMethods = {
  'inbox.list': method<InboxPage>()(
    z
      .object({
        filter: z.enum(['all', 'open', 'needs_you', 'unread']).default('all'),
        sessionId: z.string().min(1).max(100).optional(),
        before: itemId.optional(),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    'What waits for or informs the user, newest first (dismissed items only with filter all), with the counts.',
  ),
  'inbox.markRead': method<{ changed: number }>()(
    z
      .object({ ids: z.array(itemId).max(1000).optional(), sessionId: z.string().min(1).max(100).optional(), all: z.boolean().optional() })
      .strict()
      .refine((v) => !!v.ids?.length || !!v.sessionId || v.all === true, 'name ids, a sessionId, or all: true'),
    'Mark items read: by id, every item of a session (the user opened it), or all.',
  ),
  'inbox.sessions': method<Record<string, SessionInbox>>()(
    z.object({}).strict(),
    'What the open items about each session come to (by session id): what its one state (working, needs you, done, idle, failed) is made of.',
  ),
  'inbox.dismiss': method<InboxItem>()(z.object({ id: itemId }).strict(), 'Put an item away. A question stays open in the broker: dismissing only hides it here.'),
};

export const inboxEvents = {
  'inbox.changed': event<{ item: InboxItem | null; counts: InboxCounts }>('An item was added or changed (answered elsewhere, read, dismissed); null when many changed at once.'),
};
