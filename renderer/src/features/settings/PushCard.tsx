import { useCallback, useEffect, useState } from 'react';
import type { PushDevice } from '../../../../contract';
import { api } from '../../api';
import { FieldError } from '../../app/FieldError';
import { browserName, pushSupport } from '../../app/push';

function when(ms: number | null): string {
  return ms ? new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : 'never';
}

/** This browser's subscription, if it has one. */
async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Web Push on this browser (a phone with the app on its home screen): what needs you arrives while you are
 * away from the window, without a bot. Lists every subscribed browser (name, last used, remove), sends a
 * test, and says plainly when this page is not on a secure address (browsers offer push only there).
 */
export function PushCard() {
  const support = pushSupport();
  const [devices, setDevices] = useState<PushDevice[]>([]);
  const [mine, setMine] = useState<string | null>(null);
  const [name, setName] = useState(() => browserName());
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    const r = await api.push.list({});
    if (r.ok) setDevices(r.value);
    if (pushSupport() === 'ok') setMine((await currentSubscription())?.endpoint ?? null);
  }, []);
  useEffect(() => {
    let live = true;
    void api.push.list({}).then((r) => live && r.ok && setDevices(r.value));
    if (pushSupport() === 'ok') void currentSubscription().then((s) => live && setMine(s?.endpoint ?? null));
    return () => {
      live = false;
    };
  }, []);
  if (support === 'desktop') return null;

  const turnOn = async () => {
    setBusy(true);
    setError(null);
    try {
      if ((await Notification.requestPermission()) !== 'granted') throw new Error('The browser did not allow notifications for this address. Allow them in its site settings, then try again.');
      const key = await api.push.key({});
      if (!key.ok) throw new Error(key.error.message);
      const registration = await navigator.serviceWorker.ready;
      const subscription = (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key.value.publicKey }));
      const saved = await api.push.subscribe({ subscription: subscription.toJSON() as never, name: name.trim() || browserName() });
      if (!saved.ok) throw new Error(saved.error.message);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (device: PushDevice) => {
    const r = await api.push.remove({ endpoint: device.endpoint });
    if (!r.ok) return setError(r.error.message);
    if (device.endpoint === mine) await (await currentSubscription())?.unsubscribe();
    await load();
  };
  const test = async () => {
    const r = await api.push.test({});
    if (!r.ok) return setError(r.error.message);
    setStatus(r.value.failed.length ? `Sent to ${r.value.sent}; ${r.value.failed.map((f) => `${f.name}: ${f.error}`).join(' ')}` : `Sent to ${r.value.sent} browser${r.value.sent === 1 ? '' : 's'}.`);
    await load();
  };

  return (
    <section className="card" aria-labelledby="settings-push">
      <h2 id="settings-push">Push to this phone or browser</h2>
      <p className="hint">Questions, sessions stopped for your reply, and failures arrive as notifications while you are away from the window; a tap opens them. No bot needed. On a phone, add Switchboard to the home screen first (iPhone: Share → Add to Home Screen).</p>
      {support === 'insecure' ? (
        <p className="banner banner-warn" role="status" data-testid="push-insecure">
          This page is not on a secure address, so this browser will not offer push. Open it as http://localhost or http://127.0.0.1 on this machine, or put HTTPS in front of it (for example Tailscale Serve), as the README says.
        </p>
      ) : support === 'unsupported' ? (
        <p className="hint">This browser does not offer Web Push.</p>
      ) : mine && devices.some((d) => d.endpoint === mine) ? (
        <p className="hint">On for this browser.</p>
      ) : (
        <div className="row-actions">
          <input aria-label="Name for this browser" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          <button onClick={() => void turnOn()} disabled={busy}>
            Turn on for this browser
          </button>
        </div>
      )}
      {devices.length ? (
        <>
          <ul className="push-devices" aria-label="Subscribed browsers">
            {devices.map((d) => (
              <li key={d.endpoint}>
                <span>
                  <strong>{d.name}</strong>
                  {d.endpoint === mine ? <span className="muted"> · this browser</span> : null}
                  <span className="muted"> · {d.service} · last used {when(d.lastUsedAt)}</span>
                  {d.lastError ? <span className="field-error"> {d.lastError}</span> : null}
                </span>
                <button onClick={() => void remove(d)} aria-label={`Remove ${d.name}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="row-actions">
            <button onClick={() => void test()}>Send a test</button>
            {status ? <span className="muted">{status}</span> : null}
          </div>
        </>
      ) : support === 'ok' ? null : (
        <p className="muted">No browser is subscribed.</p>
      )}
      <FieldError error={error} />
    </section>
  );
}
