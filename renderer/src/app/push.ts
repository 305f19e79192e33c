import { useEffect } from 'react';
import { api } from '../api';
import { openLink } from './navigation-store';

/** Whether this window can take Web Push: a browser (the desktop app notifies natively) on a secure address. */
export function pushSupport(): 'desktop' | 'insecure' | 'unsupported' | 'ok' {
  if (window.switchboard) return 'desktop';
  if (!window.isSecureContext) return 'insecure';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  return 'ok';
}

/** The service worker (built with the renderer as sw.js), registered where push can work. */
export function registerServiceWorker(): void {
  if (pushSupport() !== 'ok') return;
  void navigator.serviceWorker.register('./sw.js').catch(() => {
    // The Settings card says push is not available here.
  });
}

/** How often a window in front of the user says so: the server counts it active a little longer than this. */
const PRESENCE_EVERY_MS = 30_000;

/**
 * Tells the server whether someone is at this window (visible and focused), so pushes wait while they are;
 * and opens what a tapped notification names (the service worker sends it here).
 */
export function usePresence(): void {
  useEffect(() => {
    let last: boolean | null = null;
    const report = (force = false) => {
      const visible = document.visibilityState === 'visible' && document.hasFocus();
      if (!force && visible === last) return;
      last = visible;
      void api.push.presence({ visible });
    };
    const onChange = () => report();
    report(true);
    const timer = setInterval(() => last && report(true), PRESENCE_EVERY_MS);
    document.addEventListener('visibilitychange', onChange);
    window.addEventListener('focus', onChange);
    window.addEventListener('blur', onChange);
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; link?: string } | null;
      if (data?.type === 'switchboard.open' && typeof data.link === 'string') openLink(data.link);
    };
    navigator.serviceWorker?.addEventListener('message', onMessage);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onChange);
      window.removeEventListener('focus', onChange);
      window.removeEventListener('blur', onChange);
      navigator.serviceWorker?.removeEventListener('message', onMessage);
    };
  }, []);
}

/** A name for this browser, as the list of subscribed browsers shows it ("Chrome on Android"). */
export function browserName(ua = navigator.userAgent): string {
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\/|Chromium\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'this device';
  return `${browser} on ${system}`;
}
