import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { startSmtpStandIn } from '../testing/smtp-stand-in';
import { makeTempDir, removeTempDir, testCore } from '../testing/temp-core';
import { SMTP_PASSWORD_SECRET } from './mail-service';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function core(): Promise<{ core: Core; dir: string }> {
  const dir = makeTempDir('switchboard-mail-');
  cleanups.push(() => removeTempDir(dir));
  const c = testCore(path.join(dir, 'data'));
  await c.start();
  cleanups.push(() => c.stop());
  return { core: c, dir };
}

describe('mail settings and the test message', { timeout: 30_000 }, () => {
  it('sends a test through a server that wants a login, with the password kept with the secrets only, and says what the server answered', async () => {
    const smtp = await startSmtpStandIn({ login: { user: 'olivia', pass: 's3cret pass' } });
    cleanups.push(smtp.stop);
    const { core: c, dir } = await core();
    const call = c.router.call.bind(c.router);
    expect(await call('mail.status', {}, desktopCaller)).toEqual({ ok: true, value: { configured: false, passwordSet: false } });
    // Not set up: refused in words, naming what is missing.
    expect(await call('mail.test', { to: 'olivia@example.test' }, desktopCaller)).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('SMTP server') } });

    for (const change of [
      { key: 'mail.smtpHost', value: '127.0.0.1' },
      { key: 'mail.smtpPort', value: smtp.port },
      { key: 'mail.smtpUser', value: 'olivia' },
      { key: 'mail.from', value: 'Switchboard <bot@example.test>' },
    ] as const)
      expect((await call('settings.set', change, desktopCaller)).ok).toBe(true);

    // A wrong password: the server's refusal comes back in the message.
    await call('mail.setPassword', { password: 'wrong' }, desktopCaller);
    const refused = await call('mail.test', { to: 'olivia@example.test' }, desktopCaller);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/^The mail server 127\.0\.0\.1 did not take the message: Invalid login: 535 Authentication credentials invalid \(error [0-9A-Z]+\)\.$/) } });
    expect(smtp.mails).toHaveLength(0);

    expect(await call('mail.setPassword', { password: 's3cret pass' }, desktopCaller)).toEqual({ ok: true, value: { set: true } });
    expect(await call('mail.status', {}, desktopCaller)).toEqual({ ok: true, value: { configured: true, passwordSet: true } });
    const sent = await call('mail.test', { to: 'olivia@example.test' }, desktopCaller);
    expect(sent).toMatchObject({ ok: true, value: { accepted: ['olivia@example.test'], rejected: [], response: expect.stringMatching(/^250 /) } });
    expect(smtp.mails).toEqual([expect.objectContaining({ from: 'bot@example.test', to: ['olivia@example.test'], user: 'olivia' })]);
    expect(smtp.mails[0]!.raw).toContain('Subject: Switchboard: test message');
    expect(smtp.mails[0]!.raw).toContain('<strong>Switchboard</strong>');

    // The password is a secret: not in the settings, not in the database file.
    expect(c.config.secrets.get(SMTP_PASSWORD_SECRET)).toBe('s3cret pass');
    expect(JSON.stringify(await call('settings.list', {}, desktopCaller))).not.toContain('s3cret');
    expect(fs.readFileSync(path.join(dir, 'data', 'switchboard.db')).includes('s3cret pass')).toBe(false);

    // Only the owner sends tests and sets the password; null forgets it.
    const chat = { surface: 'telegram' as const, actor: 'telegram:42' };
    expect(await call('mail.test', { to: 'mallory@example.test' }, chat)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await call('mail.setPassword', { password: 'hijack' }, chat)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await call('mail.setPassword', { password: null }, desktopCaller)).toEqual({ ok: true, value: { set: false } });
    expect(c.config.secrets.get(SMTP_PASSWORD_SECRET)).toBeNull();
  });
});
