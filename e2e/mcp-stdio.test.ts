import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVE_JS, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await temp.cleanup();
});

/** `switchboard mcp` started by the SDK's own stdio client, as a stdio-only MCP client would. */
async function bridge(env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'stdio-client', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVE_JS, 'mcp'], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'ignore' }));
  clients.push(client);
  return client;
}

describe('switchboard mcp, the stdio bridge', () => {
  it('forwards to the running server on a random port, found from the data folder alone: tools listed, a tool called, its token read there', async () => {
    const home = path.join(temp.home(), 'data');
    const served = temp.track(await startServe(home));
    await expect.poll(() => served.output()).toContain(`MCP: http://127.0.0.1:${served.port}/mcp`);
    expect(served.output()).not.toMatch(/DeprecationWarning/);
    // The server records where it listens, for this folder's owner only.
    const recorded = path.join(home, 'server.json');
    expect(JSON.parse(fs.readFileSync(recorded, 'utf8'))).toMatchObject({ url: `http://127.0.0.1:${served.port}`, port: served.port, pid: served.process.pid });
    expect((fs.statSync(recorded).mode & 0o777).toString(8)).toBe('600');
    // Only SWITCHBOARD_HOME: no port, no token, no URL.
    const client = await bridge({ SWITCHBOARD_HOME: home });
    expect((await client.listTools()).tools.length).toBe(31);
    const result = await client.callTool({ name: 'remember', arguments: { text: 'Bridged over stdio' } });
    expect(result.structuredContent).toMatchObject({ action: 'added', memory: { text: 'Bridged over stdio' } });
    // Stopped, it takes its address with it: the bridge then says the app is not running.
    await served.stop();
    expect(fs.existsSync(recorded)).toBe(false);
  });

  it('fails at once, saying so, when the app is not running', async () => {
    const started = Date.now();
    const attempt = bridge({ SWITCHBOARD_HOME: path.join(temp.home(), 'nothing'), SWITCHBOARD_PORT: '1', SWITCHBOARD_MCP_TOKEN: 'x' }).then(
      () => null,
      (error: Error) => error,
    );
    const error = await attempt;
    expect(error?.message).toMatch(/Switchboard is not running: nothing answers at http:\/\/127\.0\.0\.1:1\/mcp/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
