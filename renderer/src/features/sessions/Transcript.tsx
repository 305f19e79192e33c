import { memo, useEffect, useMemo, useRef } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { Message, Turn } from '../../../../contract';
import { selectTranscript, useSessions } from './sessions-store';

const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={[remarkGfm]}>{text}</Markdown>
    </div>
  );
});

function toolSummary(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const value = [i.command, i.file_path, i.pattern, i.url, i.description].find((v) => typeof v === 'string');
  return typeof value === 'string' ? value : '';
}

const ToolCall = memo(function ToolCall({ use, result }: { use: Message; result: Message | undefined }) {
  const data = use.data as { name: string; input: unknown };
  const failed = (result?.data as { isError?: boolean } | undefined)?.isError;
  return (
    <details className={`tool-call${failed ? ' tool-failed' : ''}`} data-testid="tool-call">
      <summary>
        <span className="tool-name">{data.name}</span> <code>{toolSummary(data.input)}</code>
        <span className="muted">{result ? (failed ? ' — error' : ' — done') : ' — waiting'}</span>
      </summary>
      <pre className="tool-input">{JSON.stringify(data.input, null, 2)}</pre>
      {result ? <pre className="tool-result">{result.text || '(no output)'}</pre> : null}
    </details>
  );
});

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

const MessageView = memo(function MessageView({ message, results, turn }: { message: Message; results: Map<string, Message>; turn: Turn | undefined }) {
  switch (message.kind) {
    case 'text':
      if (message.role === 'user') {
        return (
          <div className="msg msg-user" data-testid="user-message">
            <div className="msg-meta muted">
              {message.surface ?? 'you'}
              {turn?.status === 'queued' ? ` · queued #${turn.position}` : ''}
            </div>
            <div className="msg-body">{message.text}</div>
          </div>
        );
      }
      return (
        <div className="msg msg-assistant" data-testid="assistant-message">
          <MarkdownText text={message.text} />
        </div>
      );
    case 'thinking':
      return (
        <details className="thinking">
          <summary className="muted">Thinking</summary>
          <p>{message.text}</p>
        </details>
      );
    case 'tool_use':
      return <ToolCall use={message} result={results.get((message.data as { id: string }).id)} />;
    case 'tool_result':
      return null;
    case 'notice':
      return <div className="msg-notice">{message.text}</div>;
    case 'error':
      return (
        <div className="msg-error" role="alert">
          {message.text}
        </div>
      );
    default:
      return (
        <details className="msg-unknown">
          <summary className="muted">Output Switchboard does not recognise</summary>
          <pre>{message.text || JSON.stringify(message.data, null, 2)}</pre>
        </details>
      );
  }
});

/** The conversation as it happened, with the running turn streaming at the end. */
export function Transcript() {
  const transcript = useSessions(selectTranscript);
  const end = useRef<HTMLDivElement>(null);
  const { results, lastMessageOfTurn } = useMemo(() => {
    const results = new Map<string, Message>();
    const lastMessageOfTurn = new Map<string, number>();
    for (const m of transcript?.messages ?? []) {
      if (m.kind === 'tool_result') results.set((m.data as { toolUseId: string }).toolUseId, m);
      if (m.turnId) lastMessageOfTurn.set(m.turnId, m.id);
    }
    return { results, lastMessageOfTurn };
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
