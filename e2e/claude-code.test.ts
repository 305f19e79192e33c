import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useChromium } from './support/browser';
import { ROOT, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const chromium = useChromium();
afterEach(() => temp.cleanup());

describe('Settings → Claude Code in Chromium', () => {
  it('connects Claude Code (the real CLI, a temporary HOME) and shows what the CLI reports', async () => {
    const home = temp.home();
    const userHome = path.join(home, 'user');
    fs.mkdirSync(userHome);
    const served = temp.track(await startServe(path.join(home, 'data'), { env: { HOME: userHome, CLAUDE_CONFIG_DIR: path.join(userHome, '.claude') } }));
    const page = await (await chromium().newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' })).newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    const card = page.getByRole('region', { name: 'Claude Code' });
    await expect.poll(() => card.getByTestId('claude-code-state').textContent(), { timeout: 15_000 }).toMatch(/^Not connected/);
    await card.getByRole('button', { name: 'Connect Claude Code' }).click();
    await expect.poll(() => card.getByTestId('claude-code-state').textContent(), { timeout: 60_000 }).toMatch(/^Connected/);
    await card.getByText('What Claude Code reports').click();
    expect(await card.locator('pre').textContent()).toMatch(/switchboard@switchboard[\s\S]*plugin:switchboard:switchboard: http:\/\/127\.0\.0\.1:\d+\/mcp \(HTTP\) - ✔ Connected/);
    await card.screenshot({ path: path.join(ROOT, 'docs/claude-code.png') });
    await page.context().close();
  });
});
