import { useEffect, useState } from 'react';
import type { SessionSummary, TerminalInfo } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { api, onResync } from '../../api';
import { useSessions } from './sessions-store';
import { TerminalView } from './TerminalView';

/** Terminals in this session's folder: the claude TUI or a shell, each with its own view. */
export function TerminalsTab({ session }: { session: SessionSummary }) {
  const [terminals, setTerminals] = useState<Record<string, TerminalInfo>>({});
  const active = useSessions((s) => s.shownTerminal[session.id] ?? null);
  const showTerminal = useSessions((s) => s.showTerminal);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => void api.terminals.list({}).then((r) => r.ok && setTerminals(Object.fromEntries(r.value.map((t) => [t.id, t]))));
    load();
    const offs = [
      onResync(['terminals.changed'], load),
      api.on('terminals.changed', (t) => setTerminals((all) => ({ ...all, [t.id]: t }))),
      api.on('terminals.closed', ({ id }) =>
        setTerminals((all) => {
          const next = { ...all };
          delete next[id];
          return next;
        }),
      ),
    ];
    return () => offs.forEach((off) => off());
  }, []);
  const mine = Object.values(terminals)
    .filter((t) => t.sessionId === session.id)
    .sort((a, b) => a.startedAt - b.startedAt);
  const shown = mine.find((t) => t.id === active) ?? mine.find((t) => !t.exit) ?? mine[0] ?? null;
  const ended = mine.filter((t) => t.exit);
  const open = async (command: 'claude' | 'shell') => {
    const r = await api.terminals.open({ command, sessionId: session.id });
    if (!r.ok) return setError(r.error.message);
    setError(null);
    setTerminals((all) => ({ ...all, [r.value.id]: r.value }));
    showTerminal(session.id, r.value.id);
  };
  return (
    <div className="terminals">
      <div className="terminal-tabs" role="tablist" aria-label="Terminals">
        {mine.map((t) => (
          <button key={t.id} role="tab" aria-selected={t.id === shown?.id} className={t.id === shown?.id ? 'active' : ''} onClick={() => showTerminal(session.id, t.id)}>
            {t.command} {t.exit ? `(exited ${t.exit.code})` : ''}
          </button>
        ))}
        <button onClick={() => void open('claude')}>Open claude here</button>
        <button onClick={() => void open('shell')}>Open shell here</button>
        {shown ? (
          <button className="danger" onClick={() => void api.terminals.close({ id: shown.id })}>
            Close {shown.command}
          </button>
        ) : null}
        {ended.length ? <button onClick={() => ended.forEach((t) => void api.terminals.close({ id: t.id }))}>Clear ended ({ended.length})</button> : null}
      </div>
      <FieldError error={error} />
      {shown ? <TerminalView key={shown.id} id={shown.id} /> : <p className="muted empty">No terminal in this folder yet.</p>}
    </div>
  );
}
