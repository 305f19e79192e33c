import { useEffect, useState } from 'react';
import { settingDefinitions, type SettingValues } from '../../../../contract';
import { confirmAction } from '../../app/Dialog';
import { FieldError } from '../../app/FieldError';
import { NumberSetting } from './NumberSetting';
import { useSettings } from './settings-store';
import { useTelegram } from './telegram-store';
import { TextSetting } from './TextSetting';

const minutesLeft = (at: number) => Math.max(1, Math.round((at - Date.now()) / 60_000));

function Toggle({ settingKey, checked }: { settingKey: 'telegram.allowGroups' | 'telegram.doneNotes'; checked: boolean }) {
  const save = useSettings((s) => s.save);
  const def = settingDefinitions[settingKey];
  const id = `setting-${settingKey.replace('.', '-')}`;
  return (
    <div className="field">
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => void save({ key: settingKey, value: e.target.checked })} /> {def.label}
      </label>
      <p className="hint">{def.description}</p>
    </div>
  );
}

/** The Telegram bot: connect with a token, see its state, let people in by their pairing code. */
export function TelegramCard({ values }: { values: SettingValues }) {
  const { status, pairings, users, busy, error, start, connect, disconnect, answer, remove } = useTelegram();
  const [token, setToken] = useState('');
  useEffect(() => start(), [start]);
  const connected = status?.state === 'connected';
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (await connect(token.trim() || null)) setToken('');
  };
  const off = async () => {
    const forget = await confirmAction({ title: 'Stop the Telegram bot?', body: 'It stops answering until you connect it again. Its token stays stored.', confirm: 'Stop the bot' });
    if (forget) await disconnect(false);
  };
  return (
    <section className="card" aria-labelledby="settings-telegram">
      <h2 id="settings-telegram">Telegram</h2>
      <p className="hint">
        A bot inside Switchboard: talk with Claude from your phone, answer its questions with buttons, get job results. Make a bot with @BotFather, paste its token here, then
        write to the bot: it answers with a code you accept below.
      </p>
      <p data-testid="telegram-state" role="status">
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
      <form className="field" onSubmit={(e) => void submit(e)}>
        <label htmlFor="telegram-token">Bot token</label>
        <div className="row">
          <input
            id="telegram-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={status?.hasToken ? 'Stored (paste a new one to replace it)' : '123456789:AA…'}
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <button type="submit" disabled={busy || (!token.trim() && !status?.hasToken)}>
            {connected && !token.trim() ? 'Reconnect' : 'Connect'}
          </button>
          {status && status.state !== 'off' ? (
            <button type="button" onClick={() => void off()} disabled={busy}>
              Disconnect
            </button>
          ) : null}
        </div>
        <p className="hint">Kept with the other secrets (the system keychain in the desktop app, a private file headless), never in the database.</p>
        <FieldError error={error} />
      </form>

      <h3>Asking to talk to the bot</h3>
      {pairings.length ? (
        <ul className="tokens" data-testid="telegram-pairings">
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
        <p className="muted">Nobody is waiting. Someone who writes to the bot gets a code that appears here.</p>
      )}

      <h3>Allowed people</h3>
      {users.length ? (
        <ul className="tokens" data-testid="telegram-users">
          {users.map((u) => (
            <li key={u.userId}>
              <div>
                <strong>{u.name}</strong> <span className="muted">id {u.userId}</span>
                <div className="muted">Since {new Date(u.addedAt).toLocaleDateString()}{u.chatId ? '' : ' (has not written in private yet: notes cannot reach them)'}</div>
              </div>
              <button
                className="danger"
                onClick={() =>
                  void confirmAction({ title: `Remove ${u.name}?`, body: 'The bot stops answering them; they can ask again with a new code.', confirm: 'Remove', danger: true }).then((yes) => (yes ? remove(u.userId) : undefined))
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

      <Toggle settingKey="telegram.allowGroups" checked={values['telegram.allowGroups']} />
      <Toggle settingKey="telegram.doneNotes" checked={values['telegram.doneNotes']} />
      <NumberSetting settingKey="telegram.questionDelaySeconds" stored={values['telegram.questionDelaySeconds']} />
      <details>
        <summary>Advanced</summary>
        <TextSetting settingKey="telegram.apiRoot" stored={values['telegram.apiRoot']} />
        <TextSetting settingKey="telegram.transcriptionUrl" stored={values['telegram.transcriptionUrl']} />
      </details>
    </section>
  );
}
