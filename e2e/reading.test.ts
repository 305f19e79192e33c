import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claudeEnv } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { useChromium } from './support/browser';
import { startServe, tempHomes } from './support/serve';

// Reading what Claude wrote: links open beside the app, line breaks stay, Copy never covers code.
const api = new FakeAnthropic();
const temp = tempHomes();
const chromium = useChromium();
// A page for the link to open: loopback, so the test needs no network.
const elsewhere = http.createServer((_req, res) => res.end('<title>elsewhere</title>elsewhere'));
beforeAll(async () => {
  await api.start();
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await api.stop();
  elsewhere.close();
});
afterEach(() => temp.cleanup());

describe("Claude's reply in the window", () => {
  for (const width of [1200, 390]) {
    it(`at ${width} px: a link opens in a new tab, a single line break stays, Copy sits above the code`, async () => {
      const home = temp.home();
      const claudeHome = path.join(home, 'claude-home');
      fs.mkdirSync(claudeHome);
      const served = temp.track(await startServe(path.join(home, 'data'), { env: claudeEnv(api.url, claudeHome) }));
      const context = await chromium().newContext({ viewport: { width, height: 800 }, colorScheme: width > 500 ? 'light' : 'dark' });
      const page = await context.newPage();
      await page.goto(served.url);
      const { port } = elsewhere.address() as AddressInfo;
      const link = `http://127.0.0.1:${port}/docs`;

      await page.getByRole('button', { name: 'New session' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
      api.reply({ kind: 'text', text: `First line\nsecond line\n\nSee [the docs](${link}).\n\n\`\`\`js\nconst answer = 42; // a line long enough to reach the right edge of the block\n\`\`\`` });
      await page.getByLabel('Message').fill('show me');
      await page.getByLabel('Message').press('Enter');
      const reply = page.getByTestId('assistant-message').last();
      await expect.poll(() => reply.locator('a').count(), { timeout: 30_000 }).toBe(1);

      // The line break Claude wrote is a break, not a space.
      expect(await reply.locator('p').first().evaluate((p) => p.innerHTML)).toMatch(/First line<br>\s*second line/);

      // The Copy button and the first line of code do not overlap.
      const button = (await reply.getByRole('button', { name: 'Copy code' }).boundingBox())!;
      const code = (await reply.locator('pre code').boundingBox())!;
      const firstLineTop = code.y;
      expect(button.y + button.height).toBeLessThanOrEqual(firstLineTop + 1);

      // A click opens the link in a new tab and leaves the app where it was.
      const appUrl = page.url();
      const [opened] = await Promise.all([context.waitForEvent('page'), reply.locator('a').click()]);
      await opened.waitForLoadState();
      expect(opened.url()).toBe(link);
      expect(page.url()).toBe(appUrl);
      await context.close();
    });
  }
});
