import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { DEFAULT_HOST, resolveDataDir, serverPort } from './config';
import { createCore, type Core } from './core';
import { registerElectronIpc } from './ipc/electron-ipc';
import { guardProcess, reportStartFailure } from './last-resort';
import { log } from './log';
import { FileSecretStore } from './secrets/secret-store';
import { electronNotifier } from './shell/notifications';
import { onWake } from './shell/power';
import { safeStorageCipher } from './shell/secrets';
import { AppTray } from './shell/tray';
import { trayStatusLine } from './tray-status';
import { createMainWindow } from './shell/window';

declare const SWITCHBOARD_VERSION: string;

const distDir = path.join(__dirname, '..');
const indexHtml = path.join(distDir, 'renderer', 'index.html');
const rendererUrl = pathToFileURL(indexHtml).href;
const trayIcon = path.join(distDir, '..', 'resources', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');

let core: Core | null = null;
let window: BrowserWindow | null = null;
let tray: AppTray | null = null;
let quitting = false;

function showWindow(): void {
  if (!window || window.isDestroyed()) {
    window = createMainWindow({ preload: path.join(distDir, 'preload', 'index.cjs'), indexHtml, isQuitting: () => quitting });
  }
  window.show();
  window.focus();
}

async function refreshTrayStatus(): Promise<void> {
  if (!core || !tray) return;
  const health = await core.system.health();
  tray.setStatus(trayStatusLine(health, core.inbox.counts(), core.usage.windows().fiveHour));
}

async function boot(): Promise<void> {
  guardProcess();
  // A menu-bar app: no dock icon on macOS (LSUIElement in the bundle does this for packaged builds).
  app.dock?.hide();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  const dataDir = resolveDataDir(process.env, app.getPath('userData'));
  // From here on a failure is logged in the data folder, so what failed while starting has its details there.
  try {
    log.attach(dataDir);
  } catch {
    // The storage service attaches it again and says what is wrong with the folder.
  }
  try {
    core = createCore({
      dataDir,
      secrets: new FileSecretStore(path.join(dataDir, 'secrets.json'), safeStorageCipher()),
      notifier: electronNotifier((link) => {
        showWindow();
        if (link) core?.events.emit('system.open', { link });
      }),
      embedWorker: path.join(__dirname, 'embed-worker.cjs'),
      integrityWorker: path.join(__dirname, 'integrity-worker.cjs'),
      checkpointWorker: path.join(__dirname, 'checkpoint-worker.cjs'),
      searchWorker: path.join(__dirname, 'search-worker.cjs'),
      templateWorker: path.join(__dirname, 'template-worker.cjs'),
      gitWorker: path.join(__dirname, 'git-worker.cjs'),
      resourcesDir: path.join(__dirname, '..', '..', 'resources'),
      app: { name: 'Switchboard', version: SWITCHBOARD_VERSION, shell: 'electron', electronVersion: process.versions.electron ?? null },
      // Claude Code reaches the app over loopback (MCP, hooks): the same server as headless, without UI files.
      // A port in use leaves the app running, and health and the tray say why.
      server: { host: DEFAULT_HOST, port: serverPort(process.env), allowHosts: [], staticDir: null, required: false },
    });
    await core.start();
  } catch (error) {
    dialog.showErrorBox('Switchboard cannot start', reportStartFailure(error, dataDir).line);
    app.exit(1);
    return;
  }
  registerElectronIpc({
    ipcMain,
    router: core.router,
    events: core.events,
    isTrustedSender: (event) =>
      !!window && event.sender.id === window.webContents.id && (event.senderFrame?.url ?? '').startsWith(rendererUrl),
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
  onWake(() => core?.scheduler.checkMissed());
  tray = new AppTray({ iconPath: trayIcon, onOpen: showWindow, onQuit: () => app.quit() });
  core.events.on('settings.changed', () => void refreshTrayStatus());
  // A burst of inbox items redraws the tray's line once, not once each.
  let trayTimer: NodeJS.Timeout | null = null;
  core.events.on('inbox.changed', () => {
    trayTimer ??= setTimeout(() => {
      trayTimer = null;
      void refreshTrayStatus();
    }, 250);
  });
  core.events.on('usage.changed', () => void refreshTrayStatus());
  setInterval(() => void refreshTrayStatus(), 60_000).unref();
  void refreshTrayStatus();
  showWindow();
  // Lets the Playwright _electron spec see the tray and window without reaching into internals.
  Object.assign(globalThis, { switchboardShell: { tray, window: () => window, core: () => core } });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  // Closing the window keeps the app in the tray; Quit in the tray menu ends it.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    quitting = true;
    event.preventDefault();
    void core.stop().finally(() => app.quit());
  });
  app.whenReady().then(boot, (error: unknown) => {
    console.error(error);
    app.exit(1);
  });
}
