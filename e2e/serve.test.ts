import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, SERVE_JS, startServe, tempHomes } from './support/serve';

const temp = tempHomes();
const tempHome = temp.home;
const serve = async (home: string) => temp.track(await startServe(home));
afterEach(() => temp.cleanup());

/** fetch cannot set Host (a forbidden header): a plain request with the Host a rebinding page would send. */
function statusWithHost(port: number, path: string, host: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { Host: `${host}:${port}`, Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(-1));
  });
}

describe('switchboard serve', () => {
  it('prints one UI line with a token kept 0600 in the data dir, the same on every start', async () => {
    const home = tempHome();
    const first = await serve(home);
    expect(first.output().split('\n').filter((l) => l.startsWith('UI: '))).toHaveLength(1);
    expect(fs.statSync(path.join(home, 'secrets.json')).mode & 0o777).toBe(0o600);
    await first.stop();
    expect((await serve(home)).token).toBe(first.token);
  });

  it('warns at start when no Claude CLI is found, naming where it looked and what to set', async () => {
    const served = temp.track(await startServe(tempHome(), { env: { SWITCHBOARD_CLAUDE: '/nonexistent/claude' } }));
    await expect.poll(() => served.output(), { timeout: 10_000 }).toContain('switchboard: no Claude CLI: ');
    expect(served.output()).toMatch(/no Claude CLI: .*\/nonexistent\/claude.*Settings → Claude CLI path/);
    // With the CLI there, no such line.
    const fine = await serve(tempHome());
    // The server's own probe is the one health answers from: once health says found, the start has decided.
    const health = await fetch(`${fine.base}/api/system.health`, { method: 'POST', headers: { Authorization: `Bearer ${fine.token}` }, body: '{}' });
    expect(((await health.json()) as { value: { claude: { found: boolean } } }).value.claude.found).toBe(true);
    expect(fine.output()).not.toContain('no Claude CLI');
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

  it('serves the UI page uncached, no source maps, and survives what used to end it', async () => {
    const served = await serve(tempHome());
    const page = await fetch(`${served.base}/`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    const script = /src="\.(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${served.base}${script}`)).status).toBe(200);
    expect(fs.existsSync(path.join(ROOT, 'dist/renderer', `${script}.map`))).toBe(true);
    expect((await fetch(`${served.base}${script}.map`)).status).toBe(404);
    // An <img src> on any web page can send this; it once ended the process.
    expect((await fetch(`${served.base}/api/%ZZ`, { headers: { Authorization: `Bearer ${served.token}` } })).status).toBe(400);
    expect(await statusWithHost(served.port, '/', 'rebound.example', served.token)).toBe(403);
    expect((await fetch(`${served.base}/api/`, { headers: { Authorization: `Bearer ${served.token}` } })).status).toBe(204);
    expect(served.process.exitCode).toBe(null);
  });

  it('admits a name given with --allow-host', async () => {
    const home = tempHome();
    const served = temp.track(await startServe(home, { args: ['--allow-host', 'switchboard.tailnet.example'] }));
    expect(await statusWithHost(served.port, '/api/', 'switchboard.tailnet.example', served.token)).toBe(204);
    expect(await statusWithHost(served.port, '/api/', 'other.tailnet.example', served.token)).toBe(403);
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
