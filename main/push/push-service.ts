import type https from 'node:https';
import webpush from 'web-push';
import type { InboxItem, PushDevice } from '../../contract';
import { AppError } from '../errors';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { SecretStore } from '../secrets/secret-store';
import type { StorageService } from '../storage/storage-service';

const PUBLIC_KEY = 'push.vapid.public';
const PRIVATE_KEY = 'push.vapid.private';
/** Who to contact about these pushes, as push services ask (RFC 8292's `sub`). */
const CONTACT = 'mailto:switchboard@localhost.localdomain';
/** A window that said it is in front of the user counts as active this long (it says so again every 30 s). */
export const PRESENCE_MS = 75_000;
/** At most one push this often: what arrives meanwhile goes together in the next ("3 things need you"), so a burst never buzzes a phone a hundred times. */
export const PUSH_GAP_MS = 500;
/** A push that reaches nobody within this long is dropped by the push service: what needs you now is stale later. */
const TTL_SECONDS = 3600;

interface Row {
  endpoint: string;
  p256dh: string;
  auth: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  last_error: string | null;
}

function toDevice(row: Row): PushDevice {
  let service = '';
  try {
    service = new URL(row.endpoint).host;
  } catch {
    // Checked when subscribed: an address.
  }
  return { endpoint: row.endpoint, name: row.name, service, createdAt: row.created_at, lastUsedAt: row.last_used_at, lastError: row.last_error };
}

/** What the service worker shows: a title, a body, and where a tap goes. */
export interface PushPayload {
  title: string;
  body: string;
  /** The window's address (`#/sessions/<id>`); the inbox when the item has none. */
  link: string;
  /** Replaces an earlier notification about the same thing on the device. */
  tag: string;
  itemId: number | null;
}

/** One item as its own push; several as one that counts them and opens the inbox. */
export function payloadFor(items: readonly InboxItem[]): PushPayload {
  if (items.length === 1) {
    const [item] = items as [InboxItem];
    return { title: item.title, body: item.text.slice(0, 300), link: item.link ?? '#/inbox', tag: `inbox-${item.id}`, itemId: item.id };
  }
  const titles = items.slice(0, 3).map((i) => i.title);
  const more = items.length - titles.length;
  return { title: `${items.length} things need you`, body: `${titles.join('\n')}${more ? `\n…and ${more} more` : ''}`.slice(0, 300), link: '#/inbox', tag: 'inbox-many', itemId: null };
}

/**
 * Web Push, one more delivery of what needs the user, like a bot message but with no bot: browsers that
 * subscribed (their endpoint and keys in SQLite, the VAPID keys with the secrets), payloads encrypted for
 * each (RFC 8291, by `web-push`), never while someone is at a window.
 */
export class PushService implements Service {
  readonly name = 'push';
  /** Windows that said they are in front of the user, by caller, with when. */
  private readonly presence = new Map<string, number>();
  /** Items waiting for the next push, and when the last one went. */
  private pending: { item: InboxItem; done: (sent: number) => void }[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private lastSent = 0;
  /** Signed VAPID headers by push service (audience), reused until near their expiry: signing each push would cost the event loop. */
  private readonly vapid = new Map<string, { authorization: string; expires: number }>();

  constructor(
    private readonly deps: {
      storage: StorageService;
      secrets: SecretStore;
      /** Test hook: the agent that reaches the push service (a stand-in's certificate). */
      agent?: https.Agent;
      now?: () => number;
    },
  ) {}

  start(): void {}
  stop(): void {
    this.stopPending();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private get db() {
    return this.deps.storage.db;
  }

  /** The VAPID keys, made on first use and kept with the secrets (never in SQLite). */
  private keys(): { publicKey: string; privateKey: string } {
    let publicKey = this.deps.secrets.get(PUBLIC_KEY);
    let privateKey = this.deps.secrets.get(PRIVATE_KEY);
    if (!publicKey || !privateKey) {
      ({ publicKey, privateKey } = webpush.generateVAPIDKeys());
      this.deps.secrets.set(PRIVATE_KEY, privateKey);
      this.deps.secrets.set(PUBLIC_KEY, publicKey);
    }
    return { publicKey, privateKey };
  }

  publicKey(): { publicKey: string } {
    return { publicKey: this.keys().publicKey };
  }

  subscribe(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }, name: string): PushDevice {
    const p256dh = Buffer.from(subscription.keys.p256dh, 'base64url');
    if (p256dh.length !== 65 || p256dh[0] !== 4) throw new AppError('invalid_input', 'subscription.keys.p256dh: not a P-256 public key (65 bytes, uncompressed)');
    if (Buffer.from(subscription.keys.auth, 'base64url').length !== 16) throw new AppError('invalid_input', 'subscription.keys.auth: must be 16 bytes');
    const row = this.db
      .prepare(
        `INSERT INTO push_subscriptions (endpoint, p256dh, auth, name, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, name = excluded.name, last_error = NULL RETURNING *`,
      )
      .get(subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth, name, this.now()) as Row;
    return toDevice(row);
  }

  list(): PushDevice[] {
    return (this.db.prepare('SELECT * FROM push_subscriptions ORDER BY created_at').all() as Row[]).map(toDevice);
  }

  remove(endpoint: string): { removed: boolean } {
    return { removed: this.db.prepare('DELETE FROM push_subscriptions WHERE endpoint = ?').run(endpoint).changes > 0 };
  }

  /** A window is (or no longer is) in front of the user. */
  setPresence(caller: string, visible: boolean): { active: boolean } {
    if (visible) this.presence.set(caller, this.now());
    else this.presence.delete(caller);
    return { active: this.active() };
  }

  /** Someone is at a window now: the window shows it, so the phone stays quiet. */
  active(): boolean {
    const since = this.now() - PRESENCE_MS;
    for (const [caller, at] of this.presence) {
      if (at >= since) return true;
      this.presence.delete(caller);
    }
    return false;
  }

  /**
   * An inbox item to every subscribed browser, unless someone is at a window. The first goes at once; what
   * arrives within PUSH_GAP_MS of a push goes together in the next. Resolves with the browsers reached.
   */
  deliver(item: InboxItem): Promise<number> {
    if (this.active()) return Promise.resolve(0);
    return new Promise((done) => {
      this.pending.push({ item, done });
      if (this.flushTimer) return;
      this.flushTimer = setTimeout(() => void this.flush(), Math.max(0, this.lastSent + PUSH_GAP_MS - Date.now()));
      this.flushTimer.unref();
    });
  }

  stopPending(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const { done } of this.pending.splice(0)) done(0);
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    this.lastSent = Date.now();
    const batch = this.pending.splice(0);
    let sent = 0;
    try {
      const devices = this.active() ? [] : (this.db.prepare('SELECT * FROM push_subscriptions').all() as Row[]);
      if (devices.length && batch.length) {
        const results = await Promise.all(devices.map((d) => this.send(d, payloadFor(batch.map((b) => b.item)))));
        sent = results.filter((r) => r === null).length;
      }
    } finally {
      for (const { done } of batch) done(sent);
    }
  }

  async test(endpoint?: string): Promise<{ sent: number; failed: { name: string; error: string }[] }> {
    const devices = (endpoint ? this.db.prepare('SELECT * FROM push_subscriptions WHERE endpoint = ?').all(endpoint) : this.db.prepare('SELECT * FROM push_subscriptions').all()) as Row[];
    if (endpoint && !devices.length) throw new AppError('not_found', 'That browser is not subscribed (any more).');
    const payload: PushPayload = { title: 'Switchboard', body: 'Push works: what needs you will arrive here while you are away from the window.', link: '#/inbox', tag: 'switchboard-test', itemId: null };
    const failed: { name: string; error: string }[] = [];
    for (const device of devices) {
      const error = await this.send(device, payload);
      if (error) failed.push({ name: device.name, error });
    }
    return { sent: devices.length - failed.length, failed };
  }

  /** The VAPID Authorization for a push service (RFC 8292): a JWT for its origin, valid 12 h, signed again an hour before it ends. */
  private authorization(endpoint: string): string {
    const audience = new URL(endpoint).origin;
    const now = Date.now();
    const cached = this.vapid.get(audience);
    if (cached && cached.expires - now > 3600_000) return cached.authorization;
    const { publicKey, privateKey } = this.keys();
    const expires = now + 12 * 3600_000;
    const headers = webpush.getVapidHeaders(audience, CONTACT, publicKey, privateKey, 'aes128gcm', Math.floor(expires / 1000));
    this.vapid.set(audience, { authorization: headers.Authorization, expires });
    return headers.Authorization;
  }

  /** One push; null when it went through, else why not in words (a gone subscription is removed). */
  private async send(device: Row, payload: PushPayload): Promise<string | null> {
    try {
      await webpush.sendNotification({ endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } }, JSON.stringify(payload), {
        headers: { Authorization: this.authorization(device.endpoint) },
        TTL: TTL_SECONDS,
        urgency: 'high',
        timeout: 10_000,
        ...(this.deps.agent ? { agent: this.deps.agent } : {}),
      });
      this.db.prepare('UPDATE push_subscriptions SET last_used_at = ?, last_error = NULL WHERE endpoint = ?').run(this.now(), device.endpoint);
      return null;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // The browser unsubscribed, or the subscription expired: it will never take a push again.
      if (status === 404 || status === 410) {
        this.remove(device.endpoint);
        return 'The browser’s subscription has ended; it was removed. Turn push on again in that browser.';
      }
      const reason = status ? `The push service answered ${status}.` : `The push service could not be reached (${(error as Error).message}).`;
      log.warn('push: a delivery failed', { service: toDevice(device).service, status: status ?? null });
      this.db.prepare('UPDATE push_subscriptions SET last_error = ? WHERE endpoint = ?').run(reason, device.endpoint);
      return reason;
    }
  }
}
