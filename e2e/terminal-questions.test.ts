import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPage, useChromium } from './support/browser';
import { startServe, tempHomes } from './support/serve';

const ARTIFACTS_DIR = path.join(import.meta.dirname, 'artifacts');
const temp = tempHomes();
const chromium = useChromium();
afterEach(() => temp.cleanup());

describe('a terminal session’s question in the window', () => {
  it('shows Claude Code’s permission question from a terminal, and the answer given here goes back to its hook', async () => {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const data = path.join(temp.home(), 'data');
    const served = temp.track(await startServe(data));
    // What the plugin's hook holds: the hooks token, kept 0600 in the headless data folder.
    const hooksToken = (JSON.parse(fs.readFileSync(path.join(data, 'secrets.json'), 'utf8')) as Record<string, string>)['server.token.hooks']!;
    const hook = fetch(`${served.base}/hooks/permission`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ session_id: 'a-terminal-session', cwd: '/home/me/webapp', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'npm publish' } }),
    }).then((r) => r.json());
    for (const [width, height, scheme] of [
      [390, 844, 'light'],
      [1280, 800, 'dark'],
    ] as const) {
      const page = await openPage(chromium(), served.url, { width, height, scheme });
      const region = page.getByRole('region', { name: 'Questions from outside the app' });
      await expect.poll(() => region.getByTestId('approval').count(), { timeout: 10_000 }).toBe(1);
      expect(await region.textContent()).toContain('Claude Code in a terminal wants to use Bash');
      expect(await region.textContent()).toContain('npm publish');
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `terminal-question-${scheme}-${width}.png`) });
      if (width > 760) await region.getByRole('button', { name: 'Allow once' }).click();
      await page.context().close();
    }
    expect(await hook).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
  });
});
