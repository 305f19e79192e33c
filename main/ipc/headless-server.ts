import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  clientMessageSchema,
  fail,
  isEventName,
  MAX_FRAME_BYTES,
  ok,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
  type EventName,
  type Result,
  type ServerMessage,
} from '../../contract';
import type { EventBus } from '../events';
import { formatZodError, type Router } from './router';
import { tokenMatches } from './token';

export interface HeadlessServerOptions {
  host: string;
  port: number;
  token: string;
  router: Router;
  events: EventBus;
  /** The built renderer; a hint page is served when it is missing. */
  staticDir: string;
  maxFrameBytes?: number;
}

const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const STATUS_BY_CODE: Record<string, number> = {
  invalid_input: 400,
  unknown_method: 404,
  unauthorized: 401,
  too_large: 413,
  internal: 500,
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** The token from `Sec-WebSocket-Protocol: switchboard.v1, bearer.<token>` or an Authorization header. */
function upgradeToken(req: http.IncomingMessage): string | null {
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length);
  return fromProtocol ?? bearer(req.headers.authorization);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The headless shell's transport: the built renderer over HTTP, the contract over a WebSocket
 * (calls and events) and over `POST /api/<method>` for scripts. Everything but static files
 * needs the token.
 */
export class HeadlessServer {
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly maxFrameBytes: number;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: HeadlessServerOptions) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    const assets = fs.existsSync(options.staticDir)
      ? sirv(options.staticDir, { etag: true, setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff') })
      : null;
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/api/')) {
        void this.handleApi(req, res, decodeURIComponent(url.pathname.slice('/api/'.length)));
        return;
      }
      if (url.pathname === '/' || url.pathname === '/index.html') for (const [k, v] of Object.entries(HTML_HEADERS)) res.setHeader(k, v);
      if (!assets) {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('The Switchboard UI is not built. Run: npm run build');
        return;
      }
      assets(req, res, () => {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Not found');
      });
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxFrameBytes,
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    this.server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
  }

  /** Resolves with the bound address once listening. */
  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // Drops clients that vanished without a close (sleeping laptop, killed tab).
    this.heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        const live = ws as WebSocket & { alive?: boolean };
        if (live.alive === false) {
          ws.terminate();
          continue;
        }
        live.alive = false;
        ws.ping();
      }
    }, 30_000);
    this.heartbeat.unref();
    return this.server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.close(1001, 'server stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    if (!tokenMatches(this.options.token, bearer(req.headers.authorization))) {
      sendJson(res, 401, fail('unauthorized', 'missing or wrong token'));
      return;
    }
    // `GET /api/` answers whether the token is right, for clients that cannot see a refused upgrade.
    if (method === '') {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendJson(res, 405, fail('invalid_input', 'use POST with a JSON body'));
      return;
    }
    const body = await this.readBody(req);
    if (body === null) {
      sendJson(res, 413, fail('too_large', `request body over ${this.maxFrameBytes} bytes`));
      req.resume();
      return;
    }
    let input: unknown;
    try {
      input = body.length ? JSON.parse(body) : {};
    } catch {
      sendJson(res, 400, fail('invalid_input', 'body is not valid JSON'));
      return;
    }
    const result = await this.options.router.call(method, input, { surface: 'api' });
    sendJson(res, result.ok ? 200 : (STATUS_BY_CODE[result.error.code] ?? 200), result);
  }

  /** The body as text, or null once it passes the size cap. */
  private readBody(req: http.IncomingMessage): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxFrameBytes) {
          req.removeAllListeners('data');
          resolve(null);
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!tokenMatches(this.options.token, upgradeToken(req))) return refuseUpgrade(socket, 401, 'Unauthorized');
    const origin = req.headers.origin;
    if (origin && new URL(origin).host !== req.headers.host) return refuseUpgrade(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  private attach(ws: WebSocket): void {
    const subscriptions = new Set<EventName>();
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = this.options.events.subscribe((event, payload) => {
      if (subscriptions.has(event)) send({ t: 'event', event, payload });
    });
    (ws as WebSocket & { alive?: boolean }).alive = true;
    ws.on('pong', () => ((ws as WebSocket & { alive?: boolean }).alive = true));
    ws.on('close', unsubscribe);
    // An oversized frame closes this socket with 1009 (ws raises it here); the server goes on.
    ws.on('error', (error) => console.warn(`switchboard: websocket closed: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      void this.onMessage(isBinary ? null : data.toString(), subscriptions).then((reply) => send(reply));
    });
  }

  private async onMessage(text: string | null, subscriptions: Set<EventName>): Promise<ServerMessage> {
    let raw: unknown;
    try {
      raw = text === null ? undefined : JSON.parse(text);
    } catch {
      return { t: 'result', id: null, result: fail('invalid_input', 'message is not valid JSON') };
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null;
      return { t: 'result', id, result: fail('invalid_input', formatZodError(parsed.error)) };
    }
    const message = parsed.data;
    let result: Result<unknown>;
    if (message.t === 'call') {
      result = await this.options.router.call(message.method, message.input, { surface: 'web' });
    } else if (!isEventName(message.event)) {
      result = fail('unknown_event', `unknown event "${message.event}"`);
    } else {
      if (message.t === 'sub') subscriptions.add(message.event);
      else subscriptions.delete(message.event);
      result = ok(null);
    }
    return { t: 'result', id: message.id, result };
  }
}
