import path from 'node:path';
import type { Core, CoreConfig } from '../main/core';
import { testCore } from '../main/testing/temp-core';

/** A started core on `dataDir`, as the benchmarks use it: the tests' one factory with the shipped workers (dist/). */
export async function benchCore(dataDir: string, extra: Partial<CoreConfig> = {}): Promise<Core> {
  const core = testCore(dataDir, {
    env: { PATH: process.env.PATH, HOME: path.join(dataDir, 'home') },
    app: { name: 'Switchboard', version: 'bench', shell: 'headless', electronVersion: null },
    // The figures are the shipped app's: the workers as serve runs them.
    checkpointWorker: path.resolve(import.meta.dirname, '../dist/main/checkpoint-worker.cjs'),
    integrityWorker: path.resolve(import.meta.dirname, '../dist/main/integrity-worker.cjs'),
    gitWorker: path.resolve(import.meta.dirname, '../dist/main/git-worker.cjs'),
    ...extra,
  });
  await core.start();
  return core;
}
