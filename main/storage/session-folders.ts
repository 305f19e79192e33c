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

/**
 * Per data folder, the repository each session worktree was made from, as the worktree service recorded
 * it (main/worktrees owns that table). Never read from the tree's `.git` file: Claude can rewrite it to
 * name a folder of its choosing, which would then be offered as a project.
 */
const worktreeRepos = new Map<string, (tree: string) => string | null>();

/** Called by the worktree service of a data folder, so that its trees name their repositories. */
export function registerWorktreeRepos(dataDir: string, repoOf: (tree: string) => string | null): void {
  worktreeRepos.set(path.resolve(dataDir), repoOf);
}

function worktreeRepo(dataDir: string, tree: string): string | null {
  try {
    return worktreeRepos.get(path.resolve(dataDir))?.(tree) ?? null;
  } catch {
    // The database is not open (a stopped core): the folder stands for itself.
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
  const repo = id ? worktreeRepo(dataDir, root + id) : null;
  return repo ? path.join(repo, ...rest) : folder;
}
