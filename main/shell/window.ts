import { BrowserWindow, shell } from 'electron';

export interface MainWindowOptions {
  preload: string;
  indexHtml: string;
  /** While false, closing the window hides it: the app lives in the tray. */
  isQuitting: () => boolean;
}

/** The one window, locked down: the renderer is untrusted and gets only the preload's API. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1120,
    height: 740,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Switchboard',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links in Claude's replies open in the system browser; nothing opens inside the app.
    if (/^(https?|mailto):/i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(options.indexHtml);
  return win;
}
