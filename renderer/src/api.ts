import { create } from 'zustand';
import { createApi } from '../../client/api';
import { createWsTransport, type ConnectionState } from '../../client/ws-transport';
import { WS_PATH, type Api } from '../../contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    switchboard?: Api;
  }
}

const TOKEN_KEY = 'switchboard.token';

/** The login URL carries the token once (`#token=…`); keep it for reloads and take it out of the address bar. */
function takeToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    localStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return localStorage.getItem(TOKEN_KEY);
}

/** After the UI token was rotated from this browser: the next reload logs in with the new one. */
export function rememberToken(token: string): void {
  if (!window.switchboard) localStorage.setItem(TOKEN_KEY, token);
}

interface ConnectionStore {
  state: ConnectionState | 'no-token';
}

/** Whether the window can reach the core; the frame shows it, screens need not care. */
export const useConnection = create<ConnectionStore>(() => ({ state: 'connecting' }));

function browserApi(): Api {
  const token = takeToken();
  if (!token) {
    useConnection.setState({ state: 'no-token' });
    return createApi({
      call: async () => ({ ok: false, error: { code: 'unauthorized', message: 'no token' } }),
      subscribe: async () => ({ ok: false, error: { code: 'unauthorized', message: 'no token' } }),
    });
  }
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
  return createApi(createWsTransport({ url, token, onState: (state) => useConnection.setState({ state }) }));
}

function pickApi(): Api {
  if (window.switchboard) {
    useConnection.setState({ state: 'open' });
    return window.switchboard;
  }
  return browserApi();
}

/** The contract, over whichever transport this window has. */
export const api: Api = pickApi();

/**
 * Reads again what a screen shows when this window may have missed its events: after a reconnect
 * (the server may have restarted) or when the server dropped events for a window that fell behind.
 */
export function onResync(events: readonly string[], reload: () => void): () => void {
  return api.on('system.resync', (resync) => {
    if (resync.events.some((e) => events.includes(e))) reload();
  });
}

/** Saves bytes the page holds as a file, as a download would. */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A run's (or a background task's) file, downloaded: in a browser with the UI token (the route wants it
 * in a header, which a plain link cannot send), fetched and saved from the page; in the desktop app,
 * whose window holds no token, read over IPC (schedules.runFile). Returns why not, in words, when it fails.
 */
export async function downloadRunFile(runId: string, name: string): Promise<string | null> {
  if (window.switchboard) {
    const r = await api.schedules.runFile({ runId, name });
    if (!r.ok) return r.error.message;
    saveBlob(new Blob([Uint8Array.from(atob(r.value.base64), (c) => c.charCodeAt(0))]), name);
    return null;
  }
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return 'This window has no token: open it from the address Switchboard printed (…/#token=…).';
  const response = await fetch(`/files/runs/${encodeURIComponent(runId)}/${encodeURIComponent(name)}`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => null);
  if (!response?.ok) return response ? (await response.text()).slice(0, 300) : 'Switchboard could not be reached.';
  saveBlob(await response.blob(), name);
  return null;
}
