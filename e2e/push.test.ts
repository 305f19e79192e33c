import fs from 'node:fs';
import path from 'node:path';
import { chromium as playwright, type Browser, type CDPSession, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM, useChromium } from './support/browser';
import { startServe, tempHomes } from './support/serve';

// The installable web app and its service worker in Debian's Chromium: the manifest as Chromium reads it,
// a push delivered through the DevTools protocol (ServiceWorker.deliverPushMessage) shown as a notification,
// and its click opening the item. No push service is reachable here: the server side is tested against the
// loopback stand-in (main/push/push.test.ts).
const ARTIFACTS_DIR = path.join(import.meta.dirname, 'artifacts');
const temp = tempHomes();
const chromium = useChromium();
const extra: Browser[] = [];
afterEach(async () => {
  for (const b of extra.splice(0)) await b.close();
  await temp.cleanup();
});

/** The service worker's registration id, as the DevTools protocol knows it. */
async function registrationId(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  const found = new Promise<string>((resolve) =>
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
      const live = registrations.find((r) => !r.isDeleted);
      if (live) resolve(live.registrationId);
    }),
  );
  await cdp.send('ServiceWorker.enable');
  return { cdp, id: await found };
}

describe('the installable web app', () => {
  it('is installable from the server’s address, and a push becomes a notification whose tap opens the item', { timeout: 60_000 }, async () => {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const served = temp.track(await startServe(path.join(temp.home(), 'data')));
    const context = await chromium().newContext({ viewport: { width: 390, height: 844 } });
    await context.grantPermissions(['notifications'], { origin: served.base });
    const page = await context.newPage();
    await page.goto(served.url);
    // The page's own globals, as the browser has them (this program is typed for Node).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await page.evaluate(() => (globalThis as any).navigator.serviceWorker.ready.then(() => true));

    // Chromium reads the manifest without errors and finds nothing that stops an install.
    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data?: string };
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data!)).toMatchObject({ name: 'Switchboard', display: 'standalone' });
    const installability = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    // Playwright's contexts are incognito, where Chromium installs nothing: the one error that is the browser's, not the app's.
    expect(installability.installabilityErrors.map((e) => e.errorId).filter((e) => e !== 'in-incognito')).toEqual([]);
    for (const icon of ['icon-192.png', 'icon-512.png', 'sw.js']) expect((await fetch(`${served.base}/${icon}`)).status).toBe(200);

    // A push, as the push service would deliver it: a notification with the item's words.
    const { cdp: sw, id } = await registrationId(page);
    const payload = { title: 'Claude asks to use Bash', body: 'npm publish', link: '#/sessions/abc', tag: 'inbox-7', itemId: 7 };
    await sw.send('ServiceWorker.deliverPushMessage', { origin: served.base, registrationId: id, data: JSON.stringify(payload) });
    const shown = () =>
      page.evaluate(async () => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const registration = await (globalThis as any).navigator.serviceWorker.ready;
        return ((await registration.getNotifications()) as { title: string; body: string; tag: string; data: unknown }[]).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
      });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([{ title: 'Claude asks to use Bash', body: 'npm publish', tag: 'inbox-7', data: { link: '#/sessions/abc' } }]);

    // The tap: the open window comes forward and goes to the item.
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const click = () =>
      worker.evaluate(async () => {
        // The worker's own scope: a notificationclick as the browser fires it on a tap.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const scope = globalThis as any;
        const [notification] = await scope.registration.getNotifications();
        scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
      });
    await click();
    await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe('#/sessions/abc');
    await expect.poll(shown, { timeout: 10_000 }).toEqual([]);

    // With no window open, the tap opens one at the item. Chromium lets a worker open a window only on a real
    // tap, which headless Chromium cannot give: the worker's call is recorded instead of refused.
    await sw.send('ServiceWorker.deliverPushMessage', { origin: served.base, registrationId: id, data: JSON.stringify({ ...payload, link: '#/inbox', tag: 'inbox-8' }) });
    await expect.poll(shown, { timeout: 10_000 }).toHaveLength(1);
    await page.close();
    await worker.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const scope = globalThis as any;
      scope.opened = [];
      scope.clients.openWindow = async (url: string) => scope.opened.push(url);
    });
    await click();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await expect.poll(() => worker.evaluate(() => (globalThis as any).opened as string[]), { timeout: 10_000 }).toEqual([`${served.base}/#/inbox`]);
    await context.close();
  });

  it('Settings says when the page is not on a secure address, and lists the subscribed browsers', { timeout: 60_000 }, async () => {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const served = temp.track(await startServe(path.join(temp.home(), 'data'), { args: ['--allow-host', 'switchboard.test'] }));
    // A browser that reaches the server by a name over plain http: not a secure origin.
    const named = await playwright.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP switchboard.test 127.0.0.1`] });
    extra.push(named);
    for (const scheme of ['light', 'dark'] as const) {
      const page = await (await named.newContext({ viewport: { width: 390, height: 844 }, colorScheme: scheme })).newPage();
      await page.goto(`http://switchboard.test:${served.port}/#token=${served.token}`);
      await page.goto(`http://switchboard.test:${served.port}/#/settings`);
      const insecure = page.getByTestId('push-insecure');
      await insecure.waitFor({ timeout: 10_000 });
      expect(await insecure.textContent()).toContain('not on a secure address');
      await insecure.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `push-insecure-${scheme}-390.png`) });
      await page.context().close();
    }
    // On the loopback address the card offers push, and lists a browser subscribed before.
    const subscription = { endpoint: 'https://push.example.test/send/abc', keys: { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'), auth: Buffer.alloc(16, 1).toString('base64url') } };
    const res = await fetch(`${served.base}/api/push.subscribe`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify({ subscription, name: 'Olivia’s phone' }) });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    for (const [width, scheme] of [
      [1200, 'light'],
      [1200, 'dark'],
      [390, 'dark'],
    ] as const) {
      const page = await (await chromium().newContext({ viewport: { width, height: 900 }, colorScheme: scheme })).newPage();
      await page.goto(served.url);
      await page.goto(`${served.base}/#/settings`);
      const card = page.getByRole('region', { name: 'Push to this phone or browser' }).or(page.locator('section[aria-labelledby="settings-push"]'));
      await card.getByRole('button', { name: 'Turn on for this browser' }).waitFor({ timeout: 10_000 });
      // The list of browsers comes in its own answer, after the card.
      await card.getByText('Olivia’s phone').first().waitFor({ timeout: 10_000 });
      expect(await card.textContent()).toContain('Olivia’s phone');
      expect(await card.textContent()).toContain('push.example.test');
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `push-card-${scheme}-${width}.png`) });
      await page.context().close();
    }
  });
});
