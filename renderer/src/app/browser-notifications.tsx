import { useEffect, useState } from 'react';
import { api } from '../api';
import { openLink } from './navigation-store';

/** The desktop app shows notifications natively; a browser window (headless) shows them itself. */
const inBrowser = () => !window.switchboard;

/** Whether this browser can show notifications: the API exists only in a secure context (https or 127.0.0.1). */
const supported = () => inBrowser() && 'Notification' in window;

/** Shows the core's notifications as browser notifications, once the user has allowed them. */
export function useBrowserNotifications(): void {
  useEffect(() => {
    if (!supported()) return;
    return api.on('system.notification', ({ title, body, link }) => {
      if (Notification.permission !== 'granted') return;
      const shown = new Notification(title, { body });
      shown.onclick = () => {
        window.focus();
        if (link) openLink(link);
      };
    });
  }, []);
}

/** Settings card: lets a browser window ask for permission, and says plainly when it cannot. */
export function BrowserNotificationsCard() {
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : null));
  if (!inBrowser()) return null;
  return (
    <section className="card" aria-labelledby="settings-browser-notifications">
      <h2 id="settings-browser-notifications">Notifications in this browser</h2>
      {permission === null ? (
        <p className="hint">This browser offers notifications only on a secure address (https, or 127.0.0.1 on this machine).</p>
      ) : permission === 'granted' ? (
        <p className="hint">On: waiting questions, long turns and job results appear here as notifications.</p>
      ) : permission === 'denied' ? (
        <p className="hint">Blocked by the browser. Allow notifications for this address in the browser's site settings.</p>
      ) : (
        <>
          <p className="hint">Waiting questions, long turns and job results can appear as notifications while this window is open.</p>
          <button onClick={() => void Notification.requestPermission().then(setPermission)}>Allow notifications</button>
        </>
      )}
    </section>
  );
}
