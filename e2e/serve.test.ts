import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../main/storage/database';
import { migrations } from '../main/storage/migrations';
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

  it('prints its usage for --help, and an unknown option says where to find it, starting nothing', () => {
    const home = tempHome();
    const run = (args: string[]) => spawnSync(process.execPath, [SERVE_JS, ...args], { env: { ...process.env, SWITCHBOARD_HOME: home }, encoding: 'utf8', timeout: 15_000 });
    for (const args of [['--help'], ['serve', '-h'], ['help']]) {
      const help = run(args);
      expect(help.status, args.join(' ')).toBe(0);
      expect(help.stdout).toContain('switchboard mcp');
      expect(help.stdout).toContain('--allow-host');
    }
    const unknown = run(['serve', '--verbose']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown option "--verbose" (switchboard --help lists them)');
    expect(fs.existsSync(path.join(home, 'switchboard.db'))).toBe(false);
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

/** Every file under a folder but the log, by path, with a hash of its bytes: what "left as found" compares. */
function filesIn(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || path.relative(dir, file).startsWith('logs')) continue;
    found[path.relative(dir, file)] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return found;
}

/** Runs the built server once on a data dir and returns how it ended. */
function serveOnce(home: string, options: { node?: string; script?: string } = {}) {
  return spawnSync(options.node ?? process.execPath, [options.script ?? SERVE_JS, 'serve', '--port', '0'], {
    env: { ...process.env, SWITCHBOARD_HOME: home },
    encoding: 'utf8',
    timeout: 15_000,
  });
}

describe('switchboard serve after a crash or a damaged data folder', () => {
  for (const damage of ['truncated to 0 bytes', 'removed'] as const) {
    it(`refuses a database ${damage} while the clean-quit record names one of 16 MB, leaves every file as found, and says how to restore it`, async () => {
      const home = tempHome();
      await (await serve(home)).stop();
      const db = path.join(home, 'switchboard.db');
      // 16 MB of history, closed cleanly as the server does (the record beside it names the size).
      const grown = openDatabase(db, migrations);
      grown.exec('CREATE TABLE filler (b BLOB)');
      const insert = grown.prepare('INSERT INTO filler VALUES (randomblob(1048576))');
      for (let i = 0; i < 16; i++) insert.run();
      closeDatabase(grown, db);
      const backup = path.join(tempHome(), 'switchboard.db');
      fs.copyFileSync(db, backup);
      if (damage === 'removed') fs.rmSync(db);
      else fs.truncateSync(db, 0);
      const before = filesIn(home);

      const run = serveOnce(home);
      expect(run.status).toBe(1);
      expect(run.stdout).not.toContain('UI:');
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`The database ${db} ${damage === 'removed' ? 'is missing' : 'is empty (0 bytes)'}, but the last clean quit left it with 16.`);
      expect(lines[0]).toContain('Put the file back (from a backup');
      expect(lines[0]).toContain(`remove ${db}.clean`);
      const id = /\(error ([A-Z2-9]{8}); the log (\S+) has the details\)$/.exec(lines[0]!);
      expect(id).not.toBeNull();
      expect(filesIn(home)).toEqual(before);
      const logged = fs
        .readFileSync(id![2]!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.id === id![1]);
      expect(logged).toMatchObject({ level: 'error', found: damage === 'removed' ? 'missing' : 'empty', cleanRecord: { size: fs.statSync(backup).size } });

      // The advice works: with the file put back, it starts, and the history is there.
      fs.copyFileSync(backup, db);
      await (await serve(home)).stop();
      const restored = new BetterSqlite3(db, { readonly: true });
      expect(restored.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(16);
      restored.close();
    });
  }

  it('names a damaged secrets.json and what to do, in one line, and leaves it as it is', () => {
    const home = tempHome();
    const secrets = path.join(home, 'secrets.json');
    const damaged = '{"server.token": "0123456789abcdef';
    fs.writeFileSync(secrets, damaged, { mode: 0o600 });
    const run = serveOnce(home);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('UI:');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^switchboard: The secrets file ${secrets} is damaged: it is not valid JSON .*Restore it from a backup, or move it aside to start with new tokens.* \\(error [A-Z2-9]{8}; the log .* has the details\\)$`));
    // What the file holds is a secret: it is not echoed.
    expect(run.stderr).not.toContain('0123456789');
    expect(fs.readFileSync(secrets, 'utf8')).toBe(damaged);
  });
});

describe('the switchboard command (package.json bin)', () => {
  const bin = path.join(ROOT, (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { switchboard: string } }).bin.switchboard);
  // An older Node on this machine (Debian's), found as a user would have it on PATH.
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((node) => {
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    return version && Number(/^v(\d+)/.exec(version)?.[1]) < 22;
  });

  it.skipIf(!oldNode)('says in one line which Node it needs when run by an older one, instead of dying of a segmentation fault', () => {
    const home = tempHome();
    const run = serveOnce(home, { node: oldNode, script: bin });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^switchboard: needs Node\.js 22\.12 or newer, this is \d+\.\d+\.\d+\. Install Node 22 LTS/);
    // Nothing was loaded, so nothing was written.
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('starts the server on the Node it needs', async () => {
    const served = temp.track(await startServe(tempHome(), { script: bin }));
    expect(served.output().split('\n').filter((l) => l.startsWith('UI: '))).toHaveLength(1);
  });
});

describe("serve's bundle", () => {
  // V8 keeps a module's whole source for as long as it runs, at two bytes a character once one
  // character is outside ASCII: this is most of serve's idle memory when it goes wrong.
  it('is ASCII only and leaves the chat apps, mail and templates to chunks loaded when first used', () => {
    const source = fs.readFileSync(SERVE_JS, 'latin1');
    expect(source.match(/[\u0080-\u00ff]/g) ?? []).toEqual([]);
    for (const lazy of ['discord-adapter', 'telegram-adapter', 'nodemailer', 'liquid']) {
      expect(source).toMatch(new RegExp(`import\\("\\./chunks/${lazy}[-.][^"]*\\.js"\\)`));
      expect(source).not.toMatch(new RegExp(`from\\s*"\\./chunks/${lazy}`));
    }
    expect(fs.statSync(SERVE_JS).size).toBeLessThan(3_000_000);
  });
});
