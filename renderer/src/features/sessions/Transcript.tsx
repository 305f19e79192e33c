import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { money, type Turn } from '../../../../contract';
import { MarkdownText, MessageView, resultsByToolUse } from '../../app/messages';
import { selectTranscript, useSessions } from './sessions-store';
import { queuedTurns } from './transcript-model';

/** How close to the end counts as "at the end": the view follows new output only from there. */
const STICK_PX = 80;

const STATUS_WORDS: Partial<Record<Turn['status'], string>> = { interrupted: 'interrupted', cancelled: 'not sent', stalled: 'stalled', failed: 'failed' };

/** A message that was never sent (a restart, a reset): queued anew, once, from the window. */
function SendAgain({ turn }: { turn: Turn }) {
  const send = useSessions((s) => s.send);
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<string | null>(null);
  if (state === 'sent') return <span className="muted"> · sent again</span>;
  return (
    <>
      {' '}
      <button
        disabled={state === 'sending'}
        onClick={() => {
          setState('sending');
          void send(turn.prompt).then((failed) => {
            setError(failed);
            setState(failed ? 'idle' : 'sent');
          });
        }}
      >
        Send again
      </button>
      {error ? <div className="turn-error">{error}</div> : null}
    </>
  );
}

function TurnFooter({ turn }: { turn: Turn }) {
  if (turn.status === 'queued' || turn.status === 'running') return null;
  const facts = [
    turn.durationMs !== null ? `${(turn.durationMs / 1000).toFixed(1)} s` : null,
    turn.costUsd !== null ? money(turn.costUsd) : null,
    turn.outputTokens !== null ? `${turn.inputTokens ?? 0} in / ${turn.outputTokens} out` : null,
    turn.denials.length ? `denied: ${turn.denials.join(', ')}` : null,
  ].filter(Boolean);
  return (
    <div className={`turn-footer turn-${turn.status}`} data-testid="turn-footer">
      <span className="badge">{STATUS_WORDS[turn.status] ?? turn.status}</span> {facts.join(' · ')}
      {turn.status === 'cancelled' ? <SendAgain turn={turn} /> : null}
      {turn.error && turn.status !== 'done' ? <div className="turn-error">{turn.error}</div> : null}
    </div>
  );
}

/** A message waiting its turn: not in the conversation yet, so it can still be changed or taken back. */
function QueuedMessage({ turn }: { turn: Turn }) {
  const editQueued = useSessions((s) => s.editQueued);
  const removeQueued = useSessions((s) => s.removeQueued);
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <li className="queued" data-testid="queued-message">
      <div className="msg-meta muted">Waiting · #{turn.position}</div>
      {editing === null ? (
        <>
          <div className="msg-body">{turn.prompt}</div>
          <div className="queued-actions">
            <button onClick={() => setEditing(turn.prompt)}>Edit</button>
            <button className="danger" onClick={() => void removeQueued(turn.id)}>
              Remove
            </button>
          </div>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (editing.trim()) void editQueued(turn.id, editing.trim()).then((failed) => !failed && setEditing(null));
          }}
        >
          <textarea aria-label="Edit queued message" value={editing} rows={3} onChange={(e) => setEditing(e.target.value)} autoFocus />
          <div className="queued-actions">
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
            <button type="submit" disabled={!editing.trim()}>
              Save
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

/**
 * The conversation as it happened, the running turn streaming at the end, then what waits: the
 * questions Claude asks (`children`) and the queued messages. It follows new output while the
 * reader is at the end, and leaves them be when they scrolled up to read.
 */
export function Transcript({ children }: { children?: ReactNode }) {
  const transcript = useSessions(selectTranscript);
  const box = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const { results, lastMessageOfTurn } = useMemo(() => {
    const messages = transcript?.messages ?? [];
    const lastMessageOfTurn = new Map<string, number>();
    for (const m of messages) if (m.turnId) lastMessageOfTurn.set(m.turnId, m.id);
    return { results: resultsByToolUse(messages), lastMessageOfTurn };
  }, [transcript?.messages]);
  const queue = useMemo(() => queuedTurns(transcript?.turns ?? {}), [transcript?.turns]);
  const live = transcript?.live;
  // After every render that changed what is shown (a message, a footer, a card, a queued message).
  useLayoutEffect(() => {
    const el = box.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  });
  if (!transcript) return null;
  const empty = !transcript.loading && !transcript.messages.length && !live?.text && !queue.length && !children;
  return (
    <div
      className="transcript"
      data-testid="transcript"
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget;
        atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
      }}
    >
      {empty ? <p className="muted empty">No messages yet. Say something below.</p> : null}
      {transcript.messages.map((m) => {
        const turn = m.turnId ? transcript.turns[m.turnId] : undefined;
        return (
          <div key={m.id}>
            <MessageView message={m} results={results} turn={turn} />
            {turn && lastMessageOfTurn.get(turn.id) === m.id ? <TurnFooter turn={turn} /> : null}
          </div>
        );
      })}
      {live?.thinking ? <div className="thinking live muted">{live.thinking}</div> : null}
      {live?.text ? (
        <div className="msg msg-assistant streaming" data-testid="streaming">
          <MarkdownText text={live.text} />
        </div>
      ) : null}
      {children}
      {queue.length ? (
        <section className="queue" aria-label="Waiting to be sent">
          <h2 className="muted">Waiting to be sent</h2>
          <ol>
            {queue.map((t) => (
              <QueuedMessage key={t.id} turn={t} />
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
