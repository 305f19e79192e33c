import { useEffect, useState } from 'react';
import type { ServerToken } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { confirmAction } from '../../app/Dialog';
import { api, rememberToken } from '../../api';

const NAMES = { ui: 'Window and scripts', mcp: 'MCP clients', hooks: 'Claude Code hooks' } as const;

/** The loopback server's tokens: what each reaches, what holds it, and a way to rotate one. */
export function ConnectionsCard() {
  const [tokens, setTokens] = useState<ServerToken[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void api.system.tokens({}).then((r) => r.ok && setTokens(r.value)), []);
  const rotate = async (token: ServerToken) => {
    const ok = await confirmAction({
      title: `New token for ${NAMES[token.scope]}?`,
      body: token.scope === 'ui' ? 'Other browsers and scripts using the old one are signed out; this window keeps working.' : 'Whatever holds the old token is refused until it gets the new one.',
      confirm: 'Rotate',
      danger: true,
    });
    if (!ok) return;
    const r = await api.system.rotateToken({ scope: token.scope });
    if (!r.ok) return setError(r.error.message);
    if (token.scope === 'ui') rememberToken(r.value.token);
    setError(null);
    setNotice(`${NAMES[token.scope]}: a new token is in place.`);
  };
  return (
    <section className="card" aria-labelledby="settings-connections">
      <h2 id="settings-connections">Connections</h2>
      <p className="hint">Switchboard listens on 127.0.0.1 only. Each kind of client gets its own token, which reaches only what that client needs.</p>
      <ul className="tokens">
        {tokens.map((t) => (
          <li key={t.scope} data-testid={`token-${t.scope}`}>
            <div>
              <strong>{NAMES[t.scope]}</strong> <span className="muted">{t.reaches}</span>
              <div className="muted">{t.heldBy.length ? `Held by ${t.heldBy.join(', ')}` : 'Not handed to anything yet'}</div>
            </div>
            <button onClick={() => void rotate(t)}>Rotate</button>
          </li>
        ))}
      </ul>
      {notice ? <p className="hint" role="status">{notice}</p> : null}
      <FieldError error={error} />
    </section>
  );
}
