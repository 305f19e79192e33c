import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../main/testing/fake-telegram';
import { owner, stranger } from '../main/testing/telegram-harness';
import { goToScreen, openPage, useChromium } from './support/browser';
import { ROOT, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const chromium = useChromium();
let tg: FakeTelegram | null = null;
afterEach(async () => {
  await temp.cleanup();
  await tg?.stop();
  tg = null;
});

describe('Settings → Telegram in Chromium', () => {
  it('connects the bot with a token, lets a person in by their code, and shows who may talk', async () => {
    tg = await new FakeTelegram().start();
    const served = temp.track(await startServe(path.join(temp.home(), 'data'), { env: { SWITCHBOARD_TELEGRAM_API_ROOT: tg.url } }));
    for (const [width, height, scheme] of [
      [1280, 1000, 'light'],
      [390, 844, 'dark'],
    ] as const) {
      const page = await openPage(chromium(), served.url, { width, height, scheme });
      await goToScreen(page, 'Settings');
      const card = page.getByRole('region', { name: 'Telegram' });
      if (width > 760) {
        await expect.poll(() => card.getByTestId('telegram-state').textContent(), { timeout: 5000 }).toBe('Off');
        // A token that is not one is refused in words, under the field.
        await card.getByLabel('Bot token').fill('nope');
        await card.getByRole('button', { name: 'Connect' }).click();
        await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 5000 }).toContain('token: does not look like a bot token');
        await card.getByLabel('Bot token').fill(tg.token);
        await card.getByRole('button', { name: 'Connect' }).click();
        await expect.poll(() => card.getByTestId('telegram-state').textContent(), { timeout: 10_000 }).toBe('Connected as @switchboard_test_bot');
        await expect.poll(() => card.getByLabel('Bot token').inputValue()).toBe('');

        tg.send(stranger, 'let me in');
        tg.send(owner, 'hi, it is me');
        const pairings = card.getByTestId('telegram-pairings');
        await expect.poll(() => pairings.locator('li').count(), { timeout: 10_000 }).toBe(2);
        const mine = pairings.locator('li', { hasText: 'Olivia' });
        const code = (await mine.locator('code').textContent())!;
        // The code reaches the chat through the outbox, which may land after the window shows the request.
        await tg.until(() => tg!.chat(owner.id).some((m) => m.text.includes(code)), 5000);
        await mine.getByRole('button', { name: 'Accept' }).click();
        await expect.poll(() => card.getByTestId('telegram-users').textContent(), { timeout: 5000 }).toContain('Olivia (@olivia)');
        await tg.until(() => tg!.chat(owner.id).some((m) => m.text.includes('You are in')), 5000);
        await pairings.locator('li', { hasText: 'Mallory' }).getByRole('button', { name: 'Refuse' }).click();
        await expect.poll(() => card.getByTestId('telegram-pairings').count(), { timeout: 5000 }).toBe(0);
        await tg.until(() => tg!.chat(stranger.id).some((m) => m.text.includes('did not accept')), 5000);
        tg.send(stranger, 'again?');
        await expect.poll(() => card.getByTestId('telegram-pairings').locator('li').count(), { timeout: 10_000 }).toBe(1);

        // Voice notes, shared by both bots: the key is saved once, shown only as stored, and removable.
        const voice = page.getByRole('region', { name: 'Voice notes' });
        const keyButton = voice.getByRole('button', { name: /key$/ });
        await expect.poll(() => keyButton.textContent()).toBe('Save key');
        expect(await keyButton.isDisabled()).toBe(true);
        await voice.getByLabel('API key (if the endpoint needs one)').fill('sk-voice-e2e');
        await keyButton.click();
        await expect.poll(() => voice.getByText('Key saved with the other secrets.').count(), { timeout: 5000 }).toBe(1);
        expect(await voice.getByLabel('API key (if the endpoint needs one)').inputValue()).toBe('');
        expect(await keyButton.textContent()).toBe('Remove key');
        expect(await page.content()).not.toContain('sk-voice-e2e');
        await voice.getByLabel('Transcription endpoint').fill('not an address');
        await voice.getByRole('button', { name: 'Save' }).first().click();
        await expect.poll(() => voice.getByRole('alert').count(), { timeout: 5000 }).toBe(1);
      } else {
        await expect.poll(() => card.getByTestId('telegram-state').textContent(), { timeout: 5000 }).toBe('Connected as @switchboard_test_bot');
      }
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: path.join(ROOT, `e2e/artifacts/telegram-${scheme}-${width}.png`) });
      if (width > 760) await card.screenshot({ path: path.join(ROOT, 'docs/telegram.png') });
      await page.context().close();
    }
  });
});
