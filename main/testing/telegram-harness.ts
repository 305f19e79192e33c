import type { CoreConfig } from '../core';
import type { CallContext } from '../ipc/router';
import { startHarness, type Harness } from './claude-harness';
import { FakeTelegram, type FakeUser } from './fake-telegram';

/** The app's own window: where pairing codes are accepted. */
export const windowCaller: CallContext = { surface: 'desktop', actor: 'desktop' };
export const owner: FakeUser = { id: 1001, first_name: 'Olivia', username: 'olivia' };
export const stranger: FakeUser = { id: 6666, first_name: 'Mallory' };

export interface TelegramHarness {
  harness: Harness;
  tg: FakeTelegram;
  close(keep?: boolean): Promise<void>;
}

/**
 * A started core with the real CLI (against the Anthropic stand-in) and its Telegram bot connected to a
 * Bot API stand-in through the headless environment variables, as `serve` would be run.
 */
export async function startTelegram(
  options: { dir?: string; telegram?: FakeTelegram; env?: NodeJS.ProcessEnv; editIntervalMs?: number; connected?: boolean; core?: Partial<CoreConfig> } = {},
): Promise<TelegramHarness> {
  const tg = options.telegram ?? (await new FakeTelegram().start());
  const harness = await startHarness({
    dir: options.dir,
    env: { SWITCHBOARD_TELEGRAM_TOKEN: tg.token, SWITCHBOARD_TELEGRAM_API_ROOT: tg.url, ...options.env },
    core: { ...(options.editIntervalMs ? { chatEditIntervalMs: options.editIntervalMs } : {}), ...options.core },
  });
  if (options.connected !== false) await tg.until(() => harness.core.chats.telegram.status().state === 'connected', 15_000, 'the bot to connect');
  return {
    harness,
    tg,
    close: async (keep = false) => {
      await harness.close(keep);
      if (!options.telegram) await tg.stop();
    },
  };
}

/** Lets a user in through the pairing flow, as a person would: a message, the code, accepted in the window. */
export async function pair({ harness: { core }, tg }: TelegramHarness, user: FakeUser = owner): Promise<void> {
  tg.send(user, 'hello?');
  const code = await tg.until(() => core.chats.telegram.access.pairings().find((p) => p.userId === String(user.id))?.code, 10_000, 'a pairing request');
  const accepted = await core.router.call('chat.answerPairing', { surface: 'telegram', code, accept: true }, windowCaller);
  if (!accepted.ok) throw new Error(accepted.error.message);
  await tg.until(() => tg.chat(user.id).find((m) => m.text.includes('You are in')), 10_000, 'the welcome');
}
