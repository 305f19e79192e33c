import type { AddressInfo } from 'node:net';
import type { Core } from '../core';
import { LoopbackServer, type LoopbackServerOptions } from '../server/loopback-server';

/** The UI token of a test server. */
export const TEST_TOKEN = 'a'.repeat(64);

/**
 * A loopback server over a test core, on a free port, with one UI token (the core's TokenStore is
 * tested on its own) and no UI files; `extra` changes what a test needs.
 */
export async function testServer(core: Core, extra: Partial<LoopbackServerOptions> = {}): Promise<{ server: LoopbackServer; port: number; base: string; ws: string }> {
  const server = new LoopbackServer({
    host: '127.0.0.1',
    port: 0,
    tokens: { scopeOf: (t) => (t === TEST_TOKEN ? 'ui' : null) },
    router: core.router,
    events: core.events,
    staticDir: '/nonexistent',
    ...extra,
  });
  const { port }: AddressInfo = await server.listen();
  return { server, port, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` };
}
