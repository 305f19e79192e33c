// A stand-in for the `electron` module, for booting dist/main/index.cjs under plain Node: no
// Electron runtime runs on these machines. It records what the shell asks of Electron, then
// exercises the window, tray and IPC the way a user and the renderer would, and prints a report.
const Module = require('node:module');
const fs = require('node:fs');
const { EventEmitter } = require('node:events');

const record = { windows: [], trays: [], menus: [], handlers: new Map(), errors: [], quit: false, permissionHandler: false };
const appEvents = new EventEmitter();
let readyResolve;
const ready = new Promise((resolve) => (readyResolve = resolve));

class FakeWebContents extends EventEmitter {
  constructor(id) {
    super();
    this.id = id;
    this.sent = [];
    this.windowOpenHandler = null;
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  send(channel, ...args) {
    this.sent.push([channel, ...args]);
  }
  isDestroyed() {
    return false;
  }
}

class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() {
    return BrowserWindow.all;
  }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(BrowserWindow.all.length + 1);
    this.visible = false;
    this.loaded = null;
    BrowserWindow.all.push(this);
    record.windows.push(this);
  }
  loadFile(file) {
    this.loaded = file;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  isDestroyed() {
    return false;
  }
  /** What the user's click on the close button does. */
  userClose() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', event);
    return event.defaultPrevented;
  }
}

class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.menu = null;
    this.destroyed = false;
    record.trays.push(this);
  }
  setToolTip(text) {
    this.tooltip = text;
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
}

const electron = {
  app: {
    requestSingleInstanceLock: () => true,
    on: (name, fn) => appEvents.on(name, fn),
    whenReady: () => ready,
    getPath: () => process.env.FAKE_USER_DATA,
    quit: () => {
      const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      appEvents.emit('before-quit', event);
      if (!event.defaultPrevented) record.quit = true;
    },
    exit: (code) => {
      record.exitCode = code;
    },
    dock: undefined,
  },
  BrowserWindow,
  Tray,
  Menu: { buildFromTemplate: (template) => ({ template }) },
  nativeImage: {
    createFromPath: (file) => ({ file, exists: fs.existsSync(file), setTemplateImage() {} }),
  },
  ipcMain: {
    handle: (channel, fn) => record.handlers.set(channel, fn),
    removeHandler: (channel) => record.handlers.delete(channel),
  },
  session: { defaultSession: { setPermissionRequestHandler: () => (record.permissionHandler = true) } },
  dialog: { showErrorBox: (title, text) => record.errors.push(`${title}: ${text}`) },
  safeStorage: { isEncryptionAvailable: () => false },
  powerMonitor: { on: (name) => (record.power ??= []).push(name) },
  Notification: class extends EventEmitter {
    static isSupported() {
      return true;
    }
    show() {}
  },
  shell: { openExternal: async () => {} },
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? __filename : resolve.call(this, request, ...rest);
};
module.exports = electron;

/** What the desktop app's loopback server answers: the API with the token, no page, a foreign Host refused. */
async function probeServer() {
  const core = globalThis.switchboardShell?.core?.();
  const address = core?.server?.address;
  if (!address) return null;
  const http = require('node:http');
  const get = (path, headers) =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: address.port, path, headers: { Host: `127.0.0.1:${address.port}`, ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(-1));
    });
  return {
    api: await get('/api/', { Authorization: `Bearer ${core.serverToken}` }),
    page: await get('/', {}),
    foreignHost: await get('/api/', { Host: `evil.example:${address.port}`, Authorization: `Bearer ${core.serverToken}` }),
  };
}

// Once the shell has booted, act as the user and the renderer would, then report.
setImmediate(() => readyResolve());
setTimeout(async () => {
  const win = record.windows[0];
  const tray = record.trays[0];
  const healthChannel = 'switchboard:call:system.health';
  const handler = record.handlers.get(healthChannel);
  const trusted = { sender: { id: win?.webContents.id }, senderFrame: { url: `file://${win?.loaded}` } };
  const foreign = { sender: { id: win?.webContents.id }, senderFrame: { url: 'https://evil.example/' } };
  const report = {
    errors: record.errors,
    windowCount: record.windows.length,
    webPreferences: win?.options.webPreferences,
    preloadExists: !!win && fs.existsSync(win.options.webPreferences.preload),
    loaded: win?.loaded,
    loadedExists: !!win?.loaded && fs.existsSync(win.loaded),
    visibleAfterReady: win?.visible,
    windowOpen: win?.webContents.windowOpenHandler?.({ url: 'https://example.com' }),
    closePrevented: win?.userClose(),
    visibleAfterClose: win?.visible,
    trayIcon: tray?.image,
    trayMenu: tray?.menu?.template.map((item) => item.label ?? item.type),
    channels: [...record.handlers.keys()].sort(),
    permissionHandler: record.permissionHandler,
    powerEvents: record.power ?? [],
    trustedHealth: handler ? await handler(trusted, {}) : null,
    foreignHealth: handler ? await handler(foreign, {}) : null,
    server: await probeServer(),
  };
  appEvents.emit('second-instance');
  report.visibleAfterSecondInstance = win?.visible;
  report.trayMenuLater = tray?.menu?.template.map((item) => item.label ?? item.type);
  electron.app.quit();
  await new Promise((r) => setTimeout(r, 300));
  report.quit = record.quit;
  report.closePreventedWhileQuitting = win?.userClose();
  process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);
  process.exit(0);
}, Number(process.env.FAKE_ELECTRON_SETTLE_MS ?? 1500));
