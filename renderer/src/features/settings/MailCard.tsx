import { useEffect, useState } from 'react';
import type { MailSent, SettingValues } from '../../../../contract';
import { api } from '../../api';
import { FieldError } from '../../app/FieldError';
import { ToggleSetting } from './ToggleSetting';
import { NumberSetting } from './NumberSetting';
import { SecretKeyForm } from './SecretKeyForm';
import { OptionalTextSetting } from './TextSetting';

/** Where each run's files are made: the one setting of scheduled work that reports, besides mail. */
export function ReportsCard({ values }: { values: SettingValues }) {
  return (
    <section className="card" aria-labelledby="settings-reports">
      <h2 id="settings-reports">Reports</h2>
      <p className="hint">Each run of a scheduled job gets a folder; the files it leaves there are the run’s attachments, listed in its history and sent with its result.</p>
      <OptionalTextSetting settingKey="reports.outputDir" stored={values['reports.outputDir']} placeholder="~/Switchboard/Runs" />
    </section>
  );
}

/** A test message to one address, and what the server answered (or why it did not take it). */
function TestMail({ ready }: { ready: boolean }) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ sent: MailSent } | { error: string } | null>(null);
  return (
    <form
      className="field"
      aria-label="Send a test mail"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setOutcome(null);
        const r = await api.mail.test({ to: to.trim() });
        setBusy(false);
        setOutcome(r.ok ? { sent: r.value } : { error: r.error.message });
      }}
    >
      <label htmlFor="mail-test-to">Send a test mail to</label>
      <div className="row">
        <input id="mail-test-to" type="email" autoComplete="email" placeholder="you@example.com" value={to} aria-describedby="mail-test-hint" onChange={(e) => setTo(e.target.value)} />
        <button type="submit" disabled={busy || !ready || !to.trim()}>
          {busy ? 'Sending…' : 'Send a test mail'}
        </button>
      </div>
      <FieldError error={outcome && 'error' in outcome ? outcome.error : null} />
      {outcome && 'sent' in outcome ? (
        <div className="mail-test-result" role="status" data-testid="mail-test-result">
          <p>
            {outcome.sent.accepted.length ? `The server took the message for ${outcome.sent.accepted.join(', ')}.` : 'The server took no recipient.'}
            {outcome.sent.rejected.length ? ` It refused ${outcome.sent.rejected.join(', ')}.` : ''}
          </p>
          {outcome.sent.response ? (
            <p className="hint">
              It said: <code>{outcome.sent.response}</code>
            </p>
          ) : null}
        </div>
      ) : (
        <p className="hint" id="mail-test-hint">
          {ready ? 'A short message through the settings above, to check them.' : 'Set the SMTP server and the address to send as first.'}
        </p>
      )}
    </form>
  );
}

/** The SMTP server job results are mailed through; the password is kept with the secrets and never shown. */
export function MailCard({ values }: { values: SettingValues }) {
  const [passwordSet, setPasswordSet] = useState<boolean | undefined>(undefined);
  useEffect(() => void api.mail.status({}).then((r) => r.ok && setPasswordSet(r.value.passwordSet)), []);
  const ready = !!(values['mail.smtpHost'] && values['mail.from']);
  return (
    <section className="card" aria-labelledby="settings-mail">
      <h2 id="settings-mail">Mail</h2>
      <p className="hint">
        A job that names addresses (in its editor: <em>Send the result by email to</em>) mails its result as text and HTML, with the run’s files attached.{' '}
        <span data-testid="mail-state">{ready ? `On: sent through ${values['mail.smtpHost']} as ${values['mail.from']}.` : 'Off: no server and sender set.'}</span>
      </p>
      <OptionalTextSetting settingKey="mail.smtpHost" stored={values['mail.smtpHost']} placeholder="smtp.example.com" />
      <NumberSetting settingKey="mail.smtpPort" stored={values['mail.smtpPort']} />
      <ToggleSetting settingKey="mail.smtpSecure" checked={values['mail.smtpSecure']} />
      <OptionalTextSetting settingKey="mail.smtpUser" stored={values['mail.smtpUser']} placeholder="No login" />
      <SecretKeyForm
        id="setting-mail-password"
        label="SMTP password"
        noun="password"
        stored={passwordSet}
        save={async (password) => {
          const r = await api.mail.setPassword({ password });
          if (r.ok) setPasswordSet(r.value.set);
          return r.ok ? { ok: true, value: { stored: r.value.set } } : r;
        }}
      />
      <OptionalTextSetting settingKey="mail.from" stored={values['mail.from']} placeholder="Switchboard <you@example.com>" />
      <TestMail ready={ready} />
    </section>
  );
}
