import { useEffect, useState } from 'react';
import { JOB_APPROVAL_TOOL, NEEDS_YOU_KINDS, type InboxItem, type InboxKind } from '../../../../contract';
import { ErrorBanner } from '../../app/ErrorBanner';
import { FieldError } from '../../app/FieldError';
import { openLink } from '../../app/navigation-store';
import { clockTime } from '../../app/time';
import { JobApprovalCard } from '../schedules/JobApprovalCard';
import { ApprovalCard } from '../sessions/ApprovalCard';
import { PlanCard, QuestionCard } from '../sessions/QuestionCard';
import { useSessions } from '../sessions/sessions-store';
import { useInbox, type InboxFilter } from './inbox-store';

const KIND_LABELS: Record<InboxKind, string> = {
  question: 'Question',
  job_approval: 'Job approval',
  stop: 'Reply to continue',
  note: 'Note',
  done: 'Finished',
  failed: 'Failed',
  job_result: 'Job result',
  job_failed: 'Job failed',
  usage_alert: 'Usage',
  usage_hold: 'Held',
  limit_wait: 'Plan limit',
};

const FILTERS: { id: InboxFilter; label: string }[] = [
  { id: 'needs_you', label: 'Needs you' },
  { id: 'open', label: 'Open' },
  { id: 'all', label: 'All' },
];

/** How long an unread note shows before it counts as read. */
const SEEN_MS = 2000;

function when(ms: number): string {
  const today = new Date().toDateString() === new Date(ms).toDateString();
  return today ? clockTime(ms) : new Date(ms).toLocaleDateString([], { day: 'numeric', month: 'short' }) + ` ${clockTime(ms)}`;
}

/** The broker's question an item mirrors, answered here with the same card the session shows. */
function QuestionAction({ item }: { item: InboxItem }) {
  const approval = useSessions((s) => (item.ref ? s.approvals[item.ref] : undefined));
  if (!approval) return <p className="muted">Waiting for the question to load…</p>;
  if (approval.toolName === JOB_APPROVAL_TOOL) return <JobApprovalCard approval={approval} />;
  if (approval.toolName === 'AskUserQuestion') return <QuestionCard approval={approval} />;
  if (approval.toolName === 'ExitPlanMode') return <PlanCard approval={approval} />;
  return <ApprovalCard approval={approval} />;
}

/** A terminal session stopped within its reply window: a reply continues the same session. */
function ReplyBox({ item }: { item: InboxItem }) {
  const reply = useInbox((s) => s.reply);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const send = async () => {
    if (!text.trim()) return setError('Write what Claude should do next.');
    setSending(true);
    setError(await reply(item, text.trim()));
    setSending(false);
  };
  return (
    <form
      className="inbox-reply"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <textarea aria-label="Reply to continue" placeholder="Reply to continue this session…" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      <div className="inbox-reply-row">
        {item.until ? <span className="muted">Until {clockTime(item.until)}</span> : null}
        <button type="submit" disabled={sending}>
          Continue
        </button>
      </div>
      <FieldError error={error} />
    </form>
  );
}

function InboxRow({ item }: { item: InboxItem }) {
  const markRead = useInbox((s) => s.markRead);
  const dismiss = useInbox((s) => s.dismiss);
  const open = item.state === 'open';
  const acting = open && (item.kind === 'question' || item.kind === 'job_approval');
  return (
    <li className={`inbox-item kind-${item.kind} state-${item.state}${item.read ? '' : ' unread'}`} data-testid="inbox-item" aria-label={item.title}>
      <div className="inbox-item-head">
        <span className={`badge ${NEEDS_YOU_KINDS.includes(item.kind) && open ? 'badge-warn' : item.kind.includes('fail') ? 'badge-error' : ''}`}>{KIND_LABELS[item.kind]}</span>
        <strong className="inbox-title">{item.title}</strong>
        <time className="muted" dateTime={new Date(item.createdAt).toISOString()}>
          {when(item.createdAt)}
        </time>
      </div>
      {item.text && !acting ? <p className="inbox-text">{item.text}</p> : null}
      {!open && item.outcome ? <p className="inbox-outcome muted">{item.outcome}</p> : null}
      {acting ? <QuestionAction item={item} /> : null}
      {open && item.kind === 'stop' ? <ReplyBox item={item} /> : null}
      <div className="inbox-actions">
        {item.link && item.link !== '#/inbox' ? (
          <button
            onClick={() => {
              if (!item.read) void markRead({ ids: [item.id] });
              openLink(item.link!);
            }}
          >
            Open
          </button>
        ) : null}
        {open && !item.read ? (
          <button className="quiet" onClick={() => void markRead({ ids: [item.id] })}>
            Mark read
          </button>
        ) : null}
        {item.state !== 'dismissed' ? (
          <button className="quiet" onClick={() => void dismiss(item.id)} aria-label={`Dismiss ${item.title}`}>
            Dismiss
          </button>
        ) : null}
      </div>
    </li>
  );
}

/**
 * Everything that waits for or informs the user, from every source, newest first: questions answered
 * here with the session's own cards, a reply box for a terminal session stopped in its reply window,
 * notes, results and failures, each with its link. Answered elsewhere, an item changes here at once.
 */
export function InboxScreen() {
  const start = useInbox((s) => s.start);
  const items = useInbox((s) => s.items);
  const filter = useInbox((s) => s.filter);
  const setFilter = useInbox((s) => s.setFilter);
  const next = useInbox((s) => s.next);
  const more = useInbox((s) => s.more);
  const loading = useInbox((s) => s.loading);
  const counts = useInbox((s) => s.counts);
  const error = useInbox((s) => s.error);
  const markRead = useInbox((s) => s.markRead);
  useEffect(() => start(), [start]);
  // Notes seen for a moment count as read; what needs you stays counted until it is settled.
  const unseen = items.filter((i) => !i.read && i.state === 'open' && !NEEDS_YOU_KINDS.includes(i.kind)).map((i) => i.id);
  const unseenKey = unseen.join(',');
  useEffect(() => {
    if (!unseenKey) return;
    const timer = setTimeout(() => void markRead({ ids: unseenKey.split(',').map(Number) }), SEEN_MS);
    return () => clearTimeout(timer);
  }, [unseenKey, markRead]);
  return (
    <div className="screen inbox-screen">
      <div className="card-head">
        <h1>Inbox</h1>
        {counts.unread ? <button onClick={() => void markRead({ all: true })}>Mark all read</button> : null}
      </div>
      <div className="tabs" role="tablist" aria-label="Show">
        {FILTERS.map((f) => (
          <button key={f.id} role="tab" aria-selected={filter === f.id} onClick={() => setFilter(f.id)}>
            {f.label}
            {f.id === 'needs_you' && counts.needsYou ? <span className="badge badge-warn nav-count">{counts.needsYou}</span> : null}
          </button>
        ))}
      </div>
      {error ? <ErrorBanner error={error} onClose={() => useInbox.setState({ error: null })} /> : null}
      <ul className="inbox-list">
        {items.map((item) => (
          <InboxRow key={item.id} item={item} />
        ))}
      </ul>
      {!items.length && !loading ? (
        <p className="muted empty">
          {filter !== 'needs_you' ? (
            'Nothing here yet.'
          ) : counts.unread ? (
            // The sidebar's count holds unread notes too: say where they are rather than show an empty screen under it.
            <>
              Nothing needs you now; {counts.unread} unread {counts.unread === 1 ? 'note is' : 'notes are'} under{' '}
              <button className="link" onClick={() => setFilter('all')}>
                All
              </button>
              .
            </>
          ) : (
            'Nothing needs you now.'
          )}
        </p>
      ) : null}
      {next !== null ? (
        <button className="inbox-more" onClick={() => void more()}>
          Show older
        </button>
      ) : null}
    </div>
  );
}
