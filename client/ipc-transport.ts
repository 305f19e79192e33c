import { fail, ipcChannel, isEventName, isMethodName, ok, type Result } from '../contract';
import { unreachable, type Transport } from './api';

/** The parts of Electron's ipcRenderer the preload uses; typed here so tests can pair it in-process. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The Electron transport, as the preload runs it: one channel per method, one per event. */
export function createIpcTransport(ipc: IpcRendererLike): Transport {
  return {
    async call(method, input) {
      if (!isMethodName(method)) return fail('unknown_method', `unknown method "${method}"`);
      try {
        return (await ipc.invoke(ipcChannel.call(method), input)) as Result<unknown>;
      } catch (error) {
        return unreachable(`IPC call ${method} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async subscribe(event, listener) {
      if (!isEventName(event)) return fail('unknown_event', `unknown event "${event}"`);
      const handler = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(ipcChannel.event(event), handler);
      return ok(() => void ipc.removeListener(ipcChannel.event(event), handler));
    },
  };
}
