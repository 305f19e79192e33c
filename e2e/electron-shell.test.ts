import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipcChannel, methodNames } from '../contract';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { ROOT } from './support/serve';

/**
 * Boots the built Electron entry (dist/main/index.cjs) under plain Node with a stand-in for the
 * `electron` module, since no Electron runtime runs here. It checks the shell's own wiring:
 * window preferences, the files it loads, tray menu, close-to-tray, IPC registration and the
 * sender check, against the real core. The real runtime is covered by e2e/electron.test.ts
 * where a binary exists.
 */
describe('Electron shell wiring (stand-in electron module)', () => {
  it('boots the core, locks down the window, fills the tray and registers one channel per method', () => {
    const home = makeTempDir('switchboard-shell-');
    const run = spawnSync(process.execPath, ['-r', path.join(ROOT, 'e2e/support/fake-electron.cjs'), path.join(ROOT, 'dist/main/index.cjs')], {
      env: { ...process.env, SWITCHBOARD_HOME: home, FAKE_USER_DATA: '/nonexistent-user-data', SWITCHBOARD_PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    removeTempDir(home);
    const line = run.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    expect(line, run.stderr).toBeDefined();
    const report = JSON.parse(line!.slice('REPORT '.length));

    expect(report.errors).toEqual([]);
    expect(report.windowCount).toBe(1);
    expect(report.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(report.preloadExists).toBe(true);
    expect(report.loaded).toBe(path.join(ROOT, 'dist/renderer/index.html'));
    expect(report.loadedExists).toBe(true);
    expect(report.visibleAfterReady).toBe(true);
    expect(report.windowOpen).toEqual({ action: 'deny' });
    // Closing the window keeps the app in the tray; quitting lets it close.
    expect(report.closePrevented).toBe(true);
    expect(report.visibleAfterClose).toBe(false);
    expect(report.visibleAfterSecondInstance).toBe(true);
    expect(report.trayIcon).toMatchObject({ exists: true });
    expect(report.trayMenuLater).toEqual([expect.stringMatching(/^Switchboard: running · Claude/), 'separator', 'Open Switchboard', 'Quit Switchboard']);
    expect(report.channels).toEqual(methodNames.map((m) => ipcChannel.call(m)).sort());
    expect(report.permissionHandler).toBe(true);
    expect(report.powerEvents).toEqual(['resume', 'unlock-screen']);
    expect(report.trustedHealth).toMatchObject({ ok: true, value: { app: { shell: 'electron' }, dataDir: expect.stringContaining('switchboard-shell-') } });
    expect(report.foreignHealth).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // The desktop app starts the same loopback server as serve (Claude Code reaches the app through it), without UI files.
    expect(report.trustedHealth.value.services).toContainEqual({ name: 'server', state: 'running' });
    expect(report.server).toMatchObject({ api: 204, page: 404, foreignHost: 403 });
    expect(report.quit).toBe(true);
    expect(report.closePreventedWhileQuitting).toBe(false);
  });
});
