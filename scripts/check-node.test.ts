import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeTempDir));

/** Runs the check as npm would, from a copy of the project whose engines field asks for `engines`. */
function check(engines: string) {
  const dir = makeTempDir();
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.resolve(import.meta.dirname, 'check-node.cjs'), path.join(dir, 'scripts', 'check-node.cjs'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ engines: { node: engines } }));
  return spawnSync(process.execPath, [path.join(dir, 'scripts', 'check-node.cjs')], { encoding: 'utf8' });
}

describe('the Node version check before start, serve and test', () => {
  it('stops an older Node with one line naming the version needed and how to get it', () => {
    const run = check('>=99.1');
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`needs Node.js 99.1 or newer, this is ${process.versions.node}`);
    expect(run.stderr).toContain('nvm install 99');
  });

  it('lets the required Node through silently', () => {
    const run = check('>=22.12');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('runs first in the scripts a user types', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['start', 'serve', 'test']) expect(scripts[name]).toMatch(/^node scripts\/check-node\.cjs && /);
  });
});
