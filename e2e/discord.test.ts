import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { member } from '../main/testing/discord-harness';
import { FakeDiscord } from '../main/testing/fake-discord';
import { goToScreen, openPage, useChromium } from './support/browser';
import { ROOT, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const chromium = useChromium();
let dc: FakeDiscord | null = null;
afterEach(async () => {
  await temp.cleanup();
  await dc?.stop();
  dc = null;
});

describe('Settings → Discord in Chromium', () => {
  it('connects the bot with a token, binds a channel to a project, and lets a person in by their code', async () => {
    dc = await new FakeDiscord().start();
    dc.addChannel({ name: 'deploys' });
    const served = temp.track(await startServe(path.join(temp.home(), 'data'), { env: { SWITCHBOARD_DISCORD_API_ROOT: dc.url } }));
    for (const [width, height, scheme] of [
      [1280, 1000, 'dark'],
      [390, 844, 'light'],
    ] as const) {
      const page = await openPage(chromium(), served.url, { width, height, scheme });
      await goToScreen(page, 'Settings');
      const card = page.getByRole('region', { name: 'Discord' });
      if (width > 760) {
        await expect.poll(() => card.getByTestId('discord-state').textContent(), { timeout: 5000 }).toBe('Off');
        await card.getByLabel('Bot token').fill(dc.token);
        await card.getByRole('button', { name: 'Connect' }).click();
        await expect.poll(() => card.getByTestId('discord-state').textContent(), { timeout: 15_000 }).toBe('Connected as Switchboard#4821 in 1 server');

        await card.getByRole('button', { name: 'Bind a channel…' }).click();
        const form = card.getByRole('form', { name: 'Bind a channel' });
        await form.getByLabel('Channel').selectOption({ label: '#deploys (Team Kite)' });
        await form.getByLabel('Project folder').fill('relative/path');
        await form.getByRole('button', { name: 'Save' }).click();
        // A folder that is not a full path is refused in words.
        await expect.poll(() => card.getByRole('alert').first().textContent(), { timeout: 5000 }).toContain('cwd: must be a full path');
        await form.getByLabel('Project folder').fill(temp.home());
        await form.getByLabel('Answers').selectOption('all');
        await form.getByLabel('Tools it may use without asking').fill('Bash(git status:*)\nRead');
        await form.getByRole('button', { name: 'Save' }).click();
        const bound = card.getByTestId('discord-channels');
        await expect.poll(() => bound.textContent(), { timeout: 5000 }).toContain('#deploys');
        expect(await bound.textContent()).toContain('every message · 2 tool rules');

        dc.send(member, dc.dm(member).id, 'hi, it is me');
        const pairings = card.getByTestId('discord-pairings');
        await expect.poll(() => pairings.locator('li').count(), { timeout: 10_000 }).toBe(1);
        await pairings.getByRole('button', { name: 'Accept' }).click();
        await expect.poll(() => card.getByTestId('discord-users').textContent(), { timeout: 5000 }).toContain('Olivia (@olivia)');
      } else {
        await expect.poll(() => card.getByTestId('discord-state').textContent(), { timeout: 5000 }).toBe('Connected as Switchboard#4821 in 1 server');
      }
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: path.join(ROOT, `e2e/artifacts/discord-${scheme}-${width}.png`) });
      if (width > 760) await card.screenshot({ path: path.join(ROOT, 'docs/discord.png') });
      await page.context().close();
    }
  });
});
