import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServeArgs, resolveDataDir, splitHostList, UsageError } from './config';
import { createCore } from './core';
import { errorMessage } from './errors';
import { HeadlessServer } from './ipc/headless-server';
import { isLoopbackHost } from './ipc/host-guard';
import { guardProcess } from './last-resort';
import { ServiceStartError } from './lifecycle';
import { loadOrCreateServerToken } from './ipc/token';
import { FileSecretStore } from './secrets/secret-store';

declare const SWITCHBOARD_VERSION: string;

const here = path.dirname(fileURLToPath(import.meta.url));

/** The headless shell: the same core, served to a browser on loopback behind a token. */
async function main(): Promise<void> {
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
  });
  await core.start();
  const token = loadOrCreateServerToken(secrets);
  const server = new HeadlessServer({
    host: options.host,
    port: options.port,
    token,
    router: core.router,
    events: core.events,
    staticDir: path.join(here, '..', 'renderer'),
    allowedHosts: () => [...options.allowHosts, ...splitHostList(core.settings.get('server.allowedHosts'))],
  });
  let address;
  try {
    address = await server.start();
  } catch (error) {
    await core.stop();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${options.port} on ${options.host} is in use: pass --port or set SWITCHBOARD_PORT`);
    }
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (!isLoopbackHost(options.host)) {
    console.warn(`switchboard: listening on ${options.host}, reachable from other machines; the token is the only guard.`);
  }
  console.log(`UI: http://${host}:${address.port}/#token=${token}`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
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
