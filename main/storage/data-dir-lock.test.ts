import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../testing/temp-core';
import { DataDirLock } from './data-dir-lock';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeTempDir));

describe('DataDirLock', () => {
  it('takes over a lock whose process is gone, refuses a live one, and releases only its own', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    // A pid that existed and has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dir, 'switchboard.lock'), `${dead}:old`);
    const lock = new DataDirLock(dir);
    lock.acquire();
    expect(() => new DataDirLock(dir).acquire()).toThrow(`another Switchboard (pid ${process.pid}) is using ${dir}`);
    new DataDirLock(dir).release();
    expect(fs.existsSync(lock.file)).toBe(true);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });
});
