import { useState, type KeyboardEvent } from 'react';
import type { SessionSummary } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { useSessions } from './sessions-store';

/** Send (queued behind a running turn), or interrupt and send. Enter sends; Shift+Enter is a new line. */
export function Composer({ session }: { session: SessionSummary }) {
  const send = useSessions((s) => s.send);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const busy = session.status === 'running' || session.status === 'queued';
  const submit = async (interrupt: boolean) => {
    const message = text.trim();
    if (!message) return;
    const sent = text;
    const failure = await send(message, interrupt);
    setError(failure);
    // Clear only what was sent: the next message may already be half typed.
    if (!failure) setText((current) => (current === sent ? '' : current));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit(false);
    }
  };
  return (
    <div className="composer">
      <FieldError error={error} />
      <textarea
        aria-label="Message"
        placeholder={busy ? 'Claude is working; a message now waits its turn' : 'Message Claude'}
        value={text}
        rows={3}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer-actions">
        {busy ? <span className="muted">{session.queueLength ? `${session.queueLength} waiting` : 'Running'}</span> : null}
        <button type="button" disabled={!busy || !text.trim()} onClick={() => void submit(true)}>
          Interrupt &amp; send
        </button>
        <button type="submit" disabled={!text.trim()} onClick={() => void submit(false)}>
          {busy ? 'Queue' : 'Send'}
        </button>
      </div>
    </div>
  );
}
