import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVE_JS, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const tempHome = temp.home;
const serve = async (home: string) => temp.track(await startServe(home));
afterEach(() => temp.cleanup());

describe('switchboard serve', () => {
  it('prints one UI line with a token kept 0600 in the data dir, the same on every start', async () => {
    const home = tempHome();
    const first = await serve(home);
    expect(first.output().split('\n').filter((l) => l.startsWith('UI: '))).toHaveLength(1);
    expect(fs.statSync(path.join(home, 'secrets.json')).mode & 0o777).toBe(0o600);
    await first.stop();
    expect((await serve(home)).token).toBe(first.token);
  });

  it('stops with a message naming a damaged database, and leaves it as it was', () => {
    const home = tempHome();
    const db = path.join(home, 'switchboard.db');
    fs.writeFileSync(db, 'not a database '.repeat(300));
    const run = spawnSync(process.execPath, [SERVE_JS, 'serve', '--port', '0'], {
      env: { ...process.env, SWITCHBOARD_HOME: home },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(db);
    expect(run.stderr).toContain('failed its integrity check');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).not.toContain('UI:');
    expect(fs.readFileSync(db, 'utf8')).toBe('not a database '.repeat(300));
  });

  it('explains a port in use instead of crashing', async () => {
    const served = await serve(tempHome());
    const run = spawnSync(process.execPath, [SERVE_JS, 'serve', '--port', String(served.port)], {
      env: { ...process.env, SWITCHBOARD_HOME: tempHome() },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`port ${served.port} on 127.0.0.1 is in use`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
