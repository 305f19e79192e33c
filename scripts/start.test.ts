import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';

const root = path.resolve(import.meta.dirname, '..');

describe('npm start without an Electron binary', () => {
  it('prints one clear message pointing to npm run serve, with no stack trace', () => {
    // An empty override dir stands for "no binary installed", whatever this machine has.
    const empty = makeTempDir();
    const run = spawnSync(process.execPath, [path.join(root, 'scripts/start.mjs')], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      encoding: 'utf8',
    });
    removeTempDir(empty);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Electron runtime is not installed');
    expect(run.stderr).toContain('npm run serve');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
