import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPage, useChromium } from './support/browser';
import { callApi, startServe, useTempHomes, type Served } from './support/serve';

const ARTIFACTS_DIR = path.join(import.meta.dirname, 'artifacts');
const temp = useTempHomes();
const chromium = useChromium();

/** What the plugin's hooks send: the hooks token, kept 0600 in the headless data folder. */
function hook(served: Served, data: string, route: string, body: object): Promise<Record<string, unknown>> {
  const token = (JSON.parse(fs.readFileSync(path.join(data, 'secrets.json'), 'utf8')) as Record<string, string>)['server.token.hooks']!;
  return fetch(`${served.base}/hooks/${route}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ session_id: 'terminal-7', cwd: '/home/me/webapp', ...body }),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);
}

describe('the inbox in the window', () => {
  it('counts on every screen, answers a terminal’s question inline, and continues a stopped terminal session with a reply; at phone and desk width, light and dark', { timeout: 90_000 }, async () => {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const data = path.join(temp.home(), 'data');
    const served = temp.track(await startServe(data));
    await callApi(served, 'settings.set', { key: 'hooks.replyWindowSeconds', value: 600 });
    await callApi(served, 'user.notify', { title: 'Nightly build', text: 'The nightly build is green: 412 tests passed.' });
    const question = hook(served, data, 'permission', { hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'npm publish' } });
    const stop = hook(served, data, 'stop', { hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'The migration is written. Shall I run it on staging?' });
    const shots: [number, number, 'light' | 'dark'][] = [
      [390, 844, 'light'],
      [390, 844, 'dark'],
      [1200, 800, 'light'],
      [1200, 800, 'dark'],
    ];
    for (const [width, height, scheme] of shots) {
      const page = await openPage(chromium(), served.url, { width, height, scheme });
      // The count, on the Sessions screen already: two things need you (the question, the stop), one note unread.
      if (width > 760) await expect.poll(() => page.getByTestId('inbox-count').textContent(), { timeout: 10_000 }).toBe('3');
      else await expect.poll(() => page.locator('.brand-waiting').textContent(), { timeout: 10_000 }).toBe('3');
      await page.goto(`${served.base}/#/inbox`);
      await expect.poll(() => page.getByTestId('inbox-item').count(), { timeout: 10_000 }).toBe(2);
      const text = (await page.locator('.inbox-list').textContent()) ?? '';
      expect(text).toContain('Claude Code in a terminal asks to use Bash');
      expect(text).toContain('npm publish');
      expect(text).toContain('Shall I run it on staging?');
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `inbox-${scheme}-${width}.png`), fullPage: true });
      await page.getByRole('tab', { name: 'Open' }).click();
      await expect.poll(() => page.getByTestId('inbox-item').count(), { timeout: 10_000 }).toBe(3);
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `inbox-open-${scheme}-${width}.png`), fullPage: true });
      await page.context().close();
    }

    const page = await (await chromium().newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await page.goto(`${served.url}`);
    await page.goto(`${served.base}/#/inbox`);
    const asked = page.getByTestId('inbox-item').filter({ hasText: 'npm publish' });
    await asked.getByRole('button', { name: 'Allow once' }).click();
    expect(await question).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
    // Settled: it leaves Needs you, and All says how it ended.
    await expect.poll(() => page.getByTestId('inbox-item').count(), { timeout: 10_000 }).toBe(1);
    const stopped = page.getByTestId('inbox-item').filter({ hasText: 'staging' });
    await stopped.getByRole('textbox', { name: 'Reply to continue' }).fill('Yes, run it on staging.');
    await stopped.getByRole('button', { name: 'Continue' }).click();
    expect(await stop).toEqual({ decision: 'block', reason: 'Yes, run it on staging.' });
    await expect.poll(() => page.getByTestId('inbox-item').count(), { timeout: 10_000 }).toBe(0);
    // Nothing needs you, and the note still unread is pointed at rather than an empty screen under the count.
    await expect.poll(() => page.locator('.empty').textContent()).toBe('Nothing needs you now; 1 unread note is under All.');
    await page.locator('.empty').getByRole('button', { name: 'All' }).click();
    expect(await page.getByRole('tab', { name: 'All' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('.inbox-list').textContent(), { timeout: 10_000 }).toContain('Allowed in a browser.');
    expect(await page.locator('.inbox-list').textContent()).toContain('Continued with your reply.');
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'inbox-all-settled-1200.png'), fullPage: true });
    await page.context().close();
  });
});
