import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../../ipc/router';
import { startHarness, type Harness } from '../../testing/claude-harness';
import { FakeTelegram } from '../../testing/fake-telegram';

// Connect says what is wrong within seconds — a refused address, a bad token, an address that never
// answers — and Disconnect ends a connect under way (grammY's own init retried a failed getMe forever).
let h: Harness | null = null;
const servers: { close: () => unknown }[] = [];
afterEach(async () => {
  await h?.close();
  h = null;
  for (const s of servers.splice(0)) s.close();
});

const TOKEN = '123456:ABCdefGhIJKlmnoPQRstuVWxyz0123456789';

async function connectTo(apiRoot: string) {
  h = await startHarness({ env: { SWITCHBOARD_TELEGRAM_API_ROOT: apiRoot } });
  return h.core.router.call('chat.connect', { surface: 'telegram', token: TOKEN }, desktopCaller);
}

describe('Telegram Connect, when it cannot', () => {
  it('names a refused address at once, without the token', async () => {
    const started = Date.now();
    const result = await connectTo('http://127.0.0.1:9');
    expect(Date.now() - started).toBeLessThan(5000);
    const status = h!.core.chats.telegram.status();
    expect(status.state).toBe('error');
    expect(status.error).toMatch(/could not be reached .*refused the connection \(ECONNREFUSED\)/);
    expect(status.error).not.toContain(TOKEN.split(':')[1]);
    expect(result.ok).toBe(true);
  });

  it('names a bad token', async () => {
    const tg = await new FakeTelegram().start();
    servers.push({ close: () => void tg.stop() });
    await connectTo(tg.url);
    expect(h!.core.chats.telegram.status().error).toMatch(/refused the bot token/);
  });

  it('ends a connect to an address that never answers when Disconnect is pressed', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    servers.push({ close: () => silent.closeAllConnections?.() ?? silent.close() });
    const { port } = silent.address() as AddressInfo;
    h = await startHarness({ env: { SWITCHBOARD_TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` } });
    const connecting = h.core.router.call('chat.connect', { surface: 'telegram', token: TOKEN }, desktopCaller);
    await expect.poll(() => h!.core.chats.telegram.status().state).toBe('starting');
    const started = Date.now();
    const off = await h.core.router.call('chat.disconnect', { surface: 'telegram' }, desktopCaller);
    expect(off).toMatchObject({ ok: true, value: { state: 'off' } });
    await connecting;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(h.core.chats.telegram.status()).toMatchObject({ state: 'off', error: null });
  });
});
