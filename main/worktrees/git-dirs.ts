import fs from 'node:fs';
import path from 'node:path';

const real = (folder: string): string => {
  try {
    return fs.realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
};

/** Whether `inner` is `outer` or lies inside it (both as they are on disk, links followed). */
export function isWithin(outer: string, inner: string): boolean {
  const rel = path.relative(real(outer), real(inner));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The git folder of one checkout of a repository, found from the repository's side only: the linked
 * worktree whose record `<common>/worktrees/<name>/gitdir` (written by `git worktree add`, outside the
 * tree) names `<tree>/.git`; null when no record does (the main checkout, or a tree git no longer knows).
 * The tree's own `.git` file is never read: it is a file in the tree, and whoever edits the tree can
 * point it anywhere.
 */
export function linkedGitDir(commonDir: string, tree: string): string | null {
  const records = path.join(commonDir, 'worktrees');
  let names: string[];
  try {
    names = fs.readdirSync(records);
  } catch {
    return null;
  }
  const want = path.join(real(tree), '.git');
  const wantAsGiven = path.join(path.resolve(tree), '.git');
  for (const name of names) {
    let named: string;
    try {
      named = fs.readFileSync(path.join(records, name, 'gitdir'), 'utf8').trim();
    } catch {
      continue;
    }
    const resolved = path.resolve(records, name, named);
    if (resolved === want || resolved === wantAsGiven || path.join(real(path.dirname(resolved)), '.git') === want) return path.join(records, name);
  }
  return null;
}
