import { useEffect, useMemo } from 'react';
import type { ConversationSummary } from '../../../../contract';
import { Marked } from '../../app/messages';
import { useChats } from './chats-store';
import { ChatTranscript } from './ChatTranscript';

const SURFACES: Record<string, string> = { desktop: 'Desktop', web: 'Browser', api: 'API', telegram: 'Telegram', scheduler: 'Schedules', mcp: 'MCP', terminal: 'Terminal & IDE' };

function folder(cwd: string): string {
  return cwd.split(/[\\/]/).filter(Boolean).pop() ?? (cwd || 'no folder');
}

/** Conversations by surface, then by project folder. */
function groups(conversations: ConversationSummary[]): [string, [string, ConversationSummary[]][]][] {
  const bySurface = new Map<string, Map<string, ConversationSummary[]>>();
  for (const c of conversations) {
    const byFolder = bySurface.get(c.surface) ?? new Map<string, ConversationSummary[]>();
    byFolder.set(folder(c.cwd), [...(byFolder.get(folder(c.cwd)) ?? []), c]);
    bySurface.set(c.surface, byFolder);
  }
  return [...bySurface.entries()].map(([surface, byFolder]) => [surface, [...byFolder.entries()]]);
}

function Results() {
  const results = useChats((s) => s.results);
  const info = useChats((s) => s.searchInfo);
  const error = useChats((s) => s.searchError);
  const open = useChats((s) => s.open);
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
                {hit.sessionTitle} <span className="muted">· {SURFACES[hit.surface] ?? hit.surface} · {new Date(hit.createdAt).toLocaleString()}</span>
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
  const open = useChats((s) => s.open);
  const grouped = useMemo(() => groups(conversations), [conversations]);
  if (!conversations.length) return <p className="muted">No conversations yet.</p>;
  return (
    <div className="conversation-groups">
      {grouped.map(([surface, folders]) => (
        <section key={surface}>
          <h3>{SURFACES[surface] ?? surface}</h3>
          {folders.map(([name, list]) => (
            <details key={name} open>
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
          ? `Claude Code transcripts: ${status.filesDone} ${status.filesDone === 1 ? 'file' : 'files'} read${status.malformed ? `, ${status.malformed} bad lines skipped` : ''}.`
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
  const conversations = useChats((s) => s.conversations);
  useEffect(() => start(), [start]);
  const current = conversations.find((c) => c.id === openId);
  return (
    <div className="chats-screen two-pane full-bleed">
      <aside className="chats-side pane-side">
        <div className="search-row">
          <input type="search" aria-label="Search conversations" placeholder="Search every conversation" value={query} onChange={(e) => setQuery(e.target.value)} />
          <select aria-label="Surface" value={surface ?? ''} onChange={(e) => setSurface(e.target.value || null)}>
            <option value="">All</option>
            {Object.entries(SURFACES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {query.trim() ? <Results /> : <Conversations />}
        <ImportLine />
      </aside>
      <section className="chat-view">
        {current ? (
          <>
            <header>
              <h1>{current.title}</h1>
              <p className="muted">
                {SURFACES[current.surface] ?? current.surface} · <code>{current.cwd || 'no folder'}</code> · {current.messageCount} messages
              </p>
            </header>
            <ChatTranscript />
          </>
        ) : (
          <p className="muted empty">Pick a conversation, or search.</p>
        )}
      </section>
    </div>
  );
}
