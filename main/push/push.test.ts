import https from 'node:https';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core';
import { desktopCaller, type CallContext } from '../ipc/router';
import { FakePushService } from '../testing/fake-push-service';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { nextEvent } from '../testing/wait';

// Web Push with the real `web-push` against a loopback push-service stand-in that checks the VAPID header and
// decrypts each payload with the subscription's own keys (RFC 8291).
let core: Core | null = null;
let dir: string | null = null;
let service: FakePushService | null = null;
afterEach(async () => {
  await core?.stop();
  await service?.stop();
  if (dir) removeTempDir(dir);
  core = null;
  dir = null;
  service = null;
});

async function start(keep?: string): Promise<{ core: Core; push: FakePushService }> {
  service ??= await new FakePushService().start();
  dir = keep ?? makeTempDir('switchboard-push-');
  core = testCore(path.join(dir, 'data'), { pushAgent: new https.Agent({ ca: service.ca }) });
  await core.start();
  return { core, push: service };
}

async function call<T>(c: Core, method: string, input: unknown, ctx: CallContext = desktopCaller): Promise<T> {
  const r = await c.router.call(method, input, ctx);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as T;
}

describe('Web Push', { timeout: 30_000 }, () => {
  it('sends what needs you, encrypted for each browser and signed with the VAPID key kept with the secrets, never while someone is at a window', async () => {
    const { core, push } = await start();
    const { publicKey } = await call<{ publicKey: string }>(core, 'push.key', {});
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    // Kept with the secrets (the 0600 file headless), not in SQLite.
    const secrets = JSON.parse(fs.readFileSync(path.join(dir!, 'data', 'secrets.json'), 'utf8')) as Record<string, string>;
    expect(secrets['push.vapid.public']).toBe(publicKey);
    expect(secrets['push.vapid.private']).toMatch(/^[\w-]{43}$/);
    const phone = push.subscribe();
    const laptop = push.subscribe();
    await call(core, 'push.subscribe', { subscription: phone, name: 'Phone' });
    await call(core, 'push.subscribe', { subscription: laptop, name: 'Laptop' });
    // Only the owner chooses where pushes go: an MCP client may not add its own endpoint.
    const mcp: CallContext = { surface: 'mcp', actor: 'mcp:other' };
    const refused = await core.router.call('push.subscribe', { subscription: push.subscribe(), name: 'Mine' }, mcp);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    // A stopped terminal session needs you: it reaches both browsers, readable only with their keys.
    core.inbox.record({ key: 'stop:t1', kind: 'stop', source: 'hooks', title: 'Claude Code stopped · webapp', text: 'Shall I deploy?', link: '#/inbox', until: Date.now() + 60_000 });
    await push.until(() => push.received.length === 2, 10_000, 'two pushes');
    for (const got of push.received) {
      expect(JSON.parse(got.payload)).toMatchObject({ title: 'Claude Code stopped · webapp', body: 'Shall I deploy?', link: '#/inbox' });
      expect(got.vapidKey).toBe(publicKey);
      expect(got.claims.aud).toBe(push.url);
      expect(got.urgency).toBe('high');
    }
    expect(new Set(push.received.map((r) => r.subscriptionId)).size).toBe(2);
    const devices = () => call<{ name: string; lastUsedAt: number | null; service: string }[]>(core, 'push.list', {}).then((all) => all.map((d) => [d.name, d.lastUsedAt !== null, d.service]));
    await expect.poll(devices).toEqual([
      ['Phone', true, new URL(push.url).host],
      ['Laptop', true, new URL(push.url).host],
    ]);

    // A note informs only: no push. Someone at a window: no push either.
    core.inbox.record({ key: 'note:n1', kind: 'note', source: 'user', title: 'FYI', text: 'green build' });
    await call(core, 'push.presence', { visible: true }, { surface: 'browser', actor: 'browser:127.0.0.1' });
    core.inbox.record({ key: 'approval:a1', kind: 'question', source: 'approvals', title: 'Claude asks to use Bash', text: 'rm -rf build' });
    await call(core, 'push.presence', { visible: false }, { surface: 'browser', actor: 'browser:127.0.0.1' });
    const failed = core.inbox.record({ key: 'run:r1', kind: 'job_failed', source: 'scheduler', title: 'Backup: failed', text: 'disk full' });
    await push.until(() => push.received.length === 4, 10_000, 'the failure');
    expect(push.received.slice(2).map((r) => JSON.parse(r.payload).title)).toEqual(['Backup: failed', 'Backup: failed']);
    expect(JSON.parse(push.received[2]!.payload)).toMatchObject({ tag: `inbox-${failed.id}`, itemId: failed.id });

    // A browser that unsubscribed answers 410: it is removed, and the test push says so.
    push.expire(phone.endpoint);
    const test = await call<{ sent: number; failed: { name: string; error: string }[] }>(core, 'push.test', {});
    expect(test.sent).toBe(1);
    expect(test.failed).toEqual([{ name: 'Phone', error: expect.stringContaining('subscription has ended') }]);
    expect((await call<{ name: string }[]>(core, 'push.list', {})).map((d) => d.name)).toEqual(['Laptop']);
    expect(push.refused.filter((r) => r.reason.startsWith('push subscription'))).toHaveLength(1);
    // Nothing the stand-in could not decrypt or verify.
    expect(push.refused.filter((r) => !r.reason.startsWith('push subscription'))).toEqual([]);
  });

  it('never buzzes a phone for every item of a burst: what arrives within half a second goes together', async () => {
    const { core, push } = await start();
    await call(core, 'push.subscribe', { subscription: push.subscribe(), name: 'Phone' });
    const ask = (i: number) => core.inbox.record({ key: `approval:b${i}`, kind: 'question', source: 'approvals', title: `Question ${i}`, text: 'allow?' });
    ask(1);
    await push.until(() => push.received.length === 1, 10_000, 'the first push');
    for (let i = 2; i <= 6; i++) ask(i);
    await push.until(() => push.received.length === 2, 10_000, 'two pushes');
    const [first, rest] = push.received.map((r) => JSON.parse(r.payload) as { title: string; body: string; link: string });
    expect(first!.title).toBe('Question 1');
    expect(rest).toEqual({ title: '5 things need you', body: 'Question 2\nQuestion 3\nQuestion 4\n…and 2 more', link: '#/inbox', tag: 'inbox-many', itemId: null });
    expect(push.received[1]!.at - push.received[0]!.at).toBeGreaterThanOrEqual(400);
  });

  it('keeps the keys and the subscriptions across a restart', async () => {
    const first = await start();
    const { publicKey } = await call<{ publicKey: string }>(first.core, 'push.key', {});
    await call(first.core, 'push.subscribe', { subscription: first.push.subscribe(), name: 'Phone' });
    const kept = dir!;
    await first.core.stop();
    core = null;
    dir = null;
    const again = await start(kept);
    expect((await call<{ publicKey: string }>(again.core, 'push.key', {})).publicKey).toBe(publicKey);
    const changed = nextEvent(again.core.events, 'inbox.changed');
    again.core.inbox.record({ key: 'approval:x', kind: 'question', source: 'approvals', title: 'A question', text: 'yes?' });
    await changed;
    await again.push.until(() => again.push.received.length === 1);
    expect(again.push.received[0]!.vapidKey).toBe(publicKey);
  });
});
