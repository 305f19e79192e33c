import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../testing/temp-core';
import { processStartTime } from '../process-identity';
import { DataDirLock } from './data-dir-lock';

describe('DataDirLock', () => {
  it('takes over a lock whose process is gone, refuses a live one, and releases only its own', () => {
    const dir = testTempDir();
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

describe('DataDirLock identity and take-over', () => {
  it('takes over a lock whose pid now belongs to another program', () => {
    const dir = testTempDir();
    // A live process that is not a Switchboard: its start time is not the one the lock recorded.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, 'switchboard.lock'), JSON.stringify({ pid: other.pid, started: Date.now() - 3_600_000, token: 'old' }));
      const lock = new DataDirLock(dir);
      lock.acquire();
      expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
      lock.release();
    } finally {
      other.kill();
    }
  });

  it('refuses a live Switchboard whose start time matches', () => {
    const dir = testTempDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, 'switchboard.lock'), JSON.stringify({ pid: holder.pid, started: processStartTime(holder.pid!), token: 'live' }));
      expect(() => new DataDirLock(dir).acquire()).toThrow(`another Switchboard (pid ${holder.pid})`);
    } finally {
      holder.kill();
    }
  });

  it('lets exactly one of several starters racing for a stale lock win', async () => {
    const dir = testTempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dir, 'switchboard.lock'), JSON.stringify({ pid: Number(dead), started: 1, token: 'stale' }));
    const script = path.join(dir, 'race.ts');
    const lockModule = path.resolve(import.meta.dirname, 'data-dir-lock.ts');
    // Each starter waits for a shared instant, then tries; it holds the lock until told to quit.
    fs.writeFileSync(
      script,
      `import { DataDirLock } from ${JSON.stringify(lockModule)};
       const at = Number(process.argv[2]);
       while (Date.now() < at) {}
       try { new DataDirLock(${JSON.stringify(dir)}).acquire(); console.log('won'); } catch (e) { console.log('refused: ' + e.message); }
       setTimeout(() => {}, 3000);`,
    );
    const at = Date.now() + 1500;
    const children = Array.from({ length: 6 }, () => spawn(process.execPath, ['--import', 'tsx', script, String(at)], { cwd: path.resolve(import.meta.dirname, '../..') }));
    // All stay alive until all have answered: a winner that exits early would rightly be taken over.
    const answers = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = '';
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              if (out.includes('\n')) resolve(out.trim());
            });
            child.on('exit', () => resolve(out.trim()));
          }),
      ),
    );
    children.forEach((child) => child.kill());
    expect(answers.filter((a) => a === 'won')).toHaveLength(1);
    expect(answers.filter((a) => a.startsWith('refused: another Switchboard'))).toHaveLength(5);
  }, 30_000);
});

describe('DataDirLock after a kill -9', () => {
  it('takes over a lock whose holder is a zombie (killed, not yet reaped by its parent)', async () => {
    const dir = testTempDir();
    // The parent shell puts a child in the background, then becomes `sleep`, which never reaps it.
    const parent = spawn('/bin/sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const holder = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      const comm = () => fs.readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim();
      await expect.poll(comm).toBe('sleep');
      fs.writeFileSync(path.join(dir, 'switchboard.lock'), JSON.stringify({ pid: holder, started: processStartTime(holder), token: 'killed' }));
      process.kill(holder, 'SIGKILL');
      const state = () => fs.readFileSync(`/proc/${holder}/stat`, 'utf8').split(') ')[1]![0];
      await expect.poll(state).toBe('Z');
      const lock = new DataDirLock(dir);
      lock.acquire();
      expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
