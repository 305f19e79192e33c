// Finds the Electron runtime without triggering electron's own download-on-require.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The Electron executable's path, or null when the package was installed without its binary. */
export function findElectronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(dir, 'path.txt');
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron');
    return fs.existsSync(candidate) ? candidate : null;
  }
  if (!relative) return null;
  const binary = path.join(dir, 'dist', relative);
  return fs.existsSync(binary) ? binary : null;
}

export const NO_ELECTRON_MESSAGE =
  'Switchboard: the Electron runtime is not installed here (node_modules/electron has no binary; ' +
  'its download was skipped or failed on this machine), so the desktop app cannot start.\n' +
  'Run the same app headless in your browser instead:  npm run serve\n' +
  'Or install the runtime where downloads work:          npx install-electron';
