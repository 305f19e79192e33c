import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import { git, type GitOptions } from './git';
import { isWithin, linkedGitDir } from './git-dirs';
import { OWN_INDEX_CONFIG, stageAll } from './stage';
import { SWITCHBOARD_IDENTITY, type WorktreeRow } from './rows';

/** What a session's worktree holds that is not in its base branch (for the delete guard): null when nothing. */
export interface UnmergedWork {
  commits: number;
  uncommittedFiles: number;
  text: string;
}

/**
 * The git steps every worktree job shares (a revision, an ancestry test, the identity of a commit, a
 * snapshot of the worktree as a tree or commit, committing everything): one place, so the merge, the
 * checkpoints and the lifecycle of a worktree ask git the same way.
 */
export class RepoGit {
  private readonly indexLocks = new Map<string, Promise<unknown>>();
  /** Each session's worktree git folder (its record in the repository), once found. */
  private readonly treeDirs = new Map<string, string>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dataDir: string,
  ) {}

  /**
   * A git command's options in a folder the user chose, git finding the repository from it. Only for that
   * folder, before the session's worktree exists (addWorktree): every later command names its repository.
   */
  inFolder(cwd: string): GitOptions {
    return { cwd, env: this.env };
  }

  /**
   * A git command's options in the session's worktree: GIT_DIR = the tree's record in the repository's git
   * folder Switchboard stored when it made the tree, GIT_WORK_TREE = the tree. The tree's `.git` file (Claude
   * can edit it) is never followed. Refuses in words when the repository or its record of the tree is gone.
   */
  inTree(row: WorktreeRow): GitOptions {
    return { cwd: row.path, env: this.env, repository: { gitDir: this.treeGitDir(row), workTree: row.path } };
  }

  /**
   * A git command's options in the repository the session came from (its refs, its worktree list): its
   * stored git folder (the checkout's own record when the repository is itself a linked worktree).
   */
  inRepo(row: WorktreeRow): GitOptions {
    this.storedGitDir(row);
    const there = fs.existsSync(row.repo);
    const gitDir = (there && linkedGitDir(row.git_dir, row.repo)) || row.git_dir;
    return { cwd: there ? row.repo : row.git_dir, env: this.env, repository: { gitDir, workTree: there ? row.repo : undefined } };
  }

  /**
   * A git command's options in a checkout of the repository that `git worktree list` named (where the base
   * branch is checked out): the main one through the stored git folder, a linked one through its record.
   */
  inCheckout(row: WorktreeRow, dir: string, main: boolean): GitOptions {
    this.storedGitDir(row);
    const gitDir = main ? row.git_dir : linkedGitDir(row.git_dir, dir);
    if (!gitDir) throw new AppError('conflict', `${row.base_branch} is checked out in ${dir}, which the repository no longer lists as one of its worktrees; nothing was changed.`);
    return { cwd: dir, env: this.env, repository: { gitDir, workTree: dir } };
  }

  /** Where the session's worktree's own git folder is: looked up once in the repository, checked every time. */
  private treeGitDir(row: WorktreeRow): string {
    const known = this.treeDirs.get(row.session_id);
    if (known && fs.existsSync(known)) return known;
    this.storedGitDir(row);
    const found = linkedGitDir(row.git_dir, row.path);
    if (!found) throw new AppError('conflict', treeUnknown(row));
    this.treeDirs.set(row.session_id, found);
    return found;
  }

  /** The stored git folder, checked: still there, and outside the worktree (a git folder inside it would be Claude's to write). */
  private storedGitDir(row: WorktreeRow): void {
    if (!fs.existsSync(row.git_dir)) throw new AppError('conflict', repositoryGone(row));
    if (isWithin(row.path, row.git_dir)) throw new AppError('conflict', `The repository recorded for this session (${row.git_dir}) lies inside its own worktree, so Switchboard will not run git there.`);
  }

  /** A revision as a full object name, in the session's worktree. */
  async revParse(row: WorktreeRow, rev: string): Promise<string> {
    return (await git(['rev-parse', '--verify', rev], this.inTree(row))).stdout.trim();
  }

  /** Whether `a` is an ancestor of `b`. */
  async isAncestor(row: WorktreeRow, a: string, b: string): Promise<boolean> {
    return (await git(['merge-base', '--is-ancestor', a, b], { ...this.inTree(row), okCodes: [1] })).code === 0;
  }

  /** The repository's own identity for commits a person will see; Switchboard's when none is configured. */
  async identity(row: WorktreeRow): Promise<Record<string, string>> {
    const email = await git(['config', 'user.email'], { ...this.inTree(row), okCodes: [1] });
    if (email.stdout.trim() || this.env.GIT_AUTHOR_EMAIL) return {};
    return SWITCHBOARD_IDENTITY;
  }

  /** Commits the worktree's changes on its branch (its own index: the worktree is Switchboard's); null when nothing changed. */
  async commitAll(row: WorktreeRow, message: string): Promise<string | null> {
    const wt = this.inTree(row);
    await stageAll(wt, false);
    const staged = await git(['diff', '--cached', '--quiet'], { ...wt, okCodes: [1] });
    if (staged.code === 0) return null;
    await git(['commit', '--quiet', '--no-verify', '-m', message], { ...wt, extraEnv: await this.identity(row) });
    return this.revParse(row, 'HEAD');
  }

  /**
   * The worktree's files as a tree object, written through an index of Switchboard's own: a copy of the
   * worktree's index the first time, then kept (`<data>/worktrees/.index-<session>`), so only files whose
   * stat changed since the last snapshot are hashed again: stageAll (what `git add -A` does), `write-tree`,
   * with the index kept split and its untracked cache on (OWN_INDEX_CONFIG). The worktree's own index and
   * files are left as they were. One snapshot at a time per session (they share that index).
   */
  snapshotTree(row: WorktreeRow): Promise<string> {
    const before = this.indexLocks.get(row.session_id) ?? Promise.resolve();
    const work = async (): Promise<string> => {
      const opts = this.inTree(row);
      const own = this.ownIndex(row.session_id);
      const env = { GIT_INDEX_FILE: own };
      if (!fs.existsSync(own)) {
        const index = path.join(opts.repository!.gitDir, 'index');
        const copied = await fs.promises.copyFile(index, own).then(
          () => true,
          () => false,
        );
        if (!copied) await git([...OWN_INDEX_CONFIG, 'read-tree', 'HEAD'], { ...opts, extraEnv: env });
      }
      try {
        await stageAll({ ...opts, extraEnv: env }, true);
        return (await git([...OWN_INDEX_CONFIG, 'write-tree'], { ...opts, extraEnv: env })).stdout.trim();
      } catch (error) {
        // A damaged or stale index of ours is only a cache: the next snapshot starts from a fresh copy.
        await fs.promises.rm(own, { force: true });
        await fs.promises.rm(`${own}.lock`, { force: true });
        throw error;
      }
    };
    const next = before.then(work, work);
    const tail = next.catch(() => {});
    this.indexLocks.set(row.session_id, tail);
    void tail.then(() => {
      if (this.indexLocks.get(row.session_id) === tail) this.indexLocks.delete(row.session_id);
    });
    return next;
  }

  /** The worktree as it is now, as a commit (the baseline the next turn is compared with). */
  async snapshotCommit(row: WorktreeRow): Promise<string> {
    const tree = await this.snapshotTree(row);
    return (await git(['-c', 'commit.gpgsign=false', 'commit-tree', tree, '-p', 'HEAD', '-m', 'Switchboard snapshot'], { ...this.inTree(row), extraEnv: SWITCHBOARD_IDENTITY })).stdout.trim();
  }

  /** What the session's worktree holds that its base does not (null when nothing, or when the tree is gone). */
  async unmergedWork(row: WorktreeRow): Promise<UnmergedWork | null> {
    if (!fs.existsSync(row.path)) return null;
    const wt = this.inTree(row);
    const status = await git(['status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=dirty'], wt);
    const uncommittedFiles = status.stdout.split('\0').filter((entry) => /^.. /.test(entry)).length;
    const base = await this.revParse(row, `refs/heads/${row.base_branch}`).catch(() => row.base_commit);
    const commits = Number((await git(['rev-list', '--count', `${base}..HEAD`], wt)).stdout.trim()) || 0;
    if (!commits && !uncommittedFiles) return null;
    const parts = [commits ? `${commits} commit${commits === 1 ? '' : 's'} not in ${row.base_branch}` : '', uncommittedFiles ? `${uncommittedFiles} file${uncommittedFiles === 1 ? '' : 's'} changed and not committed` : ''].filter(Boolean);
    return { commits, uncommittedFiles, text: `${row.branch} has ${parts.join(' and ')}` };
  }

  /** Something the user changed outside Switchboard, in words; null when the repository, the tree and the base are where they were. */
  async problem(row: WorktreeRow): Promise<string | null> {
    if (!fs.existsSync(row.git_dir)) return repositoryGone(row);
    if (!fs.existsSync(row.path)) return `The session's worktree ${row.path} is gone (deleted outside Switchboard).`;
    if (!linkedGitDir(row.git_dir, row.path)) return treeUnknown(row);
    const base = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${row.base_branch}`], { ...this.inRepo(row), okCodes: [1] });
    if (!base.stdout.trim()) return `The branch ${row.base_branch} no longer exists in ${row.repo}; changes are shown against where the session started (${row.base_commit.slice(0, 8)}).`;
    return null;
  }

  /** The files changed between two snapshots put back as they were in the first (the worktree only; the index is left alone); how many. */
  async putBack(row: WorktreeRow, before: string, after: string): Promise<number> {
    const wt = this.inTree(row);
    const out = await git(['diff', '--no-renames', '--name-status', '-z', before, after], wt);
    const tokens = out.stdout.split('\0');
    const restore: string[] = [];
    const remove: string[] = [];
    for (let i = 0; i + 1 < tokens.length; i += 2) (tokens[i] === 'A' ? remove : restore).push(tokens[i + 1]!);
    for (const file of remove) await fs.promises.rm(path.join(row.path, file), { force: true });
    if (restore.length) await git(['restore', `--source=${before}`, '--worktree', '--pathspec-from-file=-', '--pathspec-file-nul'], { ...wt, input: restore.join('\0') });
    return restore.length + remove.length;
  }

  /** Where the session's own index lives (removed with its worktree). */
  ownIndex(sessionId: string): string {
    return path.join(this.dataDir, 'worktrees', `.index-${sessionId}`);
  }
}

function repositoryGone(row: WorktreeRow): string {
  return `The repository this session's worktree came from is no longer at ${row.repo} (moved or deleted). Its files are still in ${row.path}; move the repository back to merge them.`;
}

function treeUnknown(row: WorktreeRow): string {
  return `The repository ${row.repo} no longer lists the session's worktree ${row.path} as one of its worktrees (pruned or changed outside Switchboard), so Switchboard will not run git in it. Its files are still there; copy out what you need.`;
}
