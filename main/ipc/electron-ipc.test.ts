import { describe, expect, it } from 'vitest';
import { createIpcTransport, type IpcRendererLike } from '../../client/ipc-transport';
import { ipcChannel, methodNames } from '../../contract';
import { testCore, makeTempDir, removeTempDir } from '../testing/temp-core';
import { defineContractSuite } from '../testing/contract-suite';
import { registerElectronIpc, type IpcInvokeEvent, type IpcMainLike } from './electron-ipc';

const TRUSTED_URL = 'file:///app/dist/renderer/index.html';

type Handler = (event: IpcInvokeEvent, ...args: unknown[]) => unknown;
type Listener = (event: unknown, ...args: unknown[]) => void;

/**
 * Stand-in for Electron's IPC (no Electron runtime runs here): ipcMain and ipcRenderer joined
 * in process, with structured cloning at the boundary as Electron does.
 */
function ipcPair(senderUrl = TRUSTED_URL) {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Set<Listener>>();
  const event: IpcInvokeEvent = { sender: { id: 1 }, senderFrame: { url: senderUrl } };
  const ipcMain: IpcMainLike = {
    handle: (channel, handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  const ipcRenderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handler(event, ...structuredClone(args)));
    },
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const webContents = {
    send: (channel: string, ...args: unknown[]) => {
      for (const listener of listeners.get(channel) ?? []) listener({}, ...structuredClone(args));
    },
    isDestroyed: () => false,
  };
  return { ipcMain, ipcRenderer, webContents, handlers };
}

defineContractSuite('Electron IPC (in-process pair)', async (core) => {
  const pair = ipcPair();
  const unregister = registerElectronIpc({
    ipcMain: pair.ipcMain,
    router: core.router,
    events: core.events,
    isTrustedSender: (event) => event.sender.id === 1 && event.senderFrame?.url === TRUSTED_URL,
    targets: () => [pair.webContents],
  });
  return { transport: createIpcTransport(pair.ipcRenderer), close: async () => unregister() };
});

describe('Electron IPC registration', () => {
  it('refuses calls from a frame that is not ours', async () => {
    const dir = makeTempDir();
    const core = testCore(dir);
    await core.start();
    const pair = ipcPair('https://evil.example/');
    registerElectronIpc({
      ipcMain: pair.ipcMain,
      router: core.router,
      events: core.events,
      isTrustedSender: (event) => event.senderFrame?.url === TRUSTED_URL,
      targets: () => [],
    });
    const result = await createIpcTransport(pair.ipcRenderer).call('settings.set', { key: 'appearance.theme', value: 'dark' });
    expect(!result.ok && result.error.code).toBe('unauthorized');
    expect(core.settings.get('appearance.theme')).toBe('system');
    await core.stop();
    removeTempDir(dir);
  });

  it('registers exactly one channel per contract method, and removes them', () => {
    const pair = ipcPair();
    const dir = makeTempDir();
    const core = testCore(dir);
    const unregister = registerElectronIpc({ ipcMain: pair.ipcMain, router: core.router, events: core.events, isTrustedSender: () => true, targets: () => [] });
    expect([...pair.handlers.keys()].sort()).toEqual(methodNames.map((m) => ipcChannel.call(m)).sort());
    expect(pair.handlers.size).toBeGreaterThan(10);
    unregister();
    expect(pair.handlers.size).toBe(0);
    removeTempDir(dir);
  });
});
