import { useEffect, useMemo } from 'react';
import type { ConversationSummary, Surface } from '../../../../contract';
import { Marked } from '../../app/messages';
import { selectGo, selectRoute, useNavigation } from '../../app/navigation-store';
import { SURFACE_LABELS } from '../../app/surfaces';
import { BackToList } from '../../app/panes';
import { NotFound } from '../../app/NotFound';
import { useChats } from './chats-store';
import { ChatTranscript } from './ChatTranscript';


function folder(cwd: string): string {
  return cwd.split(/[\\/]/).filter(Boolean).pop() ?? (cwd || 'no folder');
}

const NO_PROJECT = 'No project folder';

/** Conversations by surface, then by project folder (sessions started without one together, not one group per id). */
function groups(conversations: ConversationSummary[]): [Surface, [string, ConversationSummary[]][]][] {
  const bySurface = new Map<Surface, Map<string, ConversationSummary[]>>();
  for (const c of conversations) {
    const byFolder = bySurface.get(c.surface) ?? new Map<string, ConversationSummary[]>();
    const key = c.ownFolder ? '' : c.cwd;
    byFolder.set(key, [...(byFolder.get(key) ?? []), c]);
    bySurface.set(c.surface, byFolder);
  }
  return [...bySurface.entries()].map(([surface, byFolder]) => [surface, [...byFolder.entries()].map(([key, list]) => [key ? folder(key) : NO_PROJECT, list])]);
}

const ROLES: Record<string, string> = { user: 'You', assistant: 'Claude', tool: 'Tool output', system: 'Switchboard' };

/** Midnight of a yyyy-mm-dd date, local time; the end of that day with `end`. */
function dayBound(value: string, end: boolean): number | null {
  if (!value) return null;
  const [y, m, d] = value.split('-').map(Number);
  return end ? new Date(y!, m! - 1, d!, 23, 59, 59, 999).getTime() : new Date(y!, m! - 1, d!).getTime();
}

function dayValue(time: number | null): string {
  if (time === null) return '';
  const d = new Date(time);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Folder, who spoke, and dates: what the search is narrowed to. */
function Filters() {
  const conversations = useChats((s) => s.conversations);
  const cwd = useChats((s) => s.cwd);
  const role = useChats((s) => s.role);
  const from = useChats((s) => s.from);
  const to = useChats((s) => s.to);
  const setFilter = useChats((s) => s.setFilter);
  const folders = useMemo(() => [...new Set(conversations.flatMap((c) => (c.cwd && !c.ownFolder ? [c.cwd] : [])))].sort(), [conversations]);
  return (
    <div className="search-filters">
      <select aria-label="Folder" value={cwd ?? ''} onChange={(e) => setFilter({ cwd: e.target.value || null })}>
        <option value="">Any folder</option>
        {folders.map((f) => (
          <option key={f} value={f}>
            {folder(f)}
          </option>
        ))}
      </select>
      <select aria-label="Said by" value={role ?? ''} onChange={(e) => setFilter({ role: (e.target.value || null) as 'user' | 'assistant' | null })}>
        <option value="">Anyone</option>
        <option value="user">You</option>
        <option value="assistant">Claude</option>
      </select>
      <label className="date-filter">
        From <input type="date" aria-label="From date" value={dayValue(from)} onChange={(e) => setFilter({ from: dayBound(e.target.value, false) })} />
      </label>
      <label className="date-filter">
        To <input type="date" aria-label="To date" value={dayValue(to)} onChange={(e) => setFilter({ to: dayBound(e.target.value, true) })} />
      </label>
    </div>
  );
}

function Results() {
  const results = useChats((s) => s.results);
  const info = useChats((s) => s.searchInfo);
  const error = useChats((s) => s.searchError);
  const go = useNavigation(selectGo);
  const open = (sessionId: string, messageId: number) => go('chats', [sessionId, String(messageId)]);
  if (error) return <p className="field-error">{error}</p>;
  if (!results) return null;
  return (
    <div className="search-results" aria-label="Search results">
      <p className="muted">
        {results.length} found{info ? ` in ${info.tookMs.toFixed(0)} ms${info.usedVectors ? '' : ' (words only: embeddings unavailable)'}` : ''}
      </p>
      <ul>
        {results.map((hit) => (
          <li key={hit.messageId}>
            <button className="hit" onClick={() => open(hit.sessionId, hit.messageId)} data-testid="search-hit">
              <span className="hit-title">
                {hit.sessionTitle}{' '}
                <span className="muted">
                  · {ROLES[hit.role] ?? hit.role} · {SURFACE_LABELS[hit.surface] ?? hit.surface} · {new Date(hit.createdAt).toLocaleString()}
                </span>
              </span>
              <span className="hit-snippet">
                <Marked text={hit.snippet} />
              </span>
              <span className="hit-via">
                {hit.via.map((v) => (
                  <span key={v} className="badge">
                    {v}
                  </span>
                ))}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Conversations() {
  const conversations = useChats((s) => s.conversations);
  const openId = useChats((s) => s.openId);
  const go = useNavigation(selectGo);
  const open = (id: string) => go('chats', [id]);
  const grouped = useMemo(() => groups(conversations), [conversations]);
  if (!conversations.length) return <p className="muted">No conversations yet.</p>;
  return (
    <div className="conversation-groups">
      {grouped.map(([surface, folders]) => (
        <section key={surface}>
          <h3>{SURFACE_LABELS[surface] ?? surface}</h3>
          {folders.map(([name, list], i) => (
            <details key={`${i}:${name}`} open>
              <summary className="muted">{name}</summary>
              <ul>
                {list.map((c) => (
                  <li key={c.id}>
                    <button className={c.id === openId ? 'conversation active' : 'conversation'} onClick={() => open(c.id)}>
                      <span>{c.title}</span>
                      <span className="muted">{c.messageCount}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </section>
      ))}
    </div>
  );
}

function ImportLine() {
  const status = useChats((s) => s.importStatus);
  const runImport = useChats((s) => s.runImport);
  return (
    <p className="muted import-line">
      {status?.running
        ? `Importing Claude Code transcripts… ${status.filesDone}/${status.filesTotal}`
        : status
          ? `Claude Code transcripts: ${status.totals.files} ${status.totals.files === 1 ? 'file' : 'files'} imported${status.totals.malformed ? `, ${status.totals.malformed} bad ${status.totals.malformed === 1 ? 'line' : 'lines'} skipped` : ''}.`
          : ''}{' '}
      <button onClick={() => void runImport()} disabled={status?.running}>
        Import now
      </button>
    </p>
  );
}

/** Every conversation, from every surface and from Claude Code itself, searchable by words and meaning. */
export function ChatsScreen() {
  const start = useChats((s) => s.start);
  const query = useChats((s) => s.query);
  const setQuery = useChats((s) => s.setQuery);
  const surface = useChats((s) => s.surface);
  const setSurface = useChats((s) => s.setSurface);
  const openId = useChats((s) => s.openId);
  const open = useChats((s) => s.open);
  const conversations = useChats((s) => s.conversations);
  const route = useNavigation(selectRoute);
  const go = useNavigation(selectGo);
  useEffect(() => start(), [start]);
  // `#/chats/<session>/<message>`: the conversation, scrolled to and marking that message.
  const [routeSession, routeMessage] = route.path;
  useEffect(() => {
    if (routeSession) open(routeSession, routeMessage ? Number(routeMessage) : null);
  }, [routeSession, routeMessage, open]);
  const current = conversations.find((c) => c.id === openId);
  const shown = routeSession ? current : undefined;
  const missing = useChats((s) => s.missing);
  const notFound = routeSession && missing === routeSession ? missing : null;
  return (
    <div className={`chats-screen two-pane full-bleed${shown || notFound ? ' show-detail' : ''}`}>
      <aside className="chats-side pane-side">
        <div className="search-row">
          <input type="search" aria-label="Search conversations" placeholder="Search every conversation" value={query} onChange={(e) => setQuery(e.target.value)} />
          <select aria-label="Surface" value={surface ?? ''} onChange={(e) => setSurface((e.target.value || null) as Surface | null)}>
            <option value="">All</option>
            {Object.entries(SURFACE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {query.trim() ? (
          <>
            <Filters />
            <Results />
          </>
        ) : (
          <Conversations />
        )}
        <ImportLine />
      </aside>
      <section className="chat-view">
        {shown ? (
          <>
            <header className="chat-header">
              <div>
                <BackToList screen="chats" label="Chats" />
                <h1>{shown.title}</h1>
                <p className="muted">
                  {SURFACE_LABELS[shown.surface] ?? shown.surface} · <code>{shown.cwd || 'no folder'}</code> · {shown.messageCount} messages
                </p>
              </div>
              <button onClick={() => go('sessions', [shown.id])}>Continue in Sessions</button>
            </header>
            <ChatTranscript />
          </>
        ) : notFound ? (
          <NotFound what={`The conversation “${notFound.slice(0, 60)}”`} screen="chats" label="Chats" />
        ) : (
          <p className="muted empty">Pick a conversation, or search.</p>
        )}
      </section>
    </div>
  );
}
