#!/usr/bin/env node
// `npm start`: fetch the Electron runtime on first start, build if needed, launch the menu-bar app.
// Where there is no runtime and none can be fetched: one clear message, pointing to `npm run serve`.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary, NO_ELECTRON_MESSAGE } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron 45 downloads its binary on first use, not on install; do it here, bounded, with our own message on failure. */
function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  let installer;
  try {
    installer = createRequire(import.meta.url).resolve('electron/install.js');
  } catch {
    return null;
  }
  console.error('Switchboard: fetching the Electron runtime (first start only)…');
  const run = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 5 * 60_000 });
  if (run.status !== 0) {
    const reason = (run.stderr || run.error?.message || '').split('\n').find((l) => l.trim()) ?? 'unknown error';
    console.error(`Switchboard: the download failed: ${reason.trim()}`);
    return null;
  }
  return findElectronBinary();
}

const electron = findElectronBinary() ?? fetchElectron();
if (!electron) {
  console.error(NO_ELECTRON_MESSAGE);
  process.exit(1);
}
const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(electron, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
