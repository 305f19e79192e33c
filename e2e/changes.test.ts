import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../contract';
import { GIT_TEST_ENV, makeRepo } from '../main/testing/git-repo';
import { useChromium } from './support/browser';
import { callApi, startServe, useFakeAnthropic, useTempHomes, type Served } from './support/serve';

const api = useFakeAnthropic();
const temp = useTempHomes();
const chromium = useChromium();
const ARTIFACTS = path.join(import.meta.dirname, 'artifacts');

/** A served core with a repository and a worktree session in which the real CLI wrote a file and edited one. */
async function sessionWithEdits(): Promise<{ served: Served; session: SessionSummary; repo: string }> {
  const { home, data, env } = temp.claudeHome(api.url);
  const lines = Array.from({ length: 40 }, (_, i) => `export const value${i} = ${i};`).join('\n');
  const repo = makeRepo(path.join(home, 'repo'), { 'src/values.ts': `${lines}\n`, 'README.md': '# Demo\n\nA small project.\n' });
  const served = temp.track(await startServe(data, { env: { ...env, ...GIT_TEST_ENV } }));
  const session = await callApi(served, 'sessions.create', { title: 'Review me', cwd: repo, worktree: true, permissionPolicy: 'acceptEdits' });
  const values = path.join(session.cwd, 'src/values.ts');
  api.reply(
    { kind: 'tool', name: 'Write', input: { file_path: path.join(session.cwd, 'src/greet.ts'), content: 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n' } },
    { kind: 'tool', name: 'Read', input: { file_path: values } },
    { kind: 'tool', name: 'Edit', input: { file_path: values, old_string: 'export const value7 = 7;', new_string: 'export const value7 = 7_000; // bigger' } },
    { kind: 'text', text: 'Added greet and made value7 bigger.' },
  );
  await callApi(served, 'sessions.send', { id: session.id, text: 'add a greeter' });
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const changes = await callApi(served, 'sessions.changes', { id: session.id });
    if (changes.turns.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { served, session, repo };
}

async function openPage(served: Served, width: number, colorScheme: 'light' | 'dark'): Promise<{ page: Page; errors: string[] }> {
  const page = await (await chromium().newContext({ viewport: { width, height: width < 500 ? 844 : 800 }, colorScheme })).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(served.url);
  return { page, errors };
}

describe('the Changes tab, in Chromium through serve, with the real CLI', () => {
  it('lists the files with +/−, shows the diff split at a desk and unified on a phone, in both themes, and the edits in the transcript as diffs', async (ctx) => {
    const { served, session } = await sessionWithEdits();
    ctx.onTestFailed(() => console.error(served.output()));
    for (const [width, scheme] of [
      [1200, 'light'],
      [1200, 'dark'],
      [390, 'light'],
      [390, 'dark'],
    ] as const) {
      const { page, errors } = await openPage(served, width, scheme);
      await page.goto(`${served.url.split('#')[0]}#/sessions/${session.id}`);
      // The transcript shows Claude's Edit as a diff, not JSON.
      const edit = page.getByTestId('tool-call').filter({ hasText: 'Edit' });
      await expect.poll(() => edit.getByTestId('tool-diff').count(), { timeout: 20_000 }).toBe(1);
      expect(await edit.getByTestId('tool-diff').textContent()).toContain('7_000');
      expect(await edit.locator('pre.tool-input').count()).toBe(0);
      if (width > 500) await page.screenshot({ path: path.join(ARTIFACTS, `changes-transcript-${width}-${scheme}.png`) });

      await page.getByRole('tab', { name: 'Changes' }).click();
      const files = page.getByRole('list', { name: 'Changed files' });
      ctx.onTestFailed(async () => {
        console.error(errors.join('\n'));
        await page.screenshot({ path: path.join(ARTIFACTS, 'changes-failure.png') }).catch(() => {});
      });
      await expect.poll(() => files.getByRole('button').count(), { timeout: 10_000 }).toBe(2);
      expect(await files.textContent()).toMatch(/src\/greet\.ts\+3 −0/);
      expect(await files.textContent()).toMatch(/src\/values\.ts\+1 −1/);
      await files.getByRole('button', { name: /src\/values\.ts/ }).click();
      const view = page.getByTestId('diff-view');
      await expect.poll(() => view.getAttribute('data-mode')).toBe(width > 500 ? 'split' : 'unified');
      await expect.poll(() => view.textContent()).toContain('7_000');
      // Highlighted: the library's syntax spans are there.
      expect(await view.locator('.hljs-keyword, [class*="hljs"]').count()).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(ARTIFACTS, `changes-${width}-${scheme}.png`) });
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 180_000);

  it('sends review comments on lines as the next message, with file and line', async (ctx) => {
    const { served, session } = await sessionWithEdits();
    ctx.onTestFailed(() => console.error(served.output()));
    for (const width of [1200, 390]) {
      const { page } = await openPage(served, width, width > 500 ? 'dark' : 'light');
      await page.goto(`${served.url.split('#')[0]}#/sessions/${session.id}`);
      await page.getByRole('tab', { name: 'Changes' }).click();
      await page.getByRole('list', { name: 'Changed files' }).getByRole('button', { name: /src\/greet\.ts/ }).click();
      const view = page.getByTestId('diff-view');
      await expect.poll(() => view.textContent(), { timeout: 10_000 }).toContain('Hello');
      // The line's add-comment button (the library's widget), on new line 2.
      const line = view.locator('tr').filter({ hasText: 'Hello' }).first();
      await line.hover();
      await line.locator('td[data-side="new"] .diff-add-widget, .diff-add-widget').first().click({ force: true });
      const box = page.getByLabel(/Comment on src\/greet\.ts, line 2/);
      await box.fill(width > 500 ? 'Use a template with a comma?' : 'And an exclamation mark from the phone');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await expect.poll(() => page.getByRole('region', { name: 'Review comments' }).textContent()).toContain('src/greet.ts:2');
      await page.screenshot({ path: path.join(ARTIFACTS, `changes-comment-${width}.png`) });
      api.reply({ kind: 'text', text: 'Will do.' });
      await page.getByRole('button', { name: 'Send to Claude' }).click();
      await expect.poll(() => page.getByRole('region', { name: 'Review comments' }).count()).toBe(0);
      const sent = await expect
        .poll(async () => (await callApi(served, 'sessions.transcript', { id: session.id })).turns.map((t) => t.prompt).find((p) => p.startsWith('Review comments')) ?? '', { timeout: 20_000 })
        .toMatch(/src\/greet\.ts, line 2: /);
      void sent;
      await page.context().close();
    }
  }, 180_000);

  it('merges from the tab: the base moves and the tab shows no changes left', async () => {
    const { served, session, repo } = await sessionWithEdits();
    const { page } = await openPage(served, 1200, 'light');
    await page.goto(`${served.url.split('#')[0]}#/sessions/${session.id}`);
    await page.getByRole('tab', { name: 'Changes' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Changed files' }).getByRole('button').count(), { timeout: 10_000 }).toBe(2);
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Merged' }).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByRole('list', { name: 'Changed files' }).textContent()).toContain('No changes');
    expect(fs.readFileSync(path.join(repo, 'src/greet.ts'), 'utf8')).toContain('Hello');
    // Nothing left to commit, merge or discard: the buttons say so instead of offering it again.
    for (const name of ['Commit', 'Merge', 'Discard']) expect(await page.getByRole('button', { name, exact: true }).isDisabled(), name).toBe(true);
    await page.context().close();
  }, 120_000);
});
