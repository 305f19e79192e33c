import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../testing/temp-core';
import { FileSecretStore, type Cipher } from './secret-store';

// A reversible stand-in for safeStorage (which needs the Electron runtime): enough to show values are not stored plain.
const xorCipher: Cipher = {
  encrypt: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
  decrypt: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString('utf8'),
};

describe('FileSecretStore', () => {
  it('keeps secrets in a file only the user can read', () => {
    const dir = testTempDir();
    const store = new FileSecretStore(path.join(dir, 'secrets.json'));
    expect(store.get('server.token')).toBeNull();
    store.set('server.token', 'abc');
    store.set('telegram.token', 'def');
    expect(new FileSecretStore(store.file).get('server.token')).toBe('abc');
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
    store.delete('server.token');
    expect(store.get('server.token')).toBeNull();
    expect(store.get('telegram.token')).toBe('def');
  });

  it('stores only ciphertext when given a cipher', () => {
    const dir = testTempDir();
    const store = new FileSecretStore(path.join(dir, 'secrets.json'), xorCipher);
    store.set('bot', 'very-secret-value');
    expect(fs.readFileSync(store.file, 'utf8')).not.toContain('very-secret-value');
    expect(store.get('bot')).toBe('very-secret-value');
  });

  it('refuses a file that is not a secrets file instead of overwriting it', () => {
    const dir = testTempDir();
    const file = path.join(dir, 'secrets.json');
    fs.writeFileSync(file, '[1,2]');
    const store = new FileSecretStore(file);
    expect(() => store.set('a', 'b')).toThrow(/not a secrets file/);
    expect(fs.readFileSync(file, 'utf8')).toBe('[1,2]');
  });
});
