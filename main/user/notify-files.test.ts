import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { readSendable } from '../sendable-file';
import { owner, pair, startTelegram, type TelegramHarness } from '../testing/telegram-harness';

let t: TelegramHarness | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('a file handed to the chats by user.notify (notify_user)', () => {
  it('goes out only when it is a regular file outside the data folder, not Claude Code’s credentials nor a symlink to them, at most 50 MB; refused in words before anything is queued', { timeout: 60_000 }, async () => {
    t = await startTelegram();
    await pair(t);
    const { core, home, env } = t.harness;
    const dataDir = core.config.dataDir;
    const project = path.join(home, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), '{"telegram":"DATA-SECRET"}');
    const claudeDir = env.CLAUDE_CONFIG_DIR!;
    fs.mkdirSync(claudeDir, { recursive: true });
    fs.writeFileSync(path.join(claudeDir, '.credentials.json'), '{"token":"CLAUDE-SECRET"}');
    fs.symlinkSync(path.join(claudeDir, '.credentials.json'), path.join(project, 'notes.txt'));
    fs.symlinkSync(path.join(dataDir, 'secrets.json'), path.join(project, 'config.txt'));
    fs.symlinkSync(dataDir, path.join(project, 'data'));
    const big = path.join(project, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 50 * 1024 * 1024 + 1);

    const refusals: [string, RegExp][] = [
      [path.join(dataDir, 'secrets.json'), /Switchboard's data folder/],
      [path.join(dataDir, 'switchboard.db'), /Switchboard's data folder/],
      [path.join(claudeDir, '.credentials.json'), /Claude Code's credentials/],
      [path.join(project, 'notes.txt'), /Claude Code's credentials/],
      [path.join(project, 'config.txt'), /Switchboard's data folder/],
      [path.join(project, 'data', 'secrets.json'), /Switchboard's data folder/],
      [project, /only regular files are sent/],
      ['/dev/zero', /only regular files are sent/],
      [big, /50\.0 MB is sent/],
      [path.join(project, 'missing.txt'), /no file at/],
    ];
    for (const [filePath, rule] of refusals) {
      const result = await core.router.call('user.notify', { text: `refused ${path.basename(filePath)}`, filePath }, desktopCaller);
      expect(result.ok, filePath).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message, filePath).toMatch(/^filePath: /);
      expect(result.error.message, filePath).toMatch(rule);
    }

    // A file that may go: sent, after everything refused (the outbox sends a chat's entries in order).
    fs.writeFileSync(path.join(project, 'report.txt'), 'the weekly report');
    expect(await core.router.call('user.notify', { text: 'here it is', filePath: path.join(project, 'report.txt') }, desktopCaller)).toEqual({ ok: true, value: { delivered: expect.arrayContaining(['telegram']) } });
    const doc = await t.tg.until(() => t!.tg.chat(owner.id).find((m) => m.document), 20_000, 'the report');
    expect(doc.document!.content.toString()).toBe('the weekly report');
    const seen = t.tg.chat(owner.id);
    expect(seen.filter((m) => m.document)).toHaveLength(1);
    expect(seen.some((m) => m.text.includes('refused'))).toBe(false);
    expect(seen.some((m) => m.document?.content.toString().includes('SECRET'))).toBe(false);
  });

  it('reads the file again as it sends it: one swapped for a symlink to the credentials after the check is not sent', async () => {
    t = await startTelegram({ connected: false });
    const { core, home, env } = t.harness;
    const rules = { dataDir: core.config.dataDir, env };
    const claudeDir = env.CLAUDE_CONFIG_DIR!;
    fs.mkdirSync(claudeDir, { recursive: true });
    fs.writeFileSync(path.join(claudeDir, '.credentials.json'), '{"token":"CLAUDE-SECRET"}');
    const file = path.join(home, 'out.txt');
    fs.writeFileSync(file, 'fine');
    expect((await readSendable(file, rules)).toString()).toBe('fine');
    fs.rmSync(file);
    fs.symlinkSync(path.join(claudeDir, '.credentials.json'), file);
    await expect(readSendable(file, rules)).rejects.toThrow(/credentials/);
  });
});
