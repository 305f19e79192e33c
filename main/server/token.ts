import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store';

const TOKEN_SECRET = 'server.token';

/** The headless server's token: made once, kept in the secret store, reused on every start. */
export function loadOrCreateServerToken(secrets: SecretStore): string {
  const existing = secrets.get(TOKEN_SECRET);
  if (existing) return existing;
  const token = randomBytes(32).toString('hex');
  secrets.set(TOKEN_SECRET, token);
  return token;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timing. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
