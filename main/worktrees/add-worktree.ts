import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import { makePrivateDir } from '../storage/private-files';
import { ownWorktreeFolders, projectFolder } from '../storage/session-folders';
import { git } from './git';
import type { RepoGit } from './repo-git';
import { branchSlug } from './rows';

const realOr = (folder: string) => {
  try {
    return fs.realpathSync(folder);
  } catch {
    return folder;
  }
};

/** Where a new worktree went: the repository, its git folder, the tree, its branch and what it started from. */
export interface AddedWorktree {
  repo: string;
  gitDir: string;
  tree: string;
  branch: string;
  base: string;
  baseCommit: string;
}

/**
 * `git worktree add` of the repository holding `cwd`, on a new branch `switchboard/<slug>` from
 * `baseBranch` (the repository's current branch by default), under `<data>/worktrees/<session id>`.
 * Refuses, in words, a folder outside any repository, a repository without commits, a detached HEAD
 * without a chosen base, and an unknown base branch.
 */
export async function addWorktree(git0: RepoGit, dataDir: string, input: { sessionId: string; cwd: string; title: string; baseBranch?: string }): Promise<AddedWorktree> {
  // A worktree of another session's worktree would merge into that session's branch, not the repository;
  // and git is not even started there (its `.git` file is Claude's to edit): checked before the first command.
  const own = [ownWorktreeFolders(dataDir), ownWorktreeFolders(realOr(dataDir))];
  const ownTree = (f: string) => own.some((o) => path.resolve(f).startsWith(o + path.sep) || realOr(f).startsWith(o + path.sep));
  const refuseOwn = () => {
    throw new AppError('invalid_input', `cwd: ${input.cwd} is another Switchboard session's worktree. Start the new session from the repository itself (${projectFolder(dataDir, input.cwd)}).`);
  };
  if (ownTree(input.cwd)) refuseOwn();
  const opts = git0.inFolder(input.cwd);
  const top = await git(['rev-parse', '--show-toplevel'], opts).catch(() => {
    throw new AppError('invalid_input', `cwd: ${input.cwd} is not in a git repository, so the session cannot have a worktree of its own. Choose a folder inside a repository, or start it without a worktree.`);
  });
  const repo = top.stdout.trim();
  if (ownTree(repo)) refuseOwn();
  const gitDir = path.resolve(repo, (await git(['rev-parse', '--git-common-dir'], git0.inFolder(repo))).stdout.trim());
  let base = input.baseBranch;
  if (base === undefined) {
    const head = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { ...git0.inFolder(repo), okCodes: [1] });
    base = head.stdout.trim();
    if (!base) throw new AppError('invalid_input', `baseBranch: ${repo} is on no branch (a detached HEAD); name the branch the session should start from.`);
  }
  if (base.startsWith('-') || (await git(['check-ref-format', '--branch', base], { ...git0.inFolder(repo), okCodes: [1, 128] })).code !== 0) {
    throw new AppError('invalid_input', `baseBranch: “${base}” is not a branch name git accepts.`);
  }
  const baseCommit = (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${base}^{commit}`], { ...git0.inFolder(repo), okCodes: [1] })).stdout.trim();
  if (!baseCommit) {
    const any = (await git(['rev-parse', '--verify', '--quiet', 'HEAD'], { ...git0.inFolder(repo), okCodes: [1, 128] })).stdout.trim();
    throw new AppError('invalid_input', any ? `baseBranch: ${repo} has no branch named ${base}.` : `cwd: ${repo} has no commits yet, so there is nothing to start a worktree from. Make a first commit there.`);
  }
  let branch = `switchboard/${branchSlug(input.title)}`;
  for (let n = 2; (await git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { ...git0.inFolder(repo), okCodes: [1] })).code === 0; n++) {
    branch = `switchboard/${branchSlug(input.title)}-${n}`;
  }
  const root = path.join(dataDir, 'worktrees');
  makePrivateDir(root);
  const tree = path.join(root, input.sessionId);
  await git(['worktree', 'add', '--no-track', '-b', branch, tree, baseCommit], { ...git0.inFolder(repo), timeoutMs: 10 * 60_000 });
  return { repo, gitDir, tree, branch, base, baseCommit };
}
