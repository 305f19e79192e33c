import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The most a file handed to a chat may weigh (Telegram's own limit for a bot's document). */
export const MAX_SENDABLE_BYTES = 50 * 1024 * 1024;

/** What a file sent out of the machine is checked against: where Switchboard keeps its data, and the environment that names Claude Code's folder. */
export interface SendRules {
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

/** A file that may leave: its real path (no symlink left in it), and what it was when checked. */
export interface SendableFile {
  real: string;
  size: number;
  dev: number;
  ino: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function realOrSelf(file: string): Promise<string> {
  return fs.promises.realpath(file).catch(() => path.resolve(file));
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);

/** Claude Code's credentials, where the environment puts them and where they are by default, both as given and as their real paths. */
async function credentialFiles(env: NodeJS.ProcessEnv): Promise<string[]> {
  const home = env.HOME || os.homedir();
  const given = [...new Set([env.CLAUDE_CONFIG_DIR, path.join(home, '.claude')].filter((d): d is string => Boolean(d)).map((d) => path.join(path.resolve(d), '.credentials.json')))];
  return [...new Set([...given, ...(await Promise.all(given.map(realOrSelf)))])];
}

/**
 * Whether a file may be sent out (to a chat, to whoever reads it there), and why not in words naming
 * the rule: only a regular file, never anything under the data folder (its secrets and database),
 * never Claude Code's credentials, never through a symlink to either (the real path decides), at most
 * 50 MB. Nothing here holds the event loop: every look at the disk is asynchronous.
 */
export async function checkSendable(file: string, rules: SendRules): Promise<{ ok: true; file: SendableFile } | { ok: false; reason: string }> {
  const given = path.resolve(file);
  let real: string;
  try {
    real = await fs.promises.realpath(given);
  } catch {
    return { ok: false, reason: `there is no file at ${given}` };
  }
  const dataDirs = [path.resolve(rules.dataDir), await realOrSelf(rules.dataDir)];
  if (dataDirs.some((dir) => inside(given, dir) || inside(real, dir))) {
    return { ok: false, reason: `${given} is in Switchboard's data folder (${dataDirs[0]}), which holds its secrets and database: nothing from it is sent` };
  }
  const credentials = await credentialFiles(rules.env);
  if (credentials.includes(given) || credentials.includes(real) || path.basename(real) === '.credentials.json') {
    return { ok: false, reason: `${given}${real !== given ? ` (${real})` : ''} is Claude Code's credentials file: it is never sent` };
  }
  const stats = await fs.promises.stat(real).catch(() => null);
  if (!stats) return { ok: false, reason: `there is no file at ${given}` };
  if (!stats.isFile()) return { ok: false, reason: `${given} is ${stats.isDirectory() ? 'a folder' : 'not a regular file (a device, pipe or socket)'}: only regular files are sent` };
  if (stats.size > MAX_SENDABLE_BYTES) return { ok: false, reason: `${given} is ${mb(stats.size)}: at most ${mb(MAX_SENDABLE_BYTES)} is sent` };
  return { ok: true, file: { real, size: stats.size, dev: stats.dev, ino: stats.ino } };
}

/**
 * The content of a file that passed `checkSendable`, read without holding the event loop; checked
 * again as it is opened (no symlink at its end, the same file, a regular one, within the limit), so a
 * file swapped after the check is not what goes out.
 */
export async function readSendable(file: string, rules: SendRules): Promise<Buffer> {
  const checked = await checkSendable(file, rules);
  if (!checked.ok) throw new Error(checked.reason);
  const handle = await fs.promises.open(checked.file.real, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.dev !== checked.file.dev || stats.ino !== checked.file.ino) throw new Error(`${file} changed while it was being sent`);
    if (stats.size > MAX_SENDABLE_BYTES) throw new Error(`${file} is ${mb(stats.size)}: at most ${mb(MAX_SENDABLE_BYTES)} is sent`);
    const content = Buffer.alloc(stats.size);
    let read = 0;
    while (read < stats.size) {
      const { bytesRead } = await handle.read(content, read, Math.min(1024 * 1024, stats.size - read), read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return content.subarray(0, read);
  } finally {
    await handle.close();
  }
}
