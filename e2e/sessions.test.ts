import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../contract';
import { openPage, useChromium } from './support/browser';
import { ROOT, startServe, useFakeAnthropic, useTempHomes, type ClaudeHome, type Served } from './support/serve';

const api = useFakeAnthropic();
const temp = useTempHomes();
const chromium = useChromium();

/**
 * Serve with the real CLI, a new session in the window, a long reply streaming in it and a second
 * message sent behind it: where a restart in the middle of a turn begins.
 */
async function slowTurnAndOneBehind(reply: { text: string; chunkDelayMs: number }, first: string, second: string): Promise<ClaudeHome & { served: Served; page: Page }> {
  const claude = temp.claudeHome(api.url);
  const served = temp.track(await startServe(claude.data, { env: claude.env }));
  const page = await openPage(chromium(), served.url, { width: 1200, height: 800 });
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  api.reply({ kind: 'text', text: reply.text, chunks: 40, chunkDelayMs: reply.chunkDelayMs });
  await page.getByLabel('Message').fill(first);
  await page.getByLabel('Message').press('Enter');
  await expect.poll(() => page.getByTestId('streaming').count(), { timeout: 20_000 }).toBe(1);
  await page.getByLabel('Message').fill(second);
  await page.getByLabel('Message').press('Enter');
  return { ...claude, served, page };
}

describe('a session in Chromium, through serve, with the real claude CLI', () => {
  it('starts a session, streams the reply, and approves a tool call', async (ctx) => {
    const { data, env } = temp.claudeHome(api.url);
    const served = temp.track(await startServe(data, { env }));
    const page = await (await chromium().newContext({ viewport: { width: 1200, height: 760 }, colorScheme: 'dark' })).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    ctx.onTestFailed(async () => {
      console.error(`page errors:\n${pageErrors.join('\n')}`);
      await page.screenshot({ path: path.join(import.meta.dirname, 'artifacts', 'sessions-failure.png') });
      console.error(served.output());
    });
    await page.goto(served.url);

    await page.getByRole('button', { name: 'New session' }).click();
    // Bypass is offered only where the CLI would take it: not while Switchboard runs as root.
    const asRoot = process.getuid?.() === 0;
    const bypass = page.getByRole('dialog').getByLabel('Permissions').locator('option[value="bypass"]');
    await expect.poll(() => bypass.isDisabled()).toBe(asRoot);
    expect(await bypass.textContent()).toBe(asRoot ? 'Bypass (not as root)' : 'Bypass: run every tool without asking');
    await page.getByLabel('Title').fill('e2e session');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'e2e session' }).count()).toBe(1);

    api.reply({ kind: 'text', text: 'Streaming a **bold** reply to you, with a list:\n\n- one\n- two', chunks: 6, chunkDelayMs: 250 });
    await page.getByLabel('Message').fill('hello there');
    await page.getByLabel('Message').press('Enter');
    // Mid-stream: partial text is on screen before the turn ends.
    await expect.poll(() => page.getByTestId('streaming').textContent(), { timeout: 20_000 }).toMatch(/^Streaming/);
    expect(await page.getByTestId('turn-footer').count()).toBe(0);
    await expect.poll(() => page.getByTestId('assistant-message').locator('strong').textContent(), { timeout: 20_000 }).toBe('bold');
    await expect.poll(() => page.getByTestId('turn-footer').first().textContent()).toContain('done');

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch from-browser.txt', description: 'create a file' } }, { kind: 'text', text: 'File made.' });
    await page.getByLabel('Message').fill('make a file');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const approval = page.getByTestId('approval');
    await expect.poll(() => approval.textContent(), { timeout: 20_000 }).toContain('touch from-browser.txt');
    await approval.getByRole('button', { name: 'Allow once' }).click();
    await expect.poll(() => page.getByTestId('tool-call').textContent(), { timeout: 20_000 }).toContain('done');
    await expect.poll(() => page.getByText('File made.').count(), { timeout: 20_000 }).toBe(1);
    expect(await approval.count()).toBe(0);

    const sessions = (await (
      await fetch(`${served.base}/api/sessions.list`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: '{}' })
    ).json()) as { value: SessionSummary[] };
    const [session] = sessions.value;
    expect(fs.existsSync(path.join(session!.cwd, 'from-browser.txt'))).toBe(true);
    expect(session!.costUsd).toBeGreaterThan(0);
    await page.getByTestId('tool-call').locator('summary').click();
    await page.screenshot({ path: path.join(ROOT, 'docs/screenshot.png') });
    await page.context().close();
  });

  it('opens a shell in the session folder in the terminal tab, and a second viewer sees the same output', async () => {
    const { data, env } = temp.claudeHome(api.url);
    const served = temp.track(await startServe(data, { env: { ...env, SHELL: '/bin/bash' } }));
    const context = await chromium().newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(served.url);
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByLabel('Title').fill('terminal session');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('button', { name: 'Open shell here' }).click();
    const terminal = page.getByTestId('terminal');
    await expect.poll(() => terminal.locator('.xterm-rows').count(), { timeout: 10_000 }).toBe(1);
    await terminal.click();
    await page.keyboard.type('echo from-xterm-$((6*7)) && pwd');
    await page.keyboard.press('Enter');
    await expect.poll(() => terminal.locator('.xterm-rows').textContent(), { timeout: 10_000 }).toContain('from-xterm-42');

    // A second window joins late and gets the scrollback.
    const second = await context.newPage();
    await second.goto(served.base);
    await second.getByRole('tab', { name: 'Terminal' }).click();
    await expect.poll(() => second.getByTestId('terminal').locator('.xterm-rows').textContent(), { timeout: 10_000 }).toContain('from-xterm-42');
    await context.close();
  });

  it('keeps the terminal in view across tabs, closes the one shown, and clears ended ones', async () => {
    const { data, env } = temp.claudeHome(api.url);
    const served = temp.track(await startServe(data, { env: { ...env, SHELL: '/bin/bash' } }));
    const page = await openPage(chromium(), served.url, { width: 1200, height: 800 });
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const terminal = page.getByTestId('terminal');
    const typeIn = async (text: string) => {
      await terminal.click();
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    };
    const shells = page.getByRole('tablist', { name: 'Terminals' }).getByRole('tab');
    await page.getByRole('button', { name: 'Open shell here' }).click();
    await expect.poll(() => shells.count()).toBe(1);
    await typeIn('echo first-$((1+1))');
    await expect.poll(() => terminal.locator('.xterm-rows').textContent(), { timeout: 10_000 }).toContain('first-2');
    await page.getByRole('button', { name: 'Open shell here' }).click();
    await expect.poll(() => shells.count()).toBe(2);
    await typeIn('echo second-$((1+2))');
    await expect.poll(() => terminal.locator('.xterm-rows').textContent(), { timeout: 10_000 }).toContain('second-3');

    // The second is in view; after a look at the conversation it still is, and Close ends that one.
    await page.getByRole('tab', { name: 'Conversation' }).click();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await expect.poll(() => terminal.locator('.xterm-rows').textContent(), { timeout: 10_000 }).toContain('second-3');
    await page.getByRole('button', { name: 'Close shell' }).click();
    await expect.poll(() => shells.count()).toBe(1);
    await expect.poll(() => terminal.locator('.xterm-rows').textContent(), { timeout: 10_000 }).toContain('first-2');

    // An ended shell stays with its output until cleared.
    await typeIn('exit 3');
    await expect.poll(() => shells.first().textContent(), { timeout: 10_000 }).toContain('exited 3');
    await page.getByRole('button', { name: 'Clear ended (1)' }).click();
    await expect.poll(() => shells.count()).toBe(0);
    await page.context().close();
  });

  it('reads again what it shows after the server restarts: no turn left running, nothing left waiting', async () => {
    // A long reply, and a message queued behind it.
    const { served: first, page, data, env } = await slowTurnAndOneBehind({ text: 'A slow answer that will not finish before the restart.', chunkDelayMs: 500 }, 'take your time', 'and then this');
    await expect.poll(() => page.getByText('and then this').count()).toBe(1);

    // The server dies mid-turn and comes back on the same port; the page reconnects by itself.
    first.process.kill('SIGKILL');
    await expect.poll(() => page.getByText('reconnecting').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    temp.track(await startServe(data, { env, port: first.port }));
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), { timeout: 20_000 }).toBe(1);
    // No reload: the turn shows how it ended, nothing streams, nothing says it waits its turn.
    await expect.poll(() => page.getByTestId('streaming').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('turn-footer').first().textContent(), { timeout: 10_000 }).toMatch(/failed/);
    expect(await page.getByLabel('Message').getAttribute('placeholder')).toBe('Message Claude');
    await page.context().close();
  });

  // Finding 6 of the new user's run: after a restart the unsent message sat before the partial reply, with no way to send it.
  it('after a stop, shows the message never sent after the partial reply it waited behind, and Send again queues it anew', async () => {
    const { served: first, page, data, env } = await slowTurnAndOneBehind({ text: `A slow answer cut short. ${'And more words. '.repeat(20)}`, chunkDelayMs: 300 }, 'Crash2 SLOW', 'queued before restart');
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
