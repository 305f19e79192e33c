import { fail, ok, WS_PROTOCOL, WS_TOKEN_PREFIX, type Result, type ServerMessage } from '../contract';
import { unreachable, type Transport } from './api';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface WsTransportOptions {
  /** e.g. ws://127.0.0.1:7345/ws */
  url: string;
  token: string;
  onState?: (state: ConnectionState) => void;
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
}

export interface WsTransport extends Transport {
  readonly state: ConnectionState;
  close(): void;
}

type Listener = (payload: unknown) => void;

/**
 * The browser's transport: calls and events over one WebSocket, reconnecting with backoff after
 * the server restarts. A browser cannot see a refused upgrade's status, so after a failed first
 * connect it asks the HTTP API whether the token is wrong, and stops retrying if so.
 */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<Listener>>();
  let queue: string[] = [];
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let attempts = 0;
  let everOpened = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    options.onState?.(next);
  };

  const send = (message: object) => {
    const text = JSON.stringify(message);
    if (socket?.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  };

  const request = (message: { t: string } & Record<string, unknown>) =>
    new Promise<Result<unknown>>((resolve) => {
      if (state === 'unauthorized' || state === 'closed') return resolve(unreachable(`not connected (${state})`));
      const id = nextId++;
      pending.set(id, resolve);
      send({ ...message, id });
    });

  const tokenRefused = async (): Promise<boolean> => {
    try {
      const url = new URL(options.url);
      url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
      url.pathname = '/api/';
      const res = await fetch(url, { headers: { Authorization: `Bearer ${options.token}` } });
      return res.status === 401;
    } catch {
      return false;
    }
  };

  const connect = () => {
    timer = null;
    const ws = new WebSocket(options.url, [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${options.token}`]);
    socket = ws;
    ws.onopen = () => {
      const reconnected = everOpened;
      everOpened = true;
      attempts = 0;
      setState('open');
      for (const event of listeners.keys()) ws.send(JSON.stringify({ t: 'sub', id: 0, event }));
      const queued = queue;
      queue = [];
      for (const text of queued) ws.send(text);
      // Whatever happened while the connection was down (a server restart ended turns, emptied queues,
      // closed terminals) came as no event: tell every listener to read again what it shows.
      if (reconnected) for (const listener of listeners.get('system.resync') ?? []) listener({ events: [...listeners.keys()] });
    };
    ws.onmessage = (e: MessageEvent) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.t === 'result') {
        if (message.id === null) return;
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else if (message.t === 'event') {
        for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      }
    };
    // Browsers fire error then close on a refused handshake; Node's WebSocket only error. Handle either, once.
    ws.onerror = ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      for (const resolve of pending.values()) resolve(unreachable('connection to Switchboard lost'));
      pending.clear();
      if (state === 'closed') return;
      void (async () => {
        if (!everOpened && (await tokenRefused())) {
          queue = [];
          return setState('unauthorized');
        }
        setState('reconnecting');
        const delay = Math.min(maxBackoff, 250 * 2 ** attempts++);
        timer = setTimeout(connect, delay);
      })();
    };
  };

  connect();

  return {
    get state() {
      return state;
    },
    call: (method, input) => request({ t: 'call', method, input }),
    async subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener);
      const result = await request({ t: 'sub', event });
      if (!result.ok) {
        set.delete(listener);
        if (!set.size) listeners.delete(event);
        return fail(result.error.code, result.error.message);
      }
      return ok(() => {
        set.delete(listener);
        if (set.size || listeners.get(event) !== set) return;
        listeners.delete(event);
        if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ t: 'unsub', id: 0, event }));
      });
    },
    close() {
      setState('closed');
      if (timer) clearTimeout(timer);
      socket?.close(1000, 'client closed');
      socket = null;
      for (const resolve of pending.values()) resolve(unreachable('client closed'));
      pending.clear();
    },
  };
}
