import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenScope } from '../../contract';
import type { SecretStore } from '../secrets/secret-store';

/** Where each scope's token is kept; `server.token` is the one older versions made. */
const SECRET: Record<TokenScope, string> = { ui: 'server.token', mcp: 'server.token.mcp', hooks: 'server.token.hooks' };

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

  constructor(private readonly secrets: SecretStore) {}

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
    return token;
  }

  scopeOf(given: string | null | undefined): TokenScope | null {
    if (!given) return null;
    for (const scope of Object.keys(SECRET) as TokenScope[]) if (tokenMatches(this.get(scope), given)) return scope;
    return null;
  }
}
