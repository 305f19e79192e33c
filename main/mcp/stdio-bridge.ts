import path from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { resolveDataDir, serverPort } from '../config';
import { errorMessage } from '../errors';
import { FileSecretStore } from '../secrets/secret-store';
import { ADDRESS_FILE, readAddressFile } from '../server/address-file';
import { MCP_PATH } from './mcp-service';

/**
 * Where the running app's MCP server is, and its token. The address: `SWITCHBOARD_MCP_URL`, or
 * `SWITCHBOARD_PORT`, else what the server of the data folder recorded there while it listens (any
 * port), else the default port. The token: `SWITCHBOARD_MCP_TOKEN`, else the headless data folder's secrets.
 */
export function bridgeTarget(env: NodeJS.ProcessEnv): { url: URL; token: string | null } {
  const dataDir = resolveDataDir(env);
  const recorded = env.SWITCHBOARD_MCP_URL || env.SWITCHBOARD_PORT ? null : readAddressFile(path.join(dataDir, ADDRESS_FILE));
  const url = new URL(env.SWITCHBOARD_MCP_URL || (recorded ? `${recorded.url}${MCP_PATH}` : `http://127.0.0.1:${serverPort(env)}${MCP_PATH}`));
  const token = env.SWITCHBOARD_MCP_TOKEN || new FileSecretStore(path.join(dataDir, 'secrets.json')).get('server.token.mcp');
  return { url, token };
}

/**
 * `switchboard mcp`: for clients that speak MCP only over stdio. Each message goes on to the running
 * app's MCP server over loopback HTTP and each answer comes back; when nothing answers there, a request
 * gets an error that says so at once, instead of a client waiting forever.
 */
export async function runStdioBridge(env: NodeJS.ProcessEnv): Promise<void> {
  const { url, token } = bridgeTarget(env);
  const stdio = new StdioServerTransport();
  const upstream = new StreamableHTTPClientTransport(url, { requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} } });
  const refuse = (message: JSONRPCMessage, reason: string) => {
    if ('id' in message && 'method' in message) void stdio.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: reason } });
  };
  stdio.onmessage = (message) => {
    upstream.send(message).catch((error: unknown) => {
      const text = errorMessage(error);
      const down = /ECONNREFUSED|fetch failed|connect/i.test(text);
      const unauthorized = /\b40[13]\b|unauthorized/i.test(text);
      refuse(
        message,
        down
          ? `Switchboard is not running: nothing answers at ${url.href}. Start the Switchboard app or \`switchboard serve\`, then try again.`
          : unauthorized
            ? `Switchboard refused the MCP token${token ? '' : ' (none found)'}: set SWITCHBOARD_MCP_TOKEN to the token in Settings → Connections.`
            : `Switchboard could not be reached: ${text}`,
      );
    });
  };
  upstream.onmessage = (message) => void stdio.send(message);
  upstream.onerror = () => {};
  stdio.onclose = () => void upstream.close().then(() => process.exit(0));
  await upstream.start();
  await stdio.start();
}
