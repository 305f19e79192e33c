import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import esbuild from 'esbuild';
import { onTestFinished } from 'vitest';
import { createCore, type Core, type CoreConfig } from '../core';
import { FileSecretStore } from '../secrets/secret-store';

/** A fresh folder under the OS temp dir; remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'switchboard-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  // A child that just exited may still be flushing a file into it: retry rather than fail the test that used it.
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/** A fresh temp folder that is removed when the running test ends, passed or not: no list of folders to keep by hand. */
export function testTempDir(prefix?: string): string {
  const dir = makeTempDir(prefix);
  onTestFinished(() => removeTempDir(dir));
  return dir;
}

/** The real claude binary the tests install (a pinned devDependency). */
export const CLAUDE_BIN = path.resolve(import.meta.dirname, '../../node_modules/@anthropic-ai/claude-code/bin/claude.exe');

/** The integrity worker's source: it imports nothing of ours, so Node runs it as it is (type stripping). */
export const INTEGRITY_WORKER_SOURCE = path.resolve(import.meta.dirname, '../storage/integrity-worker.ts');
export const CHECKPOINT_WORKER_SOURCE = path.resolve(import.meta.dirname, '../storage/checkpoint-worker.ts');
const bundles = new Map<string, string>();
/**
 * A worker bundled from source once per test process (it imports our modules or libraries, which Node's
 * type stripping cannot resolve), removed when the process exits: what the build makes of it for `serve`.
 */
function workerBundle(entry: string): string {
  const known = bundles.get(entry);
  if (known) return known;
  const dir = makeTempDir('switchboard-worker-');
  const out = path.join(dir, `${path.basename(entry, '.ts')}.cjs`);
  esbuild.buildSync({ entryPoints: [path.resolve(import.meta.dirname, entry)], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  bundles.set(entry, out);
  return out;
}

/** The template worker (LiquidJS and our renderer), bundled. */
export function templateWorkerBundle(): string {
  return workerBundle('../scheduler/template-worker.ts');
}

/** The git helper process (forked; it spawns git for the worktree service), bundled. */
export function gitWorkerBundle(): string {
  return workerBundle('../worktrees/git-worker.ts');
}

/**
 * The one core factory of the tests: a core on `dataDir` as `serve` builds it (secrets in a 0600
 * file there, the storage workers from source), with whatever a test needs changed.
 */
export function testCore(dataDir: string, overrides: Partial<CoreConfig> = {}): Core {
  return createCore({
    dataDir,
    env: { PATH: process.env.PATH },
    secrets: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    app: { name: 'Switchboard', version: '0.0.0-test', shell: 'headless', electronVersion: null },
    integrityWorker: INTEGRITY_WORKER_SOURCE,
    checkpointWorker: CHECKPOINT_WORKER_SOURCE,
    templateWorker: templateWorkerBundle(),
    gitWorker: gitWorkerBundle(),
    resourcesDir: path.resolve(import.meta.dirname, '../../resources'),
    // One more real CLI per test core would load the machine for nothing: the tests of the spare ask for it.
    warmSpare: false,
    ...overrides,
  });
}

/** A started test core on a fresh folder, stopped and its folder removed when the test ends, passed or not. */
export async function startTestCore(overrides: Partial<CoreConfig> = {}): Promise<{ core: Core; dir: string }> {
  const dir = makeTempDir();
  const core = testCore(dir, overrides);
  onTestFinished(async () => {
    await core.stop();
    removeTempDir(dir);
  });
  await core.start();
  return { core, dir };
}
