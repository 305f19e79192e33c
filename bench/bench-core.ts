import path from 'node:path';
import { createCore, type Core, type CoreConfig } from '../main/core';
import { FileSecretStore } from '../main/secrets/secret-store';

/** A started core on `dataDir`, as the benchmarks use it: no CLI on PATH, no home of its own. */
export async function benchCore(dataDir: string, extra: Partial<CoreConfig> = {}): Promise<Core> {
  const core = createCore({
    dataDir,
    env: { PATH: process.env.PATH, HOME: path.join(dataDir, 'home') },
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    app: { name: 'Switchboard', version: 'bench', shell: 'headless', electronVersion: null },
    // The workers as serve runs them (dist/), so the figures are the shipped app's.
    checkpointWorker: path.resolve(import.meta.dirname, '../dist/main/checkpoint-worker.cjs'),
    integrityWorker: path.resolve(import.meta.dirname, '../dist/main/integrity-worker.cjs'),
    ...extra,
  });
  await core.start();
  return core;
}
