import { useState } from 'react';
import { chatApps, type ChatSurface } from '../../../../contract';
import { confirmAction } from '../../app/Dialog';
import { FieldError } from '../../app/FieldError';
import type { ChatBotStore } from './chat-bot-store';

const minutesLeft = (at: number) => Math.max(1, Math.round((at - Date.now()) / 60_000));

/** Connected as …, connecting, or the error in words; and the last message the app refused. */
export function BotState({ surface, bot }: { surface: ChatSurface; bot: ChatBotStore }) {
  const { status } = bot;
  return (
    <>
      <p data-testid={`${surface}-state`} role="status">
        {status?.state === 'connected' ? (
          <span className="badge badge-ok">Connected as {status.account}</span>
        ) : status?.state === 'starting' ? (
          <span className="badge">Connecting…</span>
        ) : status?.state === 'error' ? (
          <span className="badge badge-error">Not connected</span>
        ) : (
          <span className="badge">Off</span>
        )}
      </p>
      {status?.state === 'error' && status.error ? <p className="field-error">{status.error}</p> : null}
      {status?.state === 'connected' && status.problem ? (
        <p className="field-error" data-testid={`${surface}-problem`}>
          {status.problem}
        </p>
      ) : null}
    </>
  );
}

/** The token field (a secret: never shown again), Connect and Disconnect. */
export function BotTokenForm({ surface, bot, placeholder }: { surface: ChatSurface; bot: ChatBotStore; placeholder: string }) {
  const { status, busy, error, connect, disconnect } = bot;
  const [token, setToken] = useState('');
  const connected = status?.state === 'connected';
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (await connect(token.trim() || null)) setToken('');
  };
  const off = async () => {
    const yes = await confirmAction({ title: `Stop the ${chatApps[surface].label} bot?`, body: 'It stops answering until you connect it again. Its token stays stored.', confirm: 'Stop the bot' });
    if (yes) await disconnect(false);
  };
  return (
    <form className="field" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${surface}-token`}>Bot token</label>
      <div className="row">
        <input
          id={`${surface}-token`}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={status?.hasToken ? 'Stored (paste a new one to replace it)' : placeholder}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" disabled={busy || (!token.trim() && !status?.hasToken)}>
          {connected && !token.trim() ? 'Reconnect' : 'Connect'}
        </button>
        {status && status.state !== 'off' ? (
          // Never held back by a connect under way: stopping is how a user gets out of one.
          <button type="button" onClick={() => void off()}>
            Disconnect
          </button>
        ) : null}
      </div>
      <p className="hint">Kept with the other secrets (the system keychain in the desktop app, a private file headless), never in the database.</p>
      <FieldError error={error} />
    </form>
  );
}

/** Who asks to talk to the bot (by their one-time code), and who may. */
export function BotAccess({ surface, bot }: { surface: ChatSurface; bot: ChatBotStore }) {
  const { pairings, users, answer, remove } = bot;
  return (
    <>
      <h3>Asking to talk to the bot</h3>
      {pairings.length ? (
        <ul className="tokens" data-testid={`${surface}-pairings`}>
          {pairings.map((p) => (
            <li key={p.code}>
              <div>
                <strong>{p.name}</strong> <span className="muted">id {p.userId}</span>
                <div className="muted">
                  Code <code>{p.code}</code>, {minutesLeft(p.expiresAt)} min left. Accept only if it is the code they see.
                </div>
              </div>
              <div className="row">
                <button onClick={() => void answer(p.code, true)}>Accept</button>
                <button onClick={() => void answer(p.code, false)}>Refuse</button>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody is waiting. Someone who writes to the bot {chatApps[surface].pairingWhere ? `${chatApps[surface].pairingWhere} ` : ''}gets a code that appears here.</p>
      )}

      <h3>Allowed people</h3>
      {users.length ? (
        <ul className="tokens" data-testid={`${surface}-users`}>
          {users.map((u) => (
            <li key={u.userId}>
              <div>
                <strong>{u.name}</strong> <span className="muted">id {u.userId}</span>
                <div className="muted">
                  Since {new Date(u.addedAt).toLocaleDateString()}
                  {u.chatId ? '' : ' (has not written in private yet: notes cannot reach them)'}
                </div>
              </div>
              <button
                className="danger"
                onClick={() =>
                  void confirmAction({ title: `Remove ${u.name}?`, body: 'The bot stops answering them; they can ask again with a new code.', confirm: 'Remove', danger: true }).then((yes) =>
                    yes ? remove(u.userId) : undefined,
                  )
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Nobody yet: the bot answers only people you accept.</p>
      )}
    </>
  );
}
