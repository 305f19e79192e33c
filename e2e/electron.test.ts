import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
// @ts-expect-error: a plain .mjs helper shared with `npm start`, without type declarations.
import { findElectronBinary } from '../scripts/electron-binary.mjs';
import { ROOT } from './support/serve';

const binary = (findElectronBinary as () => string | null)();
const NO_BINARY =
  'no Electron binary on this machine (npm installed the electron package without it: ELECTRON_SKIP_BINARY_DOWNLOAD, or no download possible); ' +
  'the same core and renderer are tested over the headless shell';

describe('the Electron app', () => {
  it('opens its window and puts an icon in the tray', async (ctx) => {
    if (!binary) return ctx.skip(NO_BINARY);
    const home = makeTempDir('switchboard-electron-');
    const app = await electron.launch({ executablePath: binary, args: [ROOT], env: { ...process.env, SWITCHBOARD_HOME: home } });
    try {
      const window = await app.firstWindow();
      expect(await window.title()).toBe('Switchboard');
      await expect.poll(() => window.getByRole('heading', { name: 'Settings' }).count()).toBe(1);
      const shell = await app.evaluate(() => {
        const s = (globalThis as { switchboardShell?: { tray: { isAlive(): boolean } } }).switchboardShell;
        return { tray: s?.tray.isAlive() ?? false };
      });
      expect(shell.tray).toBe(true);
      // The page gets the contract and nothing else from the preload.
      const exposed = await window.evaluate(() => Object.keys((window as unknown as { switchboard: object }).switchboard).sort());
      expect(exposed).toEqual(['on', 'settings', 'system']);
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    } finally {
      await app.close();
      removeTempDir(home);
    }
    expect(path.isAbsolute(binary)).toBe(true);
  });
});
