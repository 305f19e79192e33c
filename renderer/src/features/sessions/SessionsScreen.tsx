import { useEffect, useMemo, useState } from 'react';
import { selectGo, selectRoute, useNavigation } from '../../app/navigation-store';
import { SURFACE_LABELS } from '../../app/surfaces';
import { BackToList, isWide } from '../../app/panes';
import { ErrorBanner } from '../../app/ErrorBanner';
import { NotFound } from '../../app/NotFound';
import { JOB_APPROVAL_TOOL, money, sessionState, type SessionState, type SessionSummary } from '../../../../contract';
import { useInbox } from '../inbox/inbox-store';
import { clockTime } from '../../app/time';
import { ApprovalCard } from './ApprovalCard';
import { JobApprovalCard } from '../schedules/JobApprovalCard';
import { PlanCard, QuestionCard } from './QuestionCard';
import { Composer } from './Composer';
import { confirmAction } from '../../app/Dialog';
import { ModelInput } from './ModelInput';
import { groupSessions } from './session-groups';
import { NewSessionDialog, POLICIES } from './NewSessionDialog';
import { selectSelected, selectSessionList, UNDO_DELETE_MS, useSessions } from './sessions-store';
import { TerminalsTab } from './TerminalsTab';
import { ChangesTab } from '../changes/ChangesTab';
import { BYPASS_AS_ROOT, useRunsAsRoot } from '../../app/runs-as-root';
import { Transcript } from './Transcript';

function folderName(cwd: string): string {
  return cwd.split(/[\\/]/).filter(Boolean).pop() ?? cwd;
}


const STATE_LABELS: Record<SessionState, string> = { working: 'working', needs_you: 'needs you', done: 'done', idle: 'idle', failed: 'failed' };

function SessionRow({ s, selectedId, state, limitUntil }: { s: SessionSummary; selectedId: string | null; state: SessionState; limitUntil?: number | null }) {
  const go = useNavigation(selectGo);
  return (
    <li>
      <button className={s.id === selectedId ? 'session-item active' : 'session-item'} onClick={() => go('sessions', [s.id])} aria-current={s.id === selectedId ? 'true' : undefined}>
        <span className="session-title">{s.title}</span>
        <span className="session-facts">
          <span className={`badge session-state-${state}`} data-testid="session-status" title={`Claude process: ${s.status}`}>
            {limitUntil ? `waiting for the limit to reset at ${clockTime(limitUntil)}` : STATE_LABELS[state]}
          </span>
          <span className="muted">{folderName(s.cwd)}</span>
          <span className="muted">{s.model ?? 'default model'}</span>
          <span className="muted">{money(s.costUsd)}</span>
        </span>
      </button>
    </li>
  );
}

/**
 * Sessions newest first, searchable by title and filtered by surface. Runs of scheduled jobs that
 * start a fresh session each time are folded under their job instead of filling the list.
 */
function SessionList({ onNew, hidden }: { onNew: () => void; hidden: ReadonlySet<string> }) {
  const sessions = useSessions(selectSessionList);
  const selectedId = useSessions((s) => s.selectedId);
  const approvals = useSessions((s) => s.approvals);
  const [query, setQuery] = useState('');
  const [surface, setSurface] = useState('');
  const [needsMe, setNeedsMe] = useState(false);
  const bySession = useInbox((s) => s.bySession);
  // One state per session: the inbox's open items about it (a question here counts even before the inbox has it), and its process.
  const states = useMemo(() => {
    const asking = new Set(Object.values(approvals).map((a) => a.sessionId));
    const out: Record<string, SessionState> = {};
    for (const s of Object.values(sessions)) out[s.id] = asking.has(s.id) ? 'needs_you' : sessionState(s.status, bySession[s.id]);
    return out;
  }, [sessions, approvals, bySession]);
  const listed = useMemo(() => Object.values(sessions).filter((s) => !needsMe || states[s.id] === 'needs_you'), [sessions, needsMe, states]);
  const { main, jobs } = useMemo(() => groupSessions(listed, { query, surface, hidden, selectedId }), [listed, query, surface, hidden, selectedId]);
  const surfaces = useMemo(() => [...new Set(Object.values(sessions).map((s) => s.surface))].sort(), [sessions]);
  return (
    <aside className="session-list pane-side" aria-label="Sessions">
      <button className="new-session" onClick={onNew}>
        New session
      </button>
      <div className="session-filter">
        <input type="search" aria-label="Search sessions" placeholder="Search titles" value={query} onChange={(e) => setQuery(e.target.value)} />
        <select aria-label="Sessions from" value={surface} onChange={(e) => setSurface(e.target.value)}>
          <option value="">All</option>
          {surfaces.map((v) => (
            <option key={v} value={v}>
              {SURFACE_LABELS[v] ?? v}
            </option>
          ))}
        </select>
        <label className="needs-me">
          <input type="checkbox" checked={needsMe} onChange={(e) => setNeedsMe(e.target.checked)} /> Needs me
        </label>
      </div>
      <ul>
        {main.map((s) => (
          <SessionRow key={s.id} s={s} selectedId={selectedId} state={states[s.id] ?? 'idle'} limitUntil={bySession[s.id]?.limitUntil} />
        ))}
      </ul>
      {jobs.map(([title, runs]) =>
        runs.length === 1 ? (
          <ul key={title}>
            <SessionRow s={runs[0]!} selectedId={selectedId} state={states[runs[0]!.id] ?? 'idle'} />
          </ul>
        ) : (
          <details key={title} className="job-runs" data-testid="job-sessions">
            <summary>
              {title} <span className="muted">· {runs.length} runs</span>
              {runs.some((r) => states[r.id] === 'needs_you') ? <span className="badge session-state-needs_you"> needs you</span> : null}
            </summary>
            <ul>
              {runs.map((s) => (
                <SessionRow key={s.id} s={s} selectedId={selectedId} state={states[s.id] ?? 'idle'} limitUntil={bySession[s.id]?.limitUntil} />
              ))}
            </ul>
          </details>
        ),
      )}
      {!main.length && !jobs.length ? <p className="muted">{needsMe ? 'No session needs you.' : query || surface ? 'No session matches.' : 'No sessions yet.'}</p> : null}
    </aside>
  );
}

/** The session's model: an alias or any model name, saved on Enter or when the field is left. Keyed by the stored value. */
function ModelField({ session }: { session: SessionSummary }) {
  const update = useSessions((s) => s.update);
  const [model, setModel] = useState(session.model ?? '');
  const save = () => {
    const next = model.trim() || null;
    if (next !== session.model) void update({ model: next });
  };
  return (
    <ModelInput
      id="session-model"
      aria-label="Model"
      title="Applies from the next message, in the same conversation"
      placeholder="default model"
      size={14}
      value={model}
      onChange={(e) => setModel(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => e.key === 'Enter' && save()}
    />
  );
}

/** The contract's limit for a title: typing stops there rather than losing the rename to a refusal. */
const TITLE_MAX = 200;

/** The title (click to rename), folder, model and permissions (changed here, for the next turn or at once), and the actions. */
function SessionHeader({ session, onDelete }: { session: SessionSummary; onDelete: () => void }) {
  const root = useRunsAsRoot();
  const interrupt = useSessions((s) => s.interrupt);
  const reset = useSessions((s) => s.reset);
  const update = useSessions((s) => s.update);
  const [title, setTitle] = useState<string | null>(null);
  const saveTitle = () => {
    if (title !== null && title.trim() && title.trim() !== session.title) void update({ title: title.trim() });
    setTitle(null);
  };
  return (
    <header className="session-header">
      <div className="session-heading">
        <BackToList screen="sessions" label="Sessions" />
        {title === null ? (
          <h1>
            <button className="title-button" title="Rename" onClick={() => setTitle(session.title)}>
              {session.title}
            </button>
          </h1>
        ) : (
          <input
            className="title-edit"
            aria-label="Session title"
            maxLength={TITLE_MAX}
            value={title}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onBlur={saveTitle}
            onKeyDown={(e) => {
              if (e.key === 'Enter') saveTitle();
              if (e.key === 'Escape') setTitle(null);
            }}
          />
        )}
        <p className="muted">
          {session.worktree ? (
            <>
              <code>{session.worktree.branch}</code> from <code>{session.worktree.baseBranch}</code> in <code>{session.worktree.repo}</code>
            </>
          ) : (
            <code>{session.cwd}</code>
          )}{' '}
          · {money(session.costUsd)}
          {session.pid ? ` · pid ${session.pid}` : ''}
        </p>
        <div className="session-settings">
          <ModelField key={`${session.id}:${session.model}`} session={session} />
          <select
            title="Changes a running Claude at once"
            aria-label="Permissions"
            className={session.permissionPolicy === 'bypass' ? 'field-error' : ''}
            value={session.permissionPolicy}
            onChange={async (e) => {
              const policy = e.target.value as SessionSummary['permissionPolicy'];
              if (policy === 'bypass' && !(await confirmAction({ title: 'Bypass permissions?', body: 'Claude will run every tool, shell commands included, without asking you.', confirm: 'Bypass', danger: true }))) return;
              void update({ permissionPolicy: policy });
            }}
          >
            {POLICIES.map((p) => (
              <option key={p.value} value={p.value} disabled={root && p.value === 'bypass'}>
                {root && p.value === 'bypass' ? BYPASS_AS_ROOT : p.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="session-actions">
        <button disabled={session.status !== 'running'} onClick={() => void interrupt()}>
          Stop
        </button>
        <button
          onClick={async () =>
            (await confirmAction({ title: 'Start a new Claude session?', body: 'This history stays here, but Claude will not remember it.', confirm: 'Reset' })) && void reset()
          }
        >
          Reset
        </button>
        <button className="danger" onClick={onDelete}>
          Delete
        </button>
      </div>
    </header>
  );
}

/** Live sessions: list, transcript, approvals and composer. */
export function SessionsScreen() {
  const start = useSessions((s) => s.start);
  const session = useSessions(selectSelected);
  const approvals = useSessions((s) => s.approvals);
  const error = useSessions((s) => s.error);
  const missing = useSessions((s) => s.missing);
  const dismissError = useSessions((s) => s.dismissError);
  const select = useSessions((s) => s.select);
  const selectedId = useSessions((s) => s.selectedId);
  const sessions = useSessions(selectSessionList);
  const route = useNavigation(selectRoute);
  const go = useNavigation(selectGo);
  const replace = useNavigation((s) => s.replace);
  const [creating, setCreating] = useState(false);
  const [tab, setTab] = useState<'conversation' | 'terminal' | 'changes'>('conversation');
  useEffect(() => start(), [start]);
  // The address names the session; the store follows it (Back, Forward, a reload, a link).
  const routeId = route.path[0] ?? null;
  useEffect(() => {
    if (routeId !== selectedId) select(routeId);
  }, [routeId, selectedId, select]);
  // Opening a session reads what the inbox holds about it.
  const unreadHere = useInbox((s) => !!routeId && !!s.bySession[routeId]?.unread);
  useEffect(() => {
    if (routeId && unreadHere) void useInbox.getState().markRead({ sessionId: routeId });
  }, [routeId, unreadHere]);
  const pendingDelete = useSessions((s) => s.pendingDelete);
  const deleteLater = useSessions((s) => s.deleteLater);
  const undoDelete = useSessions((s) => s.undoDelete);
  const hidden = useMemo(() => new Set(pendingDelete ? [pendingDelete.id] : []), [pendingDelete]);
  const newest = useMemo(() => Object.values(sessions).filter((s) => !hidden.has(s.id)).sort((a, b) => b.updatedAt - a.updatedAt)[0], [sessions, hidden]);
  // A wide window opens the newest session; a phone shows the list first.
  useEffect(() => {
    if (!routeId && newest && isWide()) replace('sessions', [newest.id]);
  }, [routeId, newest, replace]);
  const mine = Object.values(approvals).filter((a) => a.sessionId === session?.id);
  const others = Object.values(approvals).filter((a) => a.sessionId !== null && a.sessionId !== session?.id);
  // Questions no session here owns: Claude Code in a terminal (its hooks), or ask_user over MCP.
  const outside = Object.values(approvals).filter((a) => a.sessionId === null);
  return (
    <>
      <div className={`sessions-screen two-pane full-bleed${session || outside.length || missing ? ' show-detail' : ''}`}>
        <SessionList onNew={() => setCreating(true)} hidden={hidden} />
        <section className="session-detail">
          {error ? <ErrorBanner error={error} onClose={dismissError} /> : null}
          {pendingDelete ? (
            <div className="banner banner-warn" role="status">
              Deleted “{pendingDelete.title}”. <button onClick={undoDelete}>Undo</button>
            </div>
          ) : null}
          {outside.length ? (
            <div className="outside-questions" role="region" aria-label="Questions from outside the app">
              {outside.map((a) =>
                a.toolName === 'AskUserQuestion' ? <QuestionCard key={a.id} approval={a} /> : a.toolName === JOB_APPROVAL_TOOL ? <JobApprovalCard key={a.id} approval={a} /> : <ApprovalCard key={a.id} approval={a} />,
              )}
            </div>
          ) : null}
          {others.length ? (
            <button className="banner banner-warn" onClick={() => others[0]?.sessionId && go('sessions', [others[0].sessionId])}>
              {others.length} question{others.length > 1 ? 's' : ''} waiting in other sessions. Show
            </button>
          ) : null}
          {session && !hidden.has(session.id) ? (
            <>
              <SessionHeader
                session={session}
                onDelete={async () => {
                  const tree = session.worktree ? ` Its worktree and the branch ${session.worktree.branch} go too, with any change not merged.` : '';
                  if (await confirmAction({ title: `Delete “${session.title}”?`, body: `Its messages go too.${tree} You can undo this for ${UNDO_DELETE_MS / 1000} seconds.`, confirm: 'Delete', danger: true })) deleteLater(session.id);
                }}
              />
              <div className="tabs" role="tablist">
                <button role="tab" aria-selected={tab === 'conversation'} onClick={() => setTab('conversation')}>
                  Conversation
                </button>
                <button role="tab" aria-selected={tab === 'terminal'} onClick={() => setTab('terminal')}>
                  Terminal
                </button>
                {session.worktree ? (
                  <button role="tab" aria-selected={tab === 'changes'} onClick={() => setTab('changes')}>
                    Changes
                  </button>
                ) : null}
              </div>
              {tab === 'terminal' ? <TerminalsTab session={session} /> : null}
              {tab === 'changes' ? <ChangesTab session={session} /> : null}
              {tab === 'conversation' ? (
                <>
                  <Transcript>
                    {mine.map((a) =>
                      a.toolName === 'AskUserQuestion' ? <QuestionCard key={a.id} approval={a} /> : a.toolName === 'ExitPlanMode' ? <PlanCard key={a.id} approval={a} /> : <ApprovalCard key={a.id} approval={a} />,
                    )}
                  </Transcript>
                  <Composer session={session} />
                </>
              ) : null}
            </>
          ) : missing && missing === routeId ? (
            <NotFound what={`The session “${missing.slice(0, 60)}”`} screen="sessions" label="Sessions" />
          ) : (
            <p className="muted empty">No session selected. Start one with “New session”.</p>
          )}
        </section>
      </div>
      {/* Outside the panes: on a phone only one pane shows, and the list's button must still open it. */}
      {creating ? <NewSessionDialog onClose={() => setCreating(false)} /> : null}
    </>
  );
}
