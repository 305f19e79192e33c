import * as z from 'zod';
import type { Result } from './result';

/** Loopback transports: the WebSocket path, subprotocol and frame cap, shared by server and browser. */
export const WS_PATH = '/ws';
export const WS_PROTOCOL = 'switchboard.v1';
/** The token rides in a second subprotocol, since browsers cannot set headers on a WebSocket. */
export const WS_TOKEN_PREFIX = 'bearer.';
export const MAX_FRAME_BYTES = 1024 * 1024;

/** IPC channel names for the Electron transport. */
export const ipcChannel = {
  call: (method: string) => `switchboard:call:${method}`,
  event: (name: string) => `switchboard:event:${name}`,
};

/** Messages a WebSocket client may send; anything else is answered with invalid_input. */
export const clientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: z.number().int(), method: z.string().max(200), input: z.unknown().optional() }),
  z.object({ t: z.literal('sub'), id: z.number().int(), event: z.string().max(200) }),
  z.object({ t: z.literal('unsub'), id: z.number().int(), event: z.string().max(200) }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { t: 'result'; id: number | null; result: Result<unknown> }
  | { t: 'event'; event: string; payload: unknown };
