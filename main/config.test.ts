import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseServeArgs, resolveDataDir, UsageError } from './config';

describe('serve options', () => {
  it('binds loopback on the default port unless told otherwise', () => {
    expect(parseServeArgs(['serve'], {})).toEqual({ host: '127.0.0.1', port: DEFAULT_PORT, allowHosts: [] });
  });

  it('takes --host and --port, in both spellings, over SWITCHBOARD_PORT', () => {
    expect(parseServeArgs(['serve', '--port', '9000', '--host=0.0.0.0'], { SWITCHBOARD_PORT: '8000' })).toEqual({ host: '0.0.0.0', port: 9000, allowHosts: [] });
    expect(parseServeArgs(['serve'], { SWITCHBOARD_PORT: '8000' }).port).toBe(8000);
  });

  it('collects --allow-host names, repeated or comma-separated', () => {
    expect(parseServeArgs(['serve', '--allow-host', 'box.tailnet.ts.net,phone.lan', '--allow-host=nas'], {}).allowHosts).toEqual(['box.tailnet.ts.net', 'phone.lan', 'nas']);
  });

  it('refuses a bad port or an unknown flag with a usage error naming it', () => {
    expect(() => parseServeArgs(['--port', 'http'], {})).toThrow(/--port: "http" is not a port/);
    expect(() => parseServeArgs([], { SWITCHBOARD_PORT: '70000' })).toThrow(/SWITCHBOARD_PORT/);
    expect(() => parseServeArgs(['--verbose'], {})).toThrow(UsageError);
    expect(() => parseServeArgs(['--host'], {})).toThrow(/--host needs a value/);
  });
});

describe('data dir', () => {
  it('prefers SWITCHBOARD_HOME, else the shell default, always absolute', () => {
    expect(resolveDataDir({ SWITCHBOARD_HOME: 'rel/dir' }, '/default')).toBe(path.resolve('rel/dir'));
    expect(resolveDataDir({}, '/default')).toBe('/default');
    expect(resolveDataDir({}).endsWith('.switchboard')).toBe(true);
  });
});
