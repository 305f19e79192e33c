import { useEffect, useMemo, useState } from 'react';
import { selectGo, selectRoute, useNavigation } from '../../app/navigation-store';
import { BackToList, isWide } from '../../app/panes';
import type { SessionSummary } from '../../../../contract';
import { ApprovalCard } from './ApprovalCard';
import { Composer } from './Composer';
import { NewSessionDialog } from './NewSessionDialog';
import { selectSelected, selectSessionList, useSessions } from './sessions-store';
import { TerminalsTab } from './TerminalsTab';
import { Transcript } from './Transcript';

const POLICY_LABEL = { ask: 'asks first', acceptEdits: 'accepts edits', plan: 'plan only', bypass: 'BYPASSES PERMISSIONS' } as const;

function folderName(cwd: string): string {
  return cwd.split(/[\\/]/).filter(Boolean).pop() ?? cwd;
}

function SessionList({ onNew }: { onNew: () => void }) {
  const sessions = useSessions(selectSessionList);
  const selectedId = useSessions((s) => s.selectedId);
  const go = useNavigation(selectGo);
  const select = (id: string) => go('sessions', [id]);
  const approvals = useSessions((s) => s.approvals);
  const sorted = useMemo(() => Object.values(sessions).sort((a, b) => b.updatedAt - a.updatedAt), [sessions]);
  const asking = useMemo(() => new Set(Object.values(approvals).map((a) => a.sessionId)), [approvals]);
  return (
    <aside className="session-list pane-side" aria-label="Sessions">
      <button className="new-session" onClick={onNew}>
        New session
      </button>
      <ul>
        {sorted.map((s) => (
          <li key={s.id}>
            <button className={s.id === selectedId ? 'session-item active' : 'session-item'} onClick={() => select(s.id)} aria-current={s.id === selectedId ? 'true' : undefined}>
              <span className="session-title">{s.title}</span>
              <span className="session-facts">
                <span className={`badge status-${s.status}`} data-testid="session-status">
                  {s.status}
                </span>
                {asking.has(s.id) ? <span className="badge badge-warn">asks</span> : null}
                <span className="muted">{folderName(s.cwd)}</span>
                <span className="muted">{s.model ?? 'default model'}</span>
                <span className="muted">${s.costUsd.toFixed(4)}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

function SessionHeader({ session }: { session: SessionSummary }) {
  const interrupt = useSessions((s) => s.interrupt);
  const reset = useSessions((s) => s.reset);
  const remove = useSessions((s) => s.remove);
  return (
    <header className="session-header">
      <div>
        <BackToList screen="sessions" label="Sessions" />
        <h1>{session.title}</h1>
        <p className="muted">
          <code>{session.cwd}</code> · {session.model ?? 'default model'} ·{' '}
          <span className={session.permissionPolicy === 'bypass' ? 'field-error' : ''}>{POLICY_LABEL[session.permissionPolicy]}</span> · ${session.costUsd.toFixed(4)}
          {session.pid ? ` · pid ${session.pid}` : ''}
        </p>
      </div>
      <div className="session-actions">
        <button disabled={session.status !== 'running'} onClick={() => void interrupt()}>
          Stop
        </button>
        <button onClick={() => window.confirm('Start a new Claude session? This history stays, but Claude will not remember it.') && void reset()}>Reset</button>
        <button className="danger" onClick={() => window.confirm(`Delete "${session.title}" and its history?`) && void remove()}>
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
  const dismissError = useSessions((s) => s.dismissError);
  const select = useSessions((s) => s.select);
  const selectedId = useSessions((s) => s.selectedId);
  const sessions = useSessions(selectSessionList);
  const route = useNavigation(selectRoute);
  const go = useNavigation(selectGo);
  const replace = useNavigation((s) => s.replace);
  const [creating, setCreating] = useState(false);
  const [tab, setTab] = useState<'conversation' | 'terminal'>('conversation');
  useEffect(() => start(), [start]);
  // The address names the session; the store follows it (Back, Forward, a reload, a link).
  const routeId = route.path[0] ?? null;
  useEffect(() => {
    if (routeId !== selectedId) select(routeId);
  }, [routeId, selectedId, select]);
  // A wide window opens the newest session; a phone shows the list first.
  const newest = useMemo(() => Object.values(sessions).sort((a, b) => b.updatedAt - a.updatedAt)[0], [sessions]);
  useEffect(() => {
    if (!routeId && newest && isWide()) replace('sessions', [newest.id]);
  }, [routeId, newest, replace]);
  const mine = Object.values(approvals).filter((a) => a.sessionId === session?.id);
  const others = Object.values(approvals).filter((a) => a.sessionId !== session?.id);
  return (
    <div className={`sessions-screen two-pane full-bleed${session ? ' show-detail' : ''}`}>
      <SessionList onNew={() => setCreating(true)} />
      <section className="session-detail">
        {error ? (
          <div className="banner banner-error" role="alert" onClick={dismissError}>
            {error}
          </div>
        ) : null}
        {others.length ? (
          <button className="banner banner-warn" onClick={() => others[0]?.sessionId && go('sessions', [others[0].sessionId])}>
            {others.length} question{others.length > 1 ? 's' : ''} waiting in other sessions. Show
          </button>
        ) : null}
        {session ? (
          <>
            <SessionHeader session={session} />
            <div className="tabs" role="tablist">
              <button role="tab" aria-selected={tab === 'conversation'} onClick={() => setTab('conversation')}>
                Conversation
              </button>
              <button role="tab" aria-selected={tab === 'terminal'} onClick={() => setTab('terminal')}>
                Terminal
              </button>
            </div>
            {tab === 'terminal' ? <TerminalsTab session={session} /> : null}
            {tab === 'conversation' && session.lastError && (session.status === 'failed' || session.status === 'stalled') ? (
              <div className="banner banner-error" role="alert">
                {session.lastError}
              </div>
            ) : null}
            {tab === 'conversation' ? (
              <>
                <Transcript>
                  {mine.map((a) => (
                    <ApprovalCard key={a.id} approval={a} />
                  ))}
                </Transcript>
                <Composer session={session} />
              </>
            ) : null}
          </>
        ) : (
          <p className="muted empty">No session selected. Start one with “New session”.</p>
        )}
      </section>
      {creating ? <NewSessionDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
