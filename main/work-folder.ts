import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ownSessionFolders } from './storage/session-folders';

const inside = (file: string, folder: string) => file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);

/** A folder's identity on disk (device and inode): another path to it (a bind mount, another case) is the same. */
function identity(folder: string): string | null {
  try {
    const stats = fs.statSync(folder, { bigint: true });
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return null;
  }
}

/** Whether `folder` is `root` or inside it, by identity, walking up from `folder`. */
function within(folder: string, root: string): boolean {
  const target = identity(root);
  if (!target) return inside(folder, root);
  for (let at = folder; ; at = path.dirname(at)) {
    if (identity(at) === target) return true;
    if (path.dirname(at) === at) return false;
  }
}

/**
 * The real path, symlinks resolved, also for a path that does not exist (yet): its deepest existing folder
 * resolved, and a dangling symlink followed to where it points. A job's folder may be missing when it is saved
 * and checked, and be made later (`link/notes` under a link to another session's folder; `cloud` → `~/.aws`).
 */
function real(folder: string, depth = 0): string {
  const given = path.resolve(folder);
  try {
    return fs.realpathSync(given);
  } catch {
    const parent = path.dirname(given);
    if (parent === given || depth > 40) return given;
    const here = path.join(real(parent, depth + 1), path.basename(given));
    try {
      // A dangling symlink: where it would lead once its target is made.
      return real(path.resolve(path.dirname(here), fs.readlinkSync(here)), depth + 1);
    } catch {
      return here;
    }
  }
}

/**
 * Why a folder may not be where Claude works for this caller, in words; null when it may. Claude reads
 * in its working folder without asking, so: nobody works in Switchboard's data folder (its secrets and
 * database; the sessions' own folders and worktrees inside it are Switchboard's to give); and from
 * outside the window (MCP, chats, Claude sessions) not in a folder that holds the data folder, not in
 * the home folder or above it, not in a hidden folder of it (`~/.ssh`, `~/.claude`, `~/.config`…), and
 * not in another session's own folder or worktree (`session` names the one being made, whose they may be).
 */
export function workFolderRefusal(folder: string, rules: { dataDir: string; env: NodeJS.ProcessEnv; owner: boolean; session?: string }): string | null {
  const given = path.resolve(folder);
  const where = real(given);
  const data = real(rules.dataDir);
  const own = [ownSessionFolders(data), path.join(data, 'worktrees')];
  const ownFolder = own.some((o) => within(where, o) && identity(where) !== identity(o));
  if ((within(where, data) || inside(given, path.resolve(rules.dataDir))) && !ownFolder) {
    return `${given} is Switchboard's data folder (or inside it), which holds its secrets and database: Claude does not work there`;
  }
  if (rules.owner) return null;
  if (ownFolder) {
    // Its own (a worktree made for it): Switchboard's to give, wherever the data folder is (~/.switchboard is hidden).
    if (own.some((o) => rules.session && within(where, path.join(o, rules.session)))) return null;
    return `${given} is another session's own folder; from outside the window, leave the folder out for one of its own, or send that session a message`;
  }
  if (within(data, where)) return `${given} holds Switchboard's data folder; from outside the window, choose a project folder inside it`;
  const home = real(rules.env.HOME || os.homedir());
  if (within(home, where)) return `${given} is your home folder or above it; from outside the window, choose a project folder`;
  const first = path.relative(home, where).split(path.sep)[0];
  if (inside(where, home) && first?.startsWith('.')) return `${given} is a hidden folder of your home (settings and keys); from outside the window, choose a project folder`;
  return null;
}
