import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServeArgs, resolveDataDir, USAGE, UsageError, wantsHelp } from './config';
import { createCore } from './core';
import { errorMessage } from './errors';
import { guardProcess, reportStartFailure } from './last-resort';
import { log } from './log';
import { runStdioBridge } from './mcp/stdio-bridge';
import { isLoopbackHost } from './server/host-guard';
import { FileSecretStore } from './secrets/secret-store';

declare const SWITCHBOARD_VERSION: string;

const here = path.dirname(fileURLToPath(import.meta.url));

/** The data folder, once known: where a failed start's details are logged. */
let dataDir: string | null = null;

/** The headless shell: the same core, served to a browser on loopback behind a token. */
async function main(): Promise<void> {
  // `switchboard mcp`: a stdio bridge to the running app's MCP server, nothing else on stdout.
  if (process.argv[2] === 'mcp') return runStdioBridge(process.env);
  if (wantsHelp(process.argv.slice(2))) return void process.stdout.write(`${USAGE}\n`);
  guardProcess();
  const options = parseServeArgs(process.argv.slice(2), process.env);
  dataDir = resolveDataDir(process.env);
  // From here on a failure is logged in the data folder, so what failed while starting has its details there.
  try {
    log.attach(dataDir);
  } catch {
    // The storage service attaches it again and says what is wrong with the folder.
  }
  const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'));
  const core = createCore({
    dataDir,
    secrets,
    app: { name: 'Switchboard', version: SWITCHBOARD_VERSION, shell: 'headless', electronVersion: null },
    embedWorker: path.join(here, 'embed-worker.cjs'),
    integrityWorker: path.join(here, 'integrity-worker.cjs'),
    checkpointWorker: path.join(here, 'checkpoint-worker.cjs'),
    searchWorker: path.join(here, 'search-worker.cjs'),
    templateWorker: path.join(here, 'template-worker.cjs'),
    gitWorker: path.join(here, 'git-worker.cjs'),
    resourcesDir: path.join(here, '..', '..', 'resources'),
    server: { host: options.host, port: options.port, allowHosts: options.allowHosts, staticDir: path.join(here, '..', 'renderer'), required: true },
  });
  await core.start();
  // Before the UI line: a script that stops the server as soon as it reads the line must get a clean stop.
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
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
}

main().catch((error: unknown) => {
  // One clear line, not a stack trace: the reason, and an error id under which the log has the details.
  if (error instanceof UsageError) {
    console.error(`switchboard: ${errorMessage(error)}`);
  } else {
    const { line, logged } = reportStartFailure(error, dataDir);
    console.error(`switchboard: ${line}`);
    if (!logged) console.error(error);
  }
  process.exit(1);
});
