import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What the stand-in received and could read: the payload decrypted with the subscription's keys, and the VAPID claims checked. */
export interface ReceivedPush {
  subscriptionId: string;
  payload: string;
  /** The VAPID key the sender signed with (`k=` of the Authorization header). */
  vapidKey: string;
  claims: { aud: string; exp: number; sub: string };
  ttl: number;
  urgency: string | null;
  at: number;
}

/** A browser's side of a subscription: the keys it would hand the page, and the private half that decrypts. */
interface BrowserKeys {
  ecdh: crypto.ECDH;
  auth: Buffer;
}

const b64u = (b: Buffer) => b.toString('base64url');

/** A self-signed certificate for 127.0.0.1 (Web Push services are https; web-push speaks only https). */
function selfSigned(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-push-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { cwd: dir, stdio: 'ignore' },
    );
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Decrypts an `aes128gcm` Web Push body (RFC 8291 over RFC 8188) with the browser's private key and auth
 * secret: the proof that what the server sent is encrypted for this subscription and nobody else.
 */
export function decryptPush(body: Buffer, keys: BrowserKeys): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverKey = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`the key id is ${idLength} bytes, not an uncompressed P-256 key`);
  if (records.length > recordSize) throw new Error('more than one record');
  const userAgentKey = keys.ecdh.getPublicKey();
  const secret = keys.ecdh.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), userAgentKey, serverKey]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', secret, keys.auth, info, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const plain = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 2, then zero padding.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('no last-record delimiter');
  return plain.subarray(0, end).toString('utf8');
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): an ES256 signature by k, for this origin, not expired, at most 24 h ahead. */
export function checkVapid(header: string | undefined, origin: string, now = Date.now()): { key: string; claims: { aud: string; exp: number; sub: string } } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  if (!match) throw new Error(`not a VAPID Authorization header: ${header}`);
  const [head, body, signature] = match[1]!.split('.') as [string, string, string];
  const raw = Buffer.from(match[2]!, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k is not an uncompressed P-256 key');
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, format: 'jwk' });
  const header_ = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
  if (header_.alg !== 'ES256') throw new Error(`JWT alg ${header_.alg}`);
  if (!crypto.verify('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) throw new Error('the VAPID signature does not verify with k');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { aud: string; exp: number; sub: string };
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  if (!(claims.exp * 1000 > now) || claims.exp * 1000 > now + 24 * 3600_000 + 60_000) throw new Error(`exp ${claims.exp} is not within the next 24 h`);
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) throw new Error(`sub ${claims.sub} is not a mailto: or https: contact`);
  return { key: match[2]!, claims };
}

/**
 * A loopback stand-in for a Web Push service (FCM, Mozilla's, Apple's): https with its own certificate,
 * subscriptions made here with real P-256 keys, every push checked (VAPID, headers) and decrypted with the
 * subscription's keys; a subscription can be made to answer 410 Gone, as an expired one does.
 */
export class FakePushService {
  readonly received: ReceivedPush[] = [];
  readonly refused: { subscriptionId: string; reason: string }[] = [];
  private readonly browsers = new Map<string, BrowserKeys>();
  private readonly gone = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly tls = selfSigned();
  private readonly server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => void this.handle(req, res));
  url = '';

  /** The certificate a sender must trust to reach this stand-in. */
  get ca(): string {
    return this.tls.cert;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A new subscription, as `PushSubscription.toJSON()` gives it to the page. */
  subscribe(): { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } } {
    const id = crypto.randomUUID();
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.generateKeys();
    const keys = { ecdh, auth: crypto.randomBytes(16) };
    this.browsers.set(id, keys);
    return { endpoint: `${this.url}/push/${id}`, expirationTime: null, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(keys.auth) } };
  }

  /** From now on this subscription answers 410 Gone (the browser unsubscribed, or it expired). */
  expire(endpoint: string): void {
    this.gone.add(endpoint.split('/').pop()!);
  }

  /** Resolves once `check` returns something, re-checked on every push. */
  until<T>(check: () => T | undefined | null | false, ms = 10_000, what = 'a push'): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = () => {
        const value = check();
        if (!value) return;
        clearTimeout(timer);
        this.listeners.delete(test);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(test);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.listeners.add(test);
      test();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const keys = this.browsers.get(id);
    const refuse = (status: number, reason: string) => {
      this.refused.push({ subscriptionId: id, reason });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(reason);
      for (const listener of [...this.listeners]) listener();
    };
    if (req.method !== 'POST' || !keys) return refuse(404, 'no such subscription');
    if (this.gone.has(id)) return refuse(410, 'push subscription has unsubscribed or expired');
    try {
      if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error(`Content-Encoding ${req.headers['content-encoding']}`);
      const ttl = Number(req.headers.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) throw new Error('no TTL header');
      const { key, claims } = checkVapid(req.headers.authorization, this.url);
      const payload = decryptPush(Buffer.concat(chunks), keys);
      this.received.push({ subscriptionId: id, payload, vapidKey: key, claims, ttl, urgency: (req.headers.urgency as string | undefined) ?? null, at: Date.now() });
    } catch (error) {
      return refuse(400, (error as Error).message);
    }
    res.writeHead(201, { Location: `${this.url}/message/${crypto.randomUUID()}` }).end();
    for (const listener of [...this.listeners]) listener();
  }
}
