import { useEffect, useState } from 'react';
import type { SessionSummary, TerminalInfo } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { api } from '../../api';
import { TerminalView } from './TerminalView';

/** Terminals in this session's folder: the claude TUI or a shell, each with its own view. */
export function TerminalsTab({ session }: { session: SessionSummary }) {
  const [terminals, setTerminals] = useState<Record<string, TerminalInfo>>({});
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api.terminals.list({}).then((r) => r.ok && setTerminals(Object.fromEntries(r.value.map((t) => [t.id, t]))));
    const offChanged = api.on('terminals.changed', (t) => setTerminals((all) => ({ ...all, [t.id]: t })));
    const offClosed = api.on('terminals.closed', ({ id }) =>
      setTerminals((all) => {
        const next = { ...all };
        delete next[id];
        return next;
      }),
    );
    return () => {
      offChanged();
      offClosed();
    };
  }, []);
  const mine = Object.values(terminals).filter((t) => t.sessionId === session.id);
  const shown = mine.find((t) => t.id === active) ?? mine[0] ?? null;
  const open = async (command: 'claude' | 'shell') => {
    const r = await api.terminals.open({ command, sessionId: session.id });
    if (!r.ok) return setError(r.error.message);
    setError(null);
    setTerminals((all) => ({ ...all, [r.value.id]: r.value }));
    setActive(r.value.id);
  };
  return (
    <div className="terminals">
      <div className="terminal-tabs">
        {mine.map((t) => (
          <button key={t.id} className={t.id === shown?.id ? 'active' : ''} onClick={() => setActive(t.id)}>
            {t.command} {t.exit ? `(exited ${t.exit.code})` : ''}
          </button>
        ))}
        <button onClick={() => void open('claude')}>Open claude here</button>
        <button onClick={() => void open('shell')}>Open shell here</button>
        {shown ? (
          <button className="danger" onClick={() => void api.terminals.close({ id: shown.id })}>
            Close
          </button>
        ) : null}
      </div>
      <FieldError error={error} />
      {shown ? <TerminalView key={shown.id} id={shown.id} /> : <p className="muted empty">No terminal in this folder yet.</p>}
    </div>
  );
}
