import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../client/api';
import { createIpcTransport } from '../client/ipc-transport';

// Exactly one function per contract method plus a typed `on`; no generic invoke reaches the page.
contextBridge.exposeInMainWorld('switchboard', createApi(createIpcTransport(ipcRenderer)));
