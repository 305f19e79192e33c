import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium (never a downloaded browser); CHROMIUM_PATH points elsewhere if needed. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One Chromium for a test file: launched before its tests, closed after. Returns a getter. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/** How a test looks at the app: the window's size and the color scheme. */
export interface View {
  width: number;
  height: number;
  scheme?: 'light' | 'dark';
}

/** A page in a browser context of its own at `view` (with any other context options), showing `url`. */
export async function openPage(browser: Browser, url: string, view: View, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: view.width, height: view.height }, colorScheme: view.scheme, ...options });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** Opens one of the app's screens from the navigation, as a user does: through the Menu on a phone's width, where it is folded away. */
export async function goToScreen(page: Page, name: string): Promise<void> {
  if (page.viewportSize()!.width < 760) await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation').getByRole('button', { name }).click();
}

/** Headless Chromium shows no notification anyone could see: record what the page asks it to show, in `window.shownNotifications`. */
export async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(`
    window.shownNotifications = [];
    window.Notification = class extends window.Notification {
      constructor(title, options) {
        super(title, options);
        window.shownNotifications.push({ title, body: options?.body });
      }
    };
  `);
}
