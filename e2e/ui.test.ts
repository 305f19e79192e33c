import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../main/storage/migrations';
import { FakeTelegram } from '../main/testing/fake-telegram';
import { CLAUDE_BIN } from '../main/testing/temp-core';
import { useChromium } from './support/browser';
import { callApi, ROOT, startServe, tempHomes, type Served } from './support/serve';

const temp = tempHomes();
const tempHome = temp.home;
let served: Served;
const serve = async (home: string, options?: { port?: number; env?: NodeJS.ProcessEnv }) => (served = temp.track(await startServe(home, options)));

const chromium = useChromium();
afterEach(() => temp.cleanup());

async function openUi(url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await chromium().newContext({ colorScheme, viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

async function openSettings(url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await openUi(url, colorScheme);
  await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
  return page;
}

describe('the UI in Chromium against serve', () => {
  it('opens from the login URL, drops the token from the address bar, and shows the real Claude CLI version', async () => {
    await serve(tempHome());
    const page = await openSettings(served.url);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count()).toBe(1);
    expect(page.url()).not.toContain('token');
    const expected = /\d+\.\d+\.\d+/.exec(execFileSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8' }))![0];
    await expect.poll(() => page.getByTestId('claude-version').textContent()).toBe(expected);
    expect(await page.getByTestId('database').textContent()).toMatch(new RegExp(`schema version ${migrations.length}, SQLite 3\\.\\d+\\.\\d+, sqlite-vec v0\\.1`));
    await page.context().close();
  });

  it('keeps the health figures current while the panel is shown', async () => {
    await serve(tempHome());
    const page = await openSettings(served.url);
    const uptime = page.getByTestId('uptime');
    await expect.poll(() => uptime.textContent()).toMatch(/^\d+ s$/);
    const first = Number((await uptime.textContent())!.split(' ')[0]);
    // No click: the panel refreshes by itself.
    await expect.poll(async () => Number((await uptime.textContent())!.split(' ')[0]), { timeout: 15_000 }).toBeGreaterThanOrEqual(first + 4);
    await page.context().close();
  });

  it("shows each chat bot's real state in Health: off while off, then connected as the bot", async () => {
    const tg = await new FakeTelegram().start();
    try {
      await serve(tempHome(), { env: { SWITCHBOARD_TELEGRAM_API_ROOT: tg.url } });
      const page = await openSettings(served.url);
      // Both bots are running services while off: Health says off, not running.
      await expect.poll(() => page.getByTestId('service-telegram').textContent()).toBe('off telegram');
      expect(await page.getByTestId('service-discord').textContent()).toBe('off discord');
      const connected = await fetch(`${served.base}/api/chat.connect`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ surface: 'telegram', token: tg.token }),
      });
      expect(connected.ok).toBe(true);
      // The panel refreshes by itself.
      await expect.poll(() => page.getByTestId('service-telegram').textContent(), { timeout: 15_000 }).toBe('connected telegram — @switchboard_test_bot');
      expect(await page.getByTestId('service-discord').textContent()).toBe('off discord');
      await page.context().close();
    } finally {
      await tg.stop();
    }
  });

  it('keeps a setting changed in the UI across a server restart', async () => {
    const home = tempHome();
    await serve(home);
    const page = await openSettings(served.url);
    const theme = page.getByLabel('Theme');
    await expect.poll(() => theme.inputValue()).toBe('system');
    await theme.selectOption('dark');
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    // The two on/off settings of sessions the README names are here, on by default; one is turned off.
    const spare = page.getByLabel('Keep a warm Claude process for the next new session');
    expect(await spare.isChecked()).toBe(true);
    expect(await page.getByLabel('Carry on after the plan’s limit resets').isChecked()).toBe(true);
    await spare.uncheck();
    await expect.poll(async () => (await callApi(served, 'settings.list', {}))['sessions.warmSpare']).toBe(false);
    const port = served.port;
    await served.stop();
    await expect.poll(() => page.getByText('reconnecting').count()).toBeGreaterThan(0);
    await serve(home, { port });
    // The page reconnects by itself; a reload uses the token it kept.
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 15_000 }).toBe(1);
    await page.reload();
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => page.getByLabel('Theme').inputValue()).toBe('dark');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await page.getByLabel('Keep a warm Claude process for the next new session').isChecked()).toBe(false);
    await page.context().close();
  });

  it('checks Claude Code again when the CLI path is set in General, without a reload', async () => {
    await serve(tempHome(), { env: { SWITCHBOARD_CLAUDE: '', PATH: '/usr/bin:/bin' } });
    const page = await openSettings(served.url);
    const state = page.getByTestId('claude-code-state');
    await expect.poll(() => state.textContent(), { timeout: 15_000 }).toContain('Claude Code not found');
    await page.getByLabel('Claude CLI path').fill(CLAUDE_BIN);
    await page.getByLabel('Claude CLI path').press('Enter');
    await expect.poll(() => state.textContent(), { timeout: 15_000 }).not.toContain('not found');
    await page.context().close();
  });

  it('shows a setting changed in another window, but never over text being typed', async () => {
    await serve(tempHome());
    const [here, there] = [await openSettings(served.url), await openSettings(served.url)];
    const field = (page: Page) => page.getByLabel('Max Claude processes');
    const saveIn = (page: Page) => page.locator('form').filter({ has: field(page) }).getByRole('button', { name: 'Save' });
    await expect.poll(() => field(here).inputValue()).toBe('4');
    await field(there).fill('6');
    await saveIn(there).click();
    await expect.poll(() => field(here).inputValue()).toBe('6');
    // Typing here, then a change from there: the typed text stays, still unsaved.
    await field(here).fill('3');
    await field(there).fill('7');
    await saveIn(there).click();
    await expect.poll(() => field(there).inputValue()).toBe('7');
    await expect.poll(() => saveIn(here).isEnabled()).toBe(true);
    expect(await field(here).inputValue()).toBe('3');
    await saveIn(here).click();
    await expect.poll(() => field(there).inputValue()).toBe('3');
    await here.context().close();
    await there.context().close();
  });

  it('shows a rejected value next to its field and keeps the stored one', async () => {
    await serve(tempHome());
    const page = await openSettings(served.url);
    const field = page.getByLabel('Claude CLI path');
    const save = page.locator('form').filter({ has: field }).getByRole('button', { name: 'Save' });
    await field.fill('/opt/claude/bin/claude');
    await save.click();
    await expect.poll(() => page.getByTestId('claude-cli').textContent()).toContain('SWITCHBOARD_CLAUDE');
    await field.fill(`/${'x'.repeat(5000)}`);
    await save.click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('must be at most 4096 characters');
    const stored = await page.evaluate(async ({ base, token }) => {
      const res = await fetch(`${base}/api/settings.get`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{"key":"claude.cliPath"}' });
      return res.json();
    }, { base: served.base, token: served.token });
    expect(stored).toEqual({ ok: true, value: '/opt/claude/bin/claude' });
    // The message described the refused text: once the field is edited it goes.
    await field.fill('/opt/claude/bin/claude-next');
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await page.context().close();
  });

  it('refuses a wrong token: the page says so and shows no data', async () => {
    await serve(tempHome());
    const page = await openUi(`${served.base}/#token=${'0'.repeat(64)}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain("This link's token was refused");
    expect(await page.getByTestId('claude-version').count()).toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'Not connected' }).count()).toBe(1);
    await page.context().close();
  });

  it('takes the README screenshot of Settings', async () => {
    await serve(tempHome());
    const page = await openSettings(served.url, 'dark');
    await expect.poll(() => page.getByTestId('claude-version').count()).toBe(1);
    await page.screenshot({ path: path.join(ROOT, 'docs/settings.png') });
    await page.context().close();
  });
});
