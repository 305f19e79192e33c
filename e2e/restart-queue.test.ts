import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claudeEnv } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { useChromium } from './support/browser';
import { startServe, tempHomes } from './support/serve';

const api = new FakeAnthropic();
const temp = tempHomes();

const chromium = useChromium();
beforeAll(() => api.start());
afterAll(() => api.stop());
afterEach(() => temp.cleanup());

// Finding 6 of the new user's run: after a restart the unsent message sat before the partial reply, with no way to send it.
describe('a message never sent because the server stopped, in Chromium through serve', () => {
  it('reads after the partial reply it waited behind, and Send again queues it anew', async () => {
    const home = temp.home();
    const claudeHome = path.join(home, 'claude-home');
    fs.mkdirSync(claudeHome);
    const env = claudeEnv(api.url, claudeHome);
    const data = path.join(home, 'data');
    const first = temp.track(await startServe(data, { env }));
    const page = await (await chromium().newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await page.goto(first.url);
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    api.reply({ kind: 'text', text: `A slow answer cut short. ${'And more words. '.repeat(20)}`, chunks: 40, chunkDelayMs: 300 });
    await page.getByLabel('Message').fill('Crash2 SLOW');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => page.getByTestId('streaming').count(), { timeout: 20_000 }).toBe(1);
    await page.getByLabel('Message').fill('queued before restart');
    await page.getByLabel('Message').press('Enter');
    await expect.poll(() => page.getByTestId('queued-message').count()).toBe(1);
    await expect.poll(() => page.getByTestId('streaming').textContent(), { timeout: 20_000 }).toContain('A slow answer');

    // A stop (Ctrl-C), then serve again on the same data and port; the page reconnects by itself.
    await first.stop();
    await expect.poll(() => page.getByText('reconnecting').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    temp.track(await startServe(data, { env, port: first.port }));
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('turn-footer').count(), { timeout: 10_000 }).toBe(2);

    // In order: the message, its partial reply, its footer; then the one never sent, with its footer.
    const text = (await page.getByTestId('transcript').innerText()).replace(/\s+/g, ' ');
    const at = (s: string) => text.indexOf(s);
    expect(at('Crash2 SLOW')).toBeGreaterThanOrEqual(0);
    expect(at('A slow answer')).toBeGreaterThan(at('Crash2 SLOW'));
    expect(at('queued before restart')).toBeGreaterThan(at('A slow answer'));
    expect(at('not sent')).toBeGreaterThan(at('queued before restart'));

    api.reply({ kind: 'text', text: 'Answered at last.' });
    await page.getByRole('button', { name: 'Send again' }).click();
    await expect.poll(() => page.getByText('Answered at last.').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByText('sent again').count()).toBe(1);
    expect(api.requests.some((r) => JSON.stringify(r).includes('queued before restart'))).toBe(true);
    await page.context().close();
  });
});
