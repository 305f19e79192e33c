import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
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
  type ErrorCode,
  type EventName,
  type Result,
  type ServerMessage,
  type TokenScope,
} from '../../contract';
import type { EventBus } from '../events';
import { log } from '../log';
import { removeAddressFile, writeAddressFile } from './address-file';
import { ClientStream, LAG_LIMIT_MS, MAX_BUFFERED_BYTES } from './client-stream';
import { HostGuard, hostRefusal } from './host-guard';
import { StaticFiles } from './static-files';
import { formatZodError, type CallContext, type Router } from '../ipc/router';
import type { Service } from '../lifecycle';
import type { TokenCheck } from './tokens';

export interface LoopbackServerOptions {
  host: string;
  port: number;
  /** Which scope a presented token has: `ui` for /api and /ws, a route's own scope for its routes. */
  tokens: TokenCheck;
  router: Router;
  events: EventBus;
  /** The built renderer (headless); null where the window has its own (the desktop app): no UI files then. */
  staticDir: string | null;
  maxFrameBytes?: number;
  /** Host names admitted besides the server's own (`--allow-host`, the setting). */
  allowedHosts?: () => readonly string[];
  /** Past this many unsent bytes a client's events are dropped until it catches up, and one asking more or getting an answer is disconnected. */
  maxBufferedBytes?: number;
  /** A client that stays that far behind this long is disconnected. */
  lagLimitMs?: number;
  /** Where the address is recorded while listening (0600), so `switchboard mcp` finds this server on whatever port it took. */
  addressFile?: string;
}

/** A service's HTTP route on the loopback server. */
export interface ServerRoute {
  prefix: string;
  scope: TokenScope;
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
}


const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * The HTTP status of each error code a call answers with (README, "The headless API"); a Record, so a
 * new code does not compile until it has one. `unauthorized` from a call is 403: the token passed (a
 * missing or wrong one is 401 before any call), and this caller may not do this.
 */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_input: 400,
  unknown_method: 404,
  unknown_event: 400,
  unauthorized: 403,
  not_found: 404,
  conflict: 409,
  capacity: 429,
  unavailable: 503,
  too_large: 413,
  internal: 500,
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The token in an `Authorization: Bearer …` header, or null. */
export function bearer(header: string | undefined): string | null {
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
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

/** The path of a request target (origin-form or absolute-form), or null when it is not a URL at all. */
function requestPath(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * The loopback server, a core service both shells start: the contract over a WebSocket (calls and
 * events) and over `POST /api/<method>` for scripts, and headless the built renderer. Everything
 * but static files needs the token; every request names this server in its Host.
 */
export class LoopbackServer implements Service {
  readonly name = 'server';
  /** Where it listens, once started. */
  address: AddressInfo | null = null;
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly maxFrameBytes: number;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly routes: ServerRoute[] = [];
  private readonly guard: HostGuard;
  private readonly assets: StaticFiles | null;

  constructor(private readonly options: LoopbackServerOptions) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.guard = new HostGuard({ bindHost: options.host, extraHosts: options.allowedHosts ?? (() => []) });
    this.assets = options.staticDir && fs.existsSync(options.staticDir) ? new StaticFiles(options.staticDir, HTML_HEADERS) : null;
    // Every failure inside a handler, thrown or rejected, becomes this request's answer: no request ends the process.
    this.server = http.createServer((req, res) => {
      this.handleRequest(req, res).catch((error: unknown) => this.answerFailure(req, res, error));
    });
    // Unparsable requests (bad targets, broken headers) never reach a handler; Node's default answers them too, but silently.
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      if (error.code !== 'ECONNRESET' && socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxFrameBytes,
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      try {
        this.handleUpgrade(req, socket, head);
      } catch (error) {
        const id = log.error('websocket upgrade failed', error, { target: req.url?.slice(0, 300) });
        refuseUpgrade(socket, 500, `Internal Server Error (error ${id})`);
      }
    });
  }

  private async handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.on('error', () => res.destroy());
    const refused = this.guard.refusedHost(req.headers.host);
    if (refused !== null) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(hostRefusal(refused));
      return;
    }
    const pathname = requestPath(req.url);
    if (pathname === null) {
      sendJson(res, 400, fail('invalid_input', 'the request target is not a valid path'));
      return;
    }
    if (pathname.startsWith('/api/')) {
      if (!this.guard.originAllowed(req.headers.origin, req.headers.host)) {
        sendJson(res, 403, fail('unauthorized', 'requests from another origin are refused'));
        return;
      }
      const method = safeDecode(pathname.slice('/api/'.length));
      if (method === null) sendJson(res, 400, fail('invalid_input', 'the method name is not valid percent-encoding'));
      else await this.handleApi(req, res, method);
      return;
    }
    const route = this.routes.find((r) => pathname === r.prefix || pathname.startsWith(`${r.prefix}/`));
    if (route) {
      if (!this.guard.originAllowed(req.headers.origin, req.headers.host)) {
        sendJson(res, 403, fail('unauthorized', 'requests from another origin are refused'));
        return;
      }
      const scope = this.options.tokens.scopeOf(bearer(req.headers.authorization));
      if (scope === null) return sendJson(res, 401, fail('unauthorized', 'missing or wrong token'));
      // The UI token can do everything; another reaches only the routes of its own scope.
      if (scope !== 'ui' && scope !== route.scope) return sendJson(res, 403, fail('unauthorized', `this token is not for ${route.prefix}`));
      await route.handle(req, res);
      return;
    }
    if (!this.assets) {
      const desktop = this.options.staticDir === null;
      res.writeHead(desktop ? 404 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(desktop ? 'Not found: the desktop app shows its window itself.' : 'The Switchboard UI is not built. Run: npm run build');
      return;
    }
    // Decided on the decoded, normalised path and the file's real path: no source maps, nothing outside the UI folder.
    const served = await this.assets.serve(req, res, pathname);
    if (served === 'sent') return;
    res.writeHead(served === 'bad_request' ? 400 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(served === 'bad_request' ? 'Bad request: the path is not valid percent-encoding' : 'Not found');
  }

  /** A handler failed: a 500 naming an error id the log has with the details, unless the client is gone. */
  private answerFailure(req: http.IncomingMessage, res: http.ServerResponse, error: unknown): void {
    if (req.socket.destroyed && !res.headersSent) {
      log.info('request ended by the client before it was answered', { target: req.url?.slice(0, 300) });
      return;
    }
    const id = log.error(`request failed: ${req.method} ${req.url?.slice(0, 300)}`, error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, 500, fail('internal', `Switchboard could not answer this request (error ${id}); the log has the details.`));
  }

  /**
   * A route a service owns (`/mcp`, `/hooks`): requests under its prefix reach its handler once the
   * Host, Origin and token (the route's scope, or the UI token) pass.
   */
  route(route: ServerRoute): void {
    if (this.routes.some((r) => r.prefix === route.prefix)) throw new Error(`a route ${route.prefix} is registered already`);
    this.routes.push(route);
  }

  /** How many windows (browser tabs, the UI token's WebSockets) are open now. */
  windows(): number {
    return this.wss.clients.size;
  }

  /** The lifecycle's start: listening, or a clear error. */
  async start(): Promise<void> {
    await this.listen();
  }

  /** Resolves with the bound address once listening; a port in use is said plainly, never silently moved. */
  async listen(): Promise<AddressInfo> {
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.options.port, this.options.host, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`port ${this.options.port} on ${this.options.host} is in use: pass --port or set SWITCHBOARD_PORT`, { cause: error });
      }
      throw error;
    }
    this.guard.setPort((this.server.address() as AddressInfo).port);
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
    this.address = this.server.address() as AddressInfo;
    if (this.options.addressFile) writeAddressFile(this.options.addressFile, { url: `http://127.0.0.1:${this.address.port}`, port: this.address.port, pid: process.pid });
    return this.address;
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.options.addressFile && this.address) removeAddressFile(this.options.addressFile);
    for (const ws of this.wss.clients) ws.close(1001, 'server stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    const scope = this.options.tokens.scopeOf(bearer(req.headers.authorization));
    if (scope === null) {
      sendJson(res, 401, fail('unauthorized', 'missing or wrong token'));
      return;
    }
    if (scope !== 'ui') {
      sendJson(res, 403, fail('unauthorized', `this token is for ${scope === 'mcp' ? 'the MCP server' : "Claude Code's hooks"} only, not the API`));
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
    if (body === undefined) return;
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
    // Scripts on the HTTP API share the browser surface; the actor tells them apart.
    const result = await this.options.router.call(method, input, { surface: 'browser', actor: `api:${req.socket.remoteAddress ?? 'unknown'}` });
    sendJson(res, result.ok ? 200 : STATUS_BY_CODE[result.error.code], result);
  }

  private readBody(req: http.IncomingMessage): Promise<string | null | undefined> {
    return readBody(req, this.maxFrameBytes);
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const refused = this.guard.refusedHost(req.headers.host);
    if (refused !== null) return refuseUpgrade(socket, 403, 'Forbidden');
    if (requestPath(req.url) !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!this.guard.originAllowed(req.headers.origin, req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
    const scope = this.options.tokens.scopeOf(upgradeToken(req));
    if (scope === null) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (scope !== 'ui') return refuseUpgrade(socket, 403, 'Forbidden');
    const caller: CallContext = { surface: 'browser', actor: `browser:${req.socket.remoteAddress ?? 'unknown'}` };
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, caller));
  }

  private attach(ws: WebSocket, caller: CallContext): void {
    const subscriptions = new Set<EventName>();
    const client = new ClientStream(ws, this.options.maxBufferedBytes ?? MAX_BUFFERED_BYTES, this.options.lagLimitMs ?? LAG_LIMIT_MS);
    const unsubscribe = this.options.events.subscribe((event, payload) => {
      if (subscriptions.has(event)) client.event(event, payload);
    });
    (ws as WebSocket & { alive?: boolean }).alive = true;
    ws.on('pong', () => ((ws as WebSocket & { alive?: boolean }).alive = true));
    ws.on('close', () => {
      unsubscribe();
      client.close();
    });
    // An oversized frame closes this socket with 1009 (ws raises it here); the server goes on.
    ws.on('error', (error) => log.warn('websocket closed', { error: error.message }));
    ws.on('message', (data, isBinary) => {
      // A client that has not read what it was already sent gets no more work done for it.
      if (client.overLimit('call')) return;
      this.onMessage(isBinary ? null : data.toString(), subscriptions, caller)
        .catch((error: unknown) => {
          const id = log.error('websocket message failed', error);
          return { t: 'result', id: null, result: fail('internal', `Switchboard could not answer (error ${id}); the log has the details.`) } satisfies ServerMessage;
        })
        .then((reply) => client.reply(reply));
    });
  }

  private async onMessage(text: string | null, subscriptions: Set<EventName>, caller: CallContext): Promise<ServerMessage> {
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
      result = await this.options.router.call(message.method, message.input, caller);
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

/** A request's body as text: null once it passes `limit` bytes, undefined when the client went away mid-body. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string | null | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

