import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServeArgs, resolveDataDir, UsageError } from './config';
import { createCore } from './core';
import { errorMessage } from './errors';
import { guardProcess } from './last-resort';
import { runStdioBridge } from './mcp/stdio-bridge';
import { ServiceStartError } from './lifecycle';
import { isLoopbackHost } from './server/host-guard';
import { FileSecretStore } from './secrets/secret-store';

declare const SWITCHBOARD_VERSION: string;

const here = path.dirname(fileURLToPath(import.meta.url));

/** The headless shell: the same core, served to a browser on loopback behind a token. */
async function main(): Promise<void> {
  // `switchboard mcp`: a stdio bridge to the running app's MCP server, nothing else on stdout.
  if (process.argv[2] === 'mcp') return runStdioBridge(process.env);
  guardProcess();
  const options = parseServeArgs(process.argv.slice(2), process.env);
  const dataDir = resolveDataDir(process.env);
  const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'));
  const core = createCore({
    dataDir,
    secrets,
    app: { name: 'Switchboard', version: SWITCHBOARD_VERSION, shell: 'headless', electronVersion: null },
    embedWorker: path.join(here, 'embed-worker.cjs'),
    integrityWorker: path.join(here, 'integrity-worker.cjs'),
    checkpointWorker: path.join(here, 'checkpoint-worker.cjs'),
    resourcesDir: path.join(here, '..', '..', 'resources'),
    server: { host: options.host, port: options.port, allowHosts: options.allowHosts, staticDir: path.join(here, '..', 'renderer'), required: true },
  });
  await core.start();
  const address = core.server!.address!;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (!isLoopbackHost(options.host)) {
    console.warn(`switchboard: listening on ${options.host}, reachable from other machines, guarded by the token and the Host check.`);
  }
  console.log(`UI: http://${host}:${address.port}/#token=${core.serverToken}`);
  console.log(`MCP: http://${host}:${address.port}/mcp`);
  // Said at start, not at the first message: without the CLI no session can run.
  void core.system.health().then(({ claude }) => {
    if (!claude.found) console.warn(`switchboard: no Claude CLI: ${claude.error}. Sessions cannot start until it is installed, or SWITCHBOARD_CLAUDE or Settings → Claude CLI path names the claude binary.`);
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  // One clear line, not a stack trace: these are conditions a user can act on.
  const actionable = error instanceof UsageError || error instanceof ServiceStartError;
  console.error(`switchboard: ${errorMessage(error)}`);
  if (!actionable) console.error(error);
  process.exit(1);
});
