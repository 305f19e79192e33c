import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { goToScreen, openPage, useChromium } from './support/browser';
import { ROOT, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const chromium = useChromium();
afterEach(() => temp.cleanup());

/** Claude Code transcripts of the last ten days, two projects and two models: what the screen counts. */
function writeTranscripts(home: string): void {
  const now = Date.now();
  const line = (o: Record<string, unknown>) => JSON.stringify(o);
  for (const [project, session, model] of [
    ['/work/alpha', 'aaaaaaaa-1111-4111-8111-000000000001', 'claude-sonnet-4-5'],
    ['/work/beta', 'bbbbbbbb-2222-4222-8222-000000000002', 'claude-opus-4-5'],
  ] as const) {
    const lines: string[] = [line({ type: 'user', uuid: `${session}-u`, sessionId: session, cwd: project, timestamp: new Date(now - 10 * 86_400_000).toISOString(), message: { role: 'user', content: `hello ${path.basename(project)}` } })];
    for (let i = 0; i < 40; i++) {
      const at = new Date(now - (i * 6 + (project.endsWith('beta') ? 1 : 0)) * 3_600_000 - 60_000).toISOString();
      lines.push(
        line({
          type: 'assistant',
          uuid: `${session}-${i}`,
          sessionId: session,
          cwd: project,
          timestamp: at,
          requestId: `req_${session}_${i}`,
          message: { id: `msg_${session}_${i}`, model, role: 'assistant', content: [{ type: 'text', text: `answer ${i} in ${path.basename(project)}` }], usage: { input_tokens: 2000 + i * 50, output_tokens: 800 + i * 20, cache_creation_input_tokens: 5000, cache_read_input_tokens: 20_000 } },
        }),
      );
    }
    const dir = path.join(home, '.claude', 'projects', project.replaceAll('/', '-'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${session}.jsonl`), lines.join('\n') + '\n');
  }
}

describe('Usage in Chromium', () => {
  it('shows an imported session at the cost Usage counts for it: one figure on both screens', async () => {
    const home = temp.home();
    writeTranscripts(home);
    const served = temp.track(await startServe(path.join(home, 'data'), { env: { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude') } }));
    const page = await (await chromium().newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' })).newPage();
    await page.goto(served.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Usage' }).click();
    await page.getByLabel('Range').selectOption('30');
    // The project has this one session: its line in Usage is the session's cost.
    const line = page.getByRole('region', { name: 'By project' }).locator('li', { hasText: 'work/alpha' }).locator('.usage-bar-value');
    await expect.poll(() => line.textContent(), { timeout: 15_000 }).toMatch(/^\$\d/);
    const counted = (await line.textContent())!;
    expect(counted).not.toMatch(/^\$0\.0+$/);
    await page.getByRole('navigation').getByRole('button', { name: 'Sessions' }).click();
    const session = page.getByRole('button', { name: /hello alpha/ }).first();
    await expect.poll(() => session.textContent(), { timeout: 15_000 }).toContain(counted);
    await page.context().close();
  });

  it('draws the charts and the window meter in both themes, and drills from a day to a session to its conversation', async () => {
    const home = temp.home();
    writeTranscripts(home);
    const served = temp.track(await startServe(path.join(home, 'data'), { env: { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude') } }));
    for (const [width, height, scheme] of [
      [1280, 1100, 'light'],
      [1280, 1100, 'dark'],
      [390, 844, 'dark'],
      [390, 844, 'light'],
    ] as const) {
      const page = await openPage(chromium(), served.url, { width, height, scheme });
      await goToScreen(page, 'Usage');
      // Counted from the transcripts: the estimate of the 5-hour window, and money today.
      await expect.poll(() => page.getByTestId('five_hour-source').textContent(), { timeout: 15_000 }).toBe('Estimate');
      await expect.poll(() => page.getByTestId('today-cost').textContent(), { timeout: 15_000 }).toMatch(/^\$\d+\.\d+$/);
      expect(await page.getByTestId('five_hour-percent').textContent()).toMatch(/^\d+%$/);
      // The same meter in the sidebar, on every screen (folded away with the menu on a phone).
      if (width > 760) await expect.poll(() => page.getByTestId('window-mini').textContent(), { timeout: 5000 }).toMatch(/^5h window \d+% est\.$/);
      // Both charts drew on their canvas: pixels of more than one color, at the card's width.
      const drawn = (await page.evaluate(`[...document.querySelectorAll('[data-testid="chart"] canvas')].map((canvas) => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const colors = new Set();
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return { width: canvas.width, colors: colors.size };
      })`)) as { width: number; colors: number }[];
      expect(drawn).toHaveLength(2);
      for (const chart of drawn) {
        expect(chart.width).toBeGreaterThan(200);
        expect(chart.colors).toBeGreaterThan(2);
      }
      if (width > 760 && scheme === 'light') {
        await page.screenshot({ path: path.join(ROOT, 'docs/usage.png'), fullPage: false });
        // Day → session → turn → the conversation.
        const byDay = page.getByRole('region', { name: 'By day' });
        await byDay.getByRole('button', { name: /▸ \d{4}-\d{2}-\d{2}/ }).first().click();
        await byDay.getByRole('button', { name: '▸ hello alpha' }).click();
        await expect.poll(() => byDay.locator('.usage-turn').count(), { timeout: 5000 }).toBeGreaterThan(1);
        expect(await byDay.locator('.usage-turn').first().textContent()).toContain('claude-sonnet-4-5');
        expect(page.url()).toMatch(/#\/usage\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}$/);
        await byDay.getByRole('button', { name: 'Open the conversation' }).click();
        await expect.poll(() => page.url()).toMatch(/#\/chats\/[0-9a-f-]{36}$/);
        await expect.poll(() => page.getByText('answer 0 in alpha').count(), { timeout: 10_000 }).toBeGreaterThan(0);
        await page.goBack();
        await expect.poll(() => page.locator('.usage-turn').count(), { timeout: 5000 }).toBeGreaterThan(1);
      }
      await page.screenshot({ path: path.join(ROOT, `e2e/artifacts/usage-${scheme}-${width}.png`), fullPage: true });
      await page.context().close();
    }
  });
});
