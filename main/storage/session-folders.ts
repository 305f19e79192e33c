import fs from 'node:fs';
import path from 'node:path';

/** Sessions started without a project folder each get their own under the data folder: `<data>/sessions/<id>`. */
export function ownSessionFolders(dataDir: string): string {
  return path.join(dataDir, 'sessions');
}

/** Whether a session's folder is one of those rather than a project of the user's. */
export function isOwnSessionFolder(dataDir: string, folder: string): boolean {
  return folder.startsWith(ownSessionFolders(dataDir) + path.sep);
}

/** Where sessions with a worktree of their own work: `<data>/worktrees/<session id>`. */
export function ownWorktreeFolders(dataDir: string): string {
  return path.join(dataDir, 'worktrees');
}

/** Whether a folder is one of Switchboard's own (a session's folder or a session's worktree), never a project to offer. */
export function isSwitchboardFolder(dataDir: string, folder: string): boolean {
  return isOwnSessionFolder(dataDir, folder) || folder.startsWith(ownWorktreeFolders(dataDir) + path.sep);
}

// A worktree's repository never changes: read once per tree.
const repoOfTree = new Map<string, string>();

/** The repository a git worktree belongs to, from its `.git` file and the `commondir` git keeps; null when it is not one (or is gone). */
function worktreeRepo(tree: string): string | null {
  const known = repoOfTree.get(tree);
  if (known) return known;
  try {
    const link = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(path.join(tree, '.git'), 'utf8'))?.[1]?.trim();
    if (!link) return null;
    const gitDir = path.resolve(tree, link);
    const common = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
    const repo = path.basename(common) === '.git' ? path.dirname(common) : common;
    repoOfTree.set(tree, repo);
    return repo;
  } catch {
    return null;
  }
}

/**
 * The project a session's folder stands for: a session in a worktree of its own works in
 * `<data>/worktrees/<id>`, but its project is the repository that worktree came from (finding 5: Chats,
 * Usage and the recent folders named it by its UUID). Any other folder is its own project.
 */
export function projectFolder(dataDir: string, folder: string): string {
  const root = ownWorktreeFolders(dataDir) + path.sep;
  if (!folder.startsWith(root)) return folder;
  const [id, ...rest] = folder.slice(root.length).split(path.sep);
  const repo = id ? worktreeRepo(root + id) : null;
  return repo ? path.join(repo, ...rest) : folder;
}
