import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenScope } from '../../contract';
import type { SecretStore } from '../secrets/secret-store';

/** Where each scope's token is kept; `server.token` is the one older versions made. */
const SECRET: Record<TokenScope, string> = { ui: 'server.token', mcp: 'server.token.mcp', hooks: 'server.token.hooks' };

/** Where the key of sessions' own MCP tokens is kept (never handed to a client). */
const SESSION_KEY_SECRET = 'server.token.sessions';

/** `s.<session id>.<hmac>`: a session's own MCP token (see `TokenStore.sessionToken`). */
const SESSION_TOKEN = /^s\.([A-Za-z0-9_-]{1,100})\.[0-9a-f]{64}$/;

/** Constant-time comparison, so a token cannot be guessed byte by byte from timing. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Tells which scope a token presented to the server belongs to. */
export interface TokenCheck {
  scopeOf(given: string | null | undefined): TokenScope | null;
}

/**
 * The server's tokens, one per scope, each a secret (safeStorage in the app, a 0600 file headless):
 * the UI token can do everything; the MCP and hooks tokens reach only their own routes, so a
 * leaked hook setting cannot open a shell. Made on first use, kept across starts, rotatable.
 */
export class TokenStore implements TokenCheck {
  private readonly cache = new Map<TokenScope, string>();

  constructor(
    private readonly secrets: SecretStore,
    /** Whether a session still exists: a deleted session's token opens nothing (asked at each request). */
    private readonly sessionExists: (sessionId: string) => boolean = () => true,
  ) {}

  get(scope: TokenScope): string {
    let token = this.cache.get(scope) ?? this.secrets.get(SECRET[scope]);
    if (!token) {
      token = randomBytes(32).toString('hex');
      this.secrets.set(SECRET[scope], token);
    }
    this.cache.set(scope, token);
    return token;
  }

  /** A new token for the scope; whoever held the old one is refused from now on. */
  rotate(scope: TokenScope): string {
    const token = randomBytes(32).toString('hex');
    this.secrets.set(SECRET[scope], token);
    this.cache.set(scope, token);
    // Sessions' own tokens go with the MCP token they stand beside.
    if (scope === 'mcp') this.sessionKey = this.newSessionKey();
    return token;
  }

  private sessionKey: string | null = null;

  /** The key sessions' tokens are made with: a secret of its own, which no client is ever given. */
  private key(): string {
    this.sessionKey ??= this.secrets.get(SESSION_KEY_SECRET) ?? this.newSessionKey();
    return this.sessionKey;
  }

  private newSessionKey(): string {
    const key = randomBytes(32).toString('hex');
    this.secrets.set(SESSION_KEY_SECRET, key);
    return key;
  }

  /**
   * The MCP token of one Switchboard session's own Claude: it reaches only /mcp, and it names the
   * session, so a session can act as itself (set_next_prompt for its own job) and as no other. Made
   * with a key no client holds (not the MCP token, which every MCP client has), so nobody can make
   * one; rotating the MCP token ends them all.
   */
  sessionToken(sessionId: string): string {
    return `s.${sessionId}.${createHmac('sha256', this.key()).update(`session:${sessionId}`).digest('hex')}`;
  }

  /** The session a presented session token was made for while it exists, or null for any other token. */
  sessionOf(given: string | null | undefined): string | null {
    const match = SESSION_TOKEN.exec(given ?? '');
    if (!match) return null;
    return tokenMatches(this.sessionToken(match[1]!), given) && this.sessionExists(match[1]!) ? match[1]! : null;
  }

  scopeOf(given: string | null | undefined): TokenScope | null {
    if (!given) return null;
    if (this.sessionOf(given)) return 'mcp';
    for (const scope of Object.keys(SECRET) as TokenScope[]) if (tokenMatches(this.get(scope), given)) return scope;
    return null;
  }
}
