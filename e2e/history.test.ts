import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeEmbeddings } from '../main/testing/fake-embeddings';
import { useChromium } from './support/browser';
import { ROOT, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const chromium = useChromium();
afterEach(() => temp.cleanup());

/** A Claude Code transcript as a terminal session leaves it, with one needle deep inside. */
function writeTranscript(claudeHome: string, lines: number, needleAt: number): void {
  const dir = path.join(claudeHome, '.claude', 'projects', '-work-project');
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const user = i % 2 === 0;
    const text = i === needleAt ? 'The deploy key is stored under quetzalcoatl in the vault' : `${user ? 'Question' : 'Answer'} number ${i} about build caching and test runs`;
    out.push(
      JSON.stringify({
        type: user ? 'user' : 'assistant',
        uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        sessionId: '5f1e0c3a-aaaa-4bbb-8ccc-0123456789ab',
        cwd: '/work/project',
        timestamp: new Date(1_760_000_000_000 + i * 1000).toISOString(),
        message: user ? { role: 'user', content: text } : { role: 'assistant', content: [{ type: 'text', text }] },
      }),
    );
  }
  fs.writeFileSync(path.join(dir, '5f1e0c3a-aaaa-4bbb-8ccc-0123456789ab.jsonl'), `${out.join('\n')}\n`);
}

describe('history and memory in Chromium', () => {
  it('finds a message deep in an imported 3,000-message conversation and jumps to it', async () => {
    const home = temp.home();
    const claudeHome = path.join(home, 'claude-home');
    writeTranscript(claudeHome, 3000, 2501);
    const served = temp.track(await startServe(path.join(home, 'data'), { env: { HOME: claudeHome, CLAUDE_CONFIG_DIR: path.join(claudeHome, '.claude') } }));
    const page = await (await chromium().newContext({ viewport: { width: 1200, height: 760 }, colorScheme: 'dark' })).newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Chats' }).click();
    await expect.poll(() => page.getByText('Terminal & IDE').count(), { timeout: 15_000 }).toBeGreaterThan(0);

    await page.getByLabel('Search conversations').fill('quetzalcoatl vault');
    const hit = page.getByTestId('search-hit').first();
    await expect.poll(() => hit.textContent(), { timeout: 10_000 }).toContain('quetzalcoatl');
    expect(await hit.locator('mark').first().textContent()).toBe('quetzalcoatl');
    await hit.click();

    const target = page.getByTestId('target-message');
    await expect.poll(() => target.textContent(), { timeout: 10_000 }).toContain('The deploy key is stored under quetzalcoatl');
    expect(await target.isVisible()).toBe(true);
    // Virtualized: a handful of rows exist, not 3,000.
    expect(await page.getByTestId('chat-transcript').locator('.chat-row').count()).toBeLessThan(60);
    await page.screenshot({ path: path.join(ROOT, 'docs/chats.png') });
    await page.context().close();
  });

  it('remembers, updates the same fact showing what it replaced (with undo), forgets with undo', async () => {
    const home = temp.home();
    const served = temp.track(await startServe(path.join(home, 'data')));
    const page = await (await chromium().newContext()).newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Memory' }).click();
    await page.getByLabel('New memory').fill('Deploys go through the staging server first');
    await page.getByRole('button', { name: 'Remember' }).click();
    await expect.poll(() => page.getByTestId('memory').count()).toBe(1);
    await page.getByLabel('New memory').fill('Deploy goes through the staging servers first.');
    await page.getByRole('button', { name: 'Remember' }).click();
    const merged = page.getByRole('status').filter({ hasText: 'Already remembered, so it was updated' });
    await expect.poll(() => merged.count()).toBe(1);
    expect(await merged.textContent()).toContain('“Deploys go through the staging server first” is now “Deploy goes through the staging servers first.”');
    expect(await merged.textContent()).not.toMatch(/#\d/);
    expect(await page.getByTestId('memory').count()).toBe(1);
    await merged.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByTestId('memory').textContent()).toContain('Deploys go through the staging server first');
    await page.getByLabel('New memory').fill('Deploy goes through the staging servers first.');
    await page.getByRole('button', { name: 'Remember' }).click();
    await expect.poll(() => page.getByTestId('memory').textContent()).toContain('staging servers first.');

    await page.getByTestId('memory').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByTestId('memory').count()).toBe(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByTestId('memory').textContent()).toContain('staging servers first');
    await page.getByLabel('Search memories').fill('stagng');
    await expect.poll(() => page.getByTestId('memory').count()).toBe(1);
    await page.context().close();
  });

  it('clears the tags with the text after Remember, edits tags, and refuses an edit into another memory', async () => {
    const home = temp.home();
    const served = temp.track(await startServe(path.join(home, 'data')));
    const page = await (await chromium().newContext({ viewport: { width: 390, height: 800 } })).newPage();
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation').getByRole('button', { name: 'Memory' }).click();
    await page.getByLabel('New memory').fill('The staging host is called kite');
    await page.getByLabel('Tags').fill('hosts, staging');
    await page.getByRole('button', { name: 'Remember' }).click();
    await expect.poll(() => page.getByTestId('memory').count()).toBe(1);
    expect(await page.getByLabel('Tags').inputValue()).toBe('');
    await page.getByLabel('New memory').fill('Backups run at 03:00');
    await page.getByRole('button', { name: 'Remember' }).click();
    await expect.poll(() => page.getByTestId('memory').count()).toBe(2);
    const backups = page.getByTestId('memory').filter({ hasText: 'Backups run' });
    expect(await backups.locator('.tag').count()).toBe(0);

    await backups.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Memory tags').fill('ops, nightly');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('memory').filter({ hasText: 'Backups run' }).locator('.tag').allTextContents()).toEqual(['#ops', '#nightly']);

    await page.getByTestId('memory').filter({ hasText: 'Backups run' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Memory text').fill('The staging host is called kite.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/says the same as another memory .*kite/);
    await page.context().close();
  });

  it('switches the embeddings provider from Settings and shows the re-embedding finish', async () => {
    const fake = new FakeEmbeddings();
    await fake.start();
    try {
      const home = temp.home();
      const served = temp.track(await startServe(path.join(home, 'data')));
      const page = await (await chromium().newContext()).newPage();
      await page.goto(served.url);
      await page.getByRole('navigation').getByRole('button', { name: 'Memory' }).click();
      for (const text of ['Ports: the API listens on 8080', 'The nightly build runs at 02:00 UTC']) {
        await page.getByLabel('New memory').fill(text);
        await page.getByRole('button', { name: 'Remember' }).click();
      }
      await expect.poll(() => page.getByTestId('memory').count()).toBe(2);
      await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('combobox', { name: 'Embeddings' }).selectOption('openai');
      const endpoint = page.getByLabel('Embeddings endpoint');
      await endpoint.fill(`${fake.url}/v1`);
      await page.locator('form').filter({ has: endpoint }).getByRole('button', { name: 'Save' }).click();
      const status = page.getByTestId('embeddings-status');
      await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(new RegExp(`openai:${fake.url}/v1:text-embedding-3-small, 64 dimensions · up to date`));
      expect(fake.requests).toBeGreaterThan(0);
      await page.context().close();
    } finally {
      await fake.stop();
    }
  });
});
