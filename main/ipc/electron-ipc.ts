import { fail, ipcChannel, methodNames } from '../../contract';
import type { EventBus } from '../events';
import { log } from '../log';
import { desktopCaller, type Router } from './router';

/** The parts of Electron's ipcMain we use; typed here so this module needs no Electron import. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcInvokeEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface ElectronIpcOptions {
  ipcMain: IpcMainLike;
  router: Router;
  events: EventBus;
  /** The shell decides which frames are ours (our window, our file). */
  isTrustedSender: (event: IpcInvokeEvent) => boolean;
  /** The windows that receive events. */
  targets: () => EventTarget[];
}

/**
 * Registers one handler per contract method and forwards core events to our windows.
 * Returns the function that removes them all.
 */
export function registerElectronIpc(options: ElectronIpcOptions): () => void {
  const { ipcMain, router, events, isTrustedSender, targets } = options;
  for (const method of methodNames) {
    ipcMain.handle(ipcChannel.call(method), (event, input) => {
      if (!isTrustedSender(event)) {
        log.warn(`refused ${method} from untrusted frame ${event.senderFrame?.url ?? '(none)'}`);
        return fail('unauthorized', 'this frame may not call Switchboard');
      }
      return router.call(method, input, desktopCaller);
    });
  }
  const unsubscribe = events.subscribe((name, payload) => {
    for (const target of targets()) if (!target.isDestroyed()) target.send(ipcChannel.event(name), payload);
  });
  return () => {
    for (const method of methodNames) ipcMain.removeHandler(ipcChannel.call(method));
    unsubscribe();
  };
}
