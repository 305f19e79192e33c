import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCore, testTempDir } from '../testing/temp-core';
import { testServer } from '../testing/test-server';
import type { LoopbackServer } from './loopback-server';

/** One raw HTTP/1.1 request, exactly as written (no client normalises the path); resolves with the status and body. */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), body: answer.slice(answer.indexOf('\r\n\r\n') + 4) }));
    socket.on('connect', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
  });
}

describe('the UI files', () => {
  let server: LoopbackServer;
  let port: number;

  beforeEach(async () => {
    const { core } = await startTestCore();
    const dir = testTempDir();
    const ui = path.join(dir, 'ui');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log("app")');
    fs.writeFileSync(path.join(ui, 'assets', 'app.js.map'), '{"sources":["SECRET-SOURCE"]}');
    fs.writeFileSync(path.join(ui, '.env'), 'SECRET-DOTFILE');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET-OUTSIDE');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ui, 'assets', 'leak.txt'));
    fs.symlinkSync(outside, path.join(ui, 'out'));
    fs.symlinkSync(path.join(ui, 'assets', 'app.js.map'), path.join(ui, 'assets', 'innocent.js'));
    fs.symlinkSync(path.join(ui, 'assets', 'app.js'), path.join(ui, 'assets', 'alias.js'));
    ({ server, port } = await testServer(core, { staticDir: ui }));
  });

  afterEach(async () => {
    await server.stop();
  });

  it('serves the page and its script, with the page uncached and under its CSP', async () => {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>ui</title>');
    const script = await fetch(`http://127.0.0.1:${port}/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const etag = script.headers.get('etag')!;
    expect((await fetch(`http://127.0.0.1:${port}/assets/app.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    // A symlink that stays inside the UI folder is a file of the UI like any other.
    expect((await rawGet(port, '/assets/alias.js')).body).toContain('console.log');
  });

  it('serves no source map, however the path is spelled', async () => {
    for (const target of [
      '/assets/app.js.map',
      '/assets/app.js.ma%70',
      '/assets/app.js%2emap',
      '/assets/app.js%2Emap',
      '/assets/app.js.map/',
      '/assets/app.js.map//',
      '/assets//app.js.map',
      '/assets/./app.js.map',
      '/x/../assets/app.js.map',
      '/assets%2fapp.js.map',
      '/assets/app.js.MAP',
      '/assets/app%2Ejs%2Emap%2F',
      '/assets/innocent.js',
    ]) {
      const answer = await rawGet(port, target);
      expect(answer.status, target).toBe(404);
      expect(answer.body, target).not.toContain('SECRET');
    }
  });

  it('serves nothing reached through a symlink that leaves the UI folder, nor a dotfile', async () => {
    for (const target of ['/assets/leak.txt', '/out/secret.txt', '/out%2Fsecret.txt', '/.env', '/%2eenv', '/assets/../.env']) {
      const answer = await rawGet(port, target);
      expect(answer.status, target).toBe(404);
      expect(answer.body, target).not.toContain('SECRET');
    }
    expect((await rawGet(port, '/assets/%ZZ')).status).toBe(400);
  });
});
