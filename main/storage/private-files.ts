import fs from 'node:fs';
import path from 'node:path';

/** A folder only the user can enter (0700), also when it existed before with a looser mode. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** A file only the user can read (0600), created empty when missing. */
export function makePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}

/**
 * The data folder holds every conversation, memory, job environment and secret: on each start it
 * is made 0700 and what lies directly in it 0600 (files) or 0700 (folders), whatever an older
 * version, a restore or a hand-made folder left there.
 */
export function privatizeDataDir(dataDir: string): void {
  makePrivateDir(dataDir);
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    const target = path.join(dataDir, entry.name);
    if (entry.isDirectory()) fs.chmodSync(target, 0o700);
    else if (entry.isFile()) fs.chmodSync(target, 0o600);
  }
}
