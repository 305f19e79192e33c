import * as z from 'zod';
import { event, method } from './define';

export type ServiceState = 'stopped' | 'starting' | 'running' | 'failed' | 'stopping';

/** Where a service that reaches outside stands (a chat bot): off, connecting, connected, or an error. */
export type ConnectionState = 'off' | 'connecting' | 'connected' | 'error';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  /** Why it failed, when it did. */
  error?: string;
  /**
   * For a service that connects to something (the Telegram and Discord bots): its real state, since a bot
   * that is off is still a running service. `detail` is the account once connected, or the error in words.
   */
  connection?: { state: ConnectionState; detail: string | null };
}

export interface ClaudeCliInfo {
  found: boolean;
  /** Where the path came from: env SWITCHBOARD_CLAUDE, the setting, or a PATH lookup. */
  source: 'env' | 'setting' | 'path';
  /** Absolute path when found, otherwise what was looked for. */
  path: string;
  version: string | null;
  error: string | null;
}

export interface Health {
  app: { name: string; version: string; shell: 'electron' | 'headless' };
  /** `root`: Switchboard runs as root, where the Claude CLI refuses to bypass permissions (the window does not offer it). */
  runtime: { node: string; electron: string | null; platform: string; arch: string; root: boolean };
  dataDir: string;
  database: {
    path: string;
    sizeBytes: number;
    schemaVersion: number;
    sqliteVersion: string;
    sqliteVecVersion: string;
    /** The background check of the file (after a fast start, then daily); corrupt stops every write. */
    integrity: { state: 'unchecked' | 'checking' | 'ok'; checkedAt: number | null } | { state: 'corrupt'; checkedAt: number; detail: string };
  };
  claude: ClaudeCliInfo;
  uptimeSeconds: number;
  services: ServiceStatus[];
  /** How long work held the core's one thread, over the last minute or so (monitorEventLoopDelay). */
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number };
}

/** Who a server token admits: the window and scripts (everything), MCP clients, or Claude Code's hooks. */
export const tokenScopes = ['ui', 'mcp', 'hooks'] as const;
export type TokenScope = (typeof tokenScopes)[number];

export interface ServerToken {
  scope: TokenScope;
  /** What may use it, in words. */
  reaches: string;
  /** Who holds it (filled in as the surfaces that take one are connected). */
  heldBy: string[];
}

export const systemMethods = {
  'system.tokens': method<ServerToken[]>()(z.object({}).strict(), 'The loopback server’s tokens: what each reaches and what holds it (never the tokens themselves).'),
  'system.rotateToken': method<{ scope: TokenScope; token: string }>()(
    z.object({ scope: z.enum(tokenScopes) }).strict(),
    'A new token for a scope; the old one is refused from now on. Rotating the UI token signs other windows out.',
  ),
  'system.health': method<Health>()(
    z.object({}).strict(),
    'Versions, data dir, database size and schema, the Claude CLI found, uptime and service states.',
  ),
  'system.reportError': method<{ id: string }>()(
    z
      .object({
        where: z.string().trim().min(1).max(200),
        message: z.string().max(2000),
        stack: z.string().max(20_000).nullable().default(null),
      })
      .strict(),
    'A window hit an error (a screen failed to draw): logged with the details, answered with the id the window shows.',
  ),
};

/** What the core told the user: a question waiting, a long turn done, a job's result. */
export interface UserNotification {
  title: string;
  body: string;
  at: number;
  /** The window's address of what it is about (`#/sessions/<id>`), opened by a click. */
  link?: string;
}

/** Sent to one window only: it stopped reading, so these events were dropped for it; re-read what it shows. */
export interface Resync {
  events: string[];
}

export const systemEvents = {
  'system.open': event<{ link: string }>('Open this address in the window (a notification was clicked in the desktop app).'),
  'system.resync': event<Resync>('Events were dropped for this window because it stopped reading; re-read transcripts and terminal scrollback.'),
  'system.notification': event<UserNotification>('A notification for the user; the desktop app also shows it natively, a browser window can show it too.'),
};
