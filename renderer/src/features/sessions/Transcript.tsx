import { useEffect, useMemo, useRef } from 'react';
import type { Turn } from '../../../../contract';
import { MarkdownText, MessageView, resultsByToolUse } from '../../app/messages';
import { selectTranscript, useSessions } from './sessions-store';

function TurnFooter({ turn }: { turn: Turn }) {
  if (turn.status === 'queued') return <div className="turn-footer muted">Queued #{turn.position}</div>;
  if (turn.status === 'running') return null;
  const facts = [
    turn.durationMs !== null ? `${(turn.durationMs / 1000).toFixed(1)} s` : null,
    turn.costUsd !== null ? `$${turn.costUsd.toFixed(4)}` : null,
    turn.outputTokens !== null ? `${turn.inputTokens ?? 0} in / ${turn.outputTokens} out` : null,
  ].filter(Boolean);
  return (
    <div className={`turn-footer turn-${turn.status}`} data-testid="turn-footer">
      <span className="badge">{turn.status}</span> {facts.join(' · ')}
      {turn.error && turn.status !== 'done' ? <div className="turn-error">{turn.error}</div> : null}
    </div>
  );
}

/** The conversation as it happened, with the running turn streaming at the end. */
export function Transcript() {
  const transcript = useSessions(selectTranscript);
  const end = useRef<HTMLDivElement>(null);
  const { results, lastMessageOfTurn } = useMemo(() => {
    const messages = transcript?.messages ?? [];
    const lastMessageOfTurn = new Map<string, number>();
    for (const m of messages) if (m.turnId) lastMessageOfTurn.set(m.turnId, m.id);
    return { results: resultsByToolUse(messages), lastMessageOfTurn };
  }, [transcript?.messages]);
  const live = transcript?.live;
  useEffect(() => {
    // A block body: newer Chromium returns a Promise from scrollIntoView, which must not become the cleanup.
    end.current?.scrollIntoView({ block: 'end' });
  }, [transcript?.messages.length, live?.text]);
  if (!transcript) return null;
  if (!transcript.loading && !transcript.messages.length && !live?.text) return <p className="muted empty">No messages yet. Say something below.</p>;
  return (
    <div className="transcript" data-testid="transcript">
      {transcript.messages.map((m) => {
        const turn = m.turnId ? transcript.turns[m.turnId] : undefined;
        return (
          <div key={m.id}>
            <MessageView message={m} results={results} turn={turn} />
            {turn && lastMessageOfTurn.get(turn.id) === m.id && turn.status !== 'queued' ? <TurnFooter turn={turn} /> : null}
          </div>
        );
      })}
      {live?.thinking ? <div className="thinking live muted">{live.thinking}</div> : null}
      {live?.text ? (
        <div className="msg msg-assistant streaming" data-testid="streaming">
          <MarkdownText text={live.text} />
        </div>
      ) : null}
      <div ref={end} />
    </div>
  );
}
