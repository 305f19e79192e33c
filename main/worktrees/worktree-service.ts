import fs from 'node:fs';
import path from 'node:path';
import type { ChangedFile, MergeConflict, MergeResult, MergeStrategy, SessionChanges, SessionDiff, SessionStatus, SessionWorktree } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { StorageService } from '../storage/storage-service';
import { makePrivateDir } from '../storage/private-files';
import { git, gitLines, type GitOptions } from './git';
import { parseRawNumstat } from './raw-diff';

/** A session's worktree as stored. */
export interface WorktreeRow {
  session_id: string;
  repo: string;
  git_dir: string;
  path: string;
  branch: string;
  base_branch: string;
  base_commit: string;
  last_snapshot: string;
  state: 'active' | 'kept';
  created_at: number;
}

interface CheckpointRow {
  session_id: string;
  turn: number;
  turn_id: string | null;
  before_commit: string;
  after_commit: string;
  files: number;
  additions: number;
  deletions: number;
  created_at: number;
}

/** Who wrote a checkpoint: Switchboard, whatever the repository's own identity is (or is not) configured. */
const SWITCHBOARD_IDENTITY = {
  GIT_AUTHOR_NAME: 'Switchboard',
  GIT_AUTHOR_EMAIL: 'switchboard@localhost',
  GIT_COMMITTER_NAME: 'Switchboard',
  GIT_COMMITTER_EMAIL: 'switchboard@localhost',
};

/** How long the whole session's snapshot stands for the next view (the diff asked right after the list). */
const RANGE_TTL_MS = 1500;

const ENDED = new Set(['done', 'failed', 'stalled', 'interrupted']);

/** A branch name from a title: `switchboard/fix-the-login-page`, short, in the characters git takes anywhere. */
export function branchSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug || 'session';
}

export interface WorktreeServiceDeps {
  storage: StorageService;
  events: EventBus;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The session's title and status (null once it is deleted): a running turn must not be merged under Claude's feet. */
  session: (id: string) => { title: string; status: SessionStatus } | null;
}

/** What a session's worktree holds that is not in its base branch (for the delete guard): null when nothing. */
export interface UnmergedWork {
  commits: number;
  uncommittedFiles: number;
  text: string;
}

/**
 * Sessions in git worktrees of their own: created under the data folder on a branch of their own,
 * checkpointed at each turn's end (a commit object on a hidden ref, written through a temporary index so
 * the user's index and working tree are never touched), compared, committed, merged into their base
 * (the base moves only once the result is complete), discarded, and a turn undone. Every git command is
 * a child process, streamed and bounded (git.ts): nothing here holds the event loop.
 */
export class WorktreeService implements Service {
  readonly name = 'worktrees';
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly indexLocks = new Map<string, Promise<unknown>>();
  /** The whole session's last range, by session (RANGE_TTL_MS), and recent file lists by range. */
  private readonly ranges = new Map<string, { at: number; range: { from: string; to: string; problem: string | null } }>();
  private readonly lists = new Map<string, ChangedFile[]>();
  private off: (() => void) | null = null;

  constructor(private readonly deps: WorktreeServiceDeps) {}

  start(): void {
    this.off = this.deps.events.on('sessions.stream', ({ sessionId, item }) => {
      if (item.kind !== 'turn' || !ENDED.has(item.turn.status)) return;
      if (!this.row(sessionId)) return;
      void this.serial(sessionId, () => this.endTurn(sessionId, item.turn.seq, item.turn.id)).catch((error: unknown) => {
        log.error('worktrees: a turn checkpoint failed', error, { sessionId, turn: item.turn.seq });
      });
    });
    // Worktrees whose sessions are gone (deleted while Switchboard was stopped): removed when nothing is unmerged.
    void this.sweep().catch((error: unknown) => log.error('worktrees: the sweep of deleted sessions failed', error));
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = null;
    await Promise.allSettled([...this.chains.values()]);
  }

  /** The worktree a session runs in, for its summary; null for a session without one. */
  info(sessionId: string): SessionWorktree | null {
    const row = this.row(sessionId);
    return row ? { repo: row.repo, baseBranch: row.base_branch, branch: row.branch, path: row.path } : null;
  }

  /** Waits for the session's git work in flight (a checkpoint after a turn): tests and the chat line use it. */
  settled(sessionId: string): Promise<unknown> {
    return this.chains.get(sessionId) ?? Promise.resolve();
  }

  /**
   * A worktree for a new session: `git worktree add` of the repository holding `cwd`, on a new branch
   * `switchboard/<slug>` from `baseBranch` (the repository's current branch by default), under
   * `<data>/worktrees/<session id>`. Refuses, in words, a folder outside any repository, a repository
   * without commits, a detached HEAD without a chosen base, and an unknown base branch.
   */
  async create(input: { sessionId: string; cwd: string; title: string; baseBranch?: string }): Promise<SessionWorktree> {
    const opts = this.opts(input.cwd);
    const top = await git(['rev-parse', '--show-toplevel'], opts).catch(() => {
      throw new AppError('invalid_input', `cwd: ${input.cwd} is not in a git repository, so the session cannot have a worktree of its own. Choose a folder inside a repository, or start it without a worktree.`);
    });
    const repo = top.stdout.trim();
    const gitDir = path.resolve(repo, (await git(['rev-parse', '--git-common-dir'], this.opts(repo))).stdout.trim());
    let base = input.baseBranch;
    if (base === undefined) {
      const head = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { ...this.opts(repo), okCodes: [1] });
      base = head.stdout.trim();
      if (!base) throw new AppError('invalid_input', `baseBranch: ${repo} is on no branch (a detached HEAD); name the branch the session should start from.`);
    }
    if (base.startsWith('-') || (await git(['check-ref-format', '--branch', base], { ...this.opts(repo), okCodes: [1, 128] })).code !== 0) {
      throw new AppError('invalid_input', `baseBranch: “${base}” is not a branch name git accepts.`);
    }
    const baseCommit = (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${base}^{commit}`], { ...this.opts(repo), okCodes: [1] })).stdout.trim();
    if (!baseCommit) {
      const any = (await git(['rev-parse', '--verify', '--quiet', 'HEAD'], { ...this.opts(repo), okCodes: [1, 128] })).stdout.trim();
      throw new AppError('invalid_input', any ? `baseBranch: ${repo} has no branch named ${base}.` : `cwd: ${repo} has no commits yet, so there is nothing to start a worktree from. Make a first commit there.`);
    }
    let branch = `switchboard/${branchSlug(input.title)}`;
    for (let n = 2; (await git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { ...this.opts(repo), okCodes: [1] })).code === 0; n++) {
      branch = `switchboard/${branchSlug(input.title)}-${n}`;
    }
    const root = path.join(this.deps.dataDir, 'worktrees');
    makePrivateDir(root);
    const tree = path.join(root, input.sessionId);
    await git(['worktree', 'add', '--no-track', '-b', branch, tree, baseCommit], { ...this.opts(repo), timeoutMs: 10 * 60_000 });
    this.db
      .prepare(
        `INSERT INTO session_worktrees (session_id, repo, git_dir, path, branch, base_branch, base_commit, last_snapshot, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(input.sessionId, repo, gitDir, tree, branch, base, baseCommit, baseCommit, Date.now());
    log.info('worktrees: created', { sessionId: input.sessionId, repo, branch, base });
    return { repo, baseBranch: base, branch, path: tree };
  }

  /** What a turn's end does in a worktree: its checkpoint, then its figures counted and announced. */
  async endTurn(sessionId: string, turn: number, turnId: string | null = null): Promise<void> {
    if (await this.checkpoint(sessionId, turn, turnId)) await this.countTurn(sessionId, turn);
  }

  /**
   * A turn's checkpoint: the worktree's files as a commit object on `refs/switchboard/<session>/<turn>`,
   * its parent the snapshot the turn started from. The figures come after (countTurn): the checkpoint
   * itself is one tree write.
   */
  async checkpoint(sessionId: string, turn: number, turnId: string | null = null): Promise<boolean> {
    this.ranges.delete(sessionId);
    const row = this.row(sessionId);
    if (!row || !fs.existsSync(row.path)) return false;
    const opts = this.opts(row.path);
    const tree = await this.snapshotTree(row);
    const before = row.last_snapshot;
    const commit = (
      await git(['-c', 'commit.gpgsign=false', 'commit-tree', tree, '-p', before, '-m', `Switchboard checkpoint: session ${sessionId}, turn ${turn}`], { ...opts, extraEnv: SWITCHBOARD_IDENTITY })
    ).stdout.trim();
    await git(['update-ref', `refs/switchboard/${sessionId}/${turn}`, commit], opts);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO session_checkpoints (session_id, turn, turn_id, before_commit, after_commit, files, additions, deletions, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?)`,
        )
        .run(sessionId, turn, turnId, before, commit, Date.now());
      this.db.prepare('UPDATE session_worktrees SET last_snapshot = ? WHERE session_id = ?').run(commit, sessionId);
    })();
    return true;
  }

  /** A checkpointed turn's figures (files, +, −), kept with it and announced to every surface. */
  async countTurn(sessionId: string, turn: number): Promise<{ totalFiles: number; additions: number; deletions: number }> {
    const row = this.need(sessionId);
    const c = this.checkpointOf(row, turn);
    const files = await this.fileList(row, c.before_commit, c.after_commit);
    const figures = { totalFiles: files.length, ...totals(files) };
    this.db.prepare('UPDATE session_checkpoints SET files = ?, additions = ?, deletions = ? WHERE session_id = ? AND turn = ?').run(files.length, figures.additions, figures.deletions, sessionId, turn);
    this.deps.events.emit('sessions.changesChanged', { sessionId, turn, turnId: c.turn_id, ...figures });
    return figures;
  }

  /** What the session (or one turn) changed, files paged. */
  async changes(sessionId: string, options: { turn?: number; offset?: number; limit?: number } = {}): Promise<SessionChanges> {
    const row = this.need(sessionId);
    const { from, to, problem } = await this.range(row, options.turn);
    const files = await this.fileList(row, from, to);
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 500;
    const page = files.slice(offset, offset + limit);
    return {
      sessionId,
      turn: options.turn ?? null,
      baseBranch: row.base_branch,
      branch: row.branch,
      from,
      to,
      files: page,
      totalFiles: files.length,
      ...totals(files),
      offset,
      nextOffset: offset + page.length < files.length ? offset + page.length : null,
      turns: this.turns(sessionId),
      problem,
    };
  }

  /** The unified diff of the session, one turn, or one file of either: streamed from git and cut to the page asked for. */
  async diff(sessionId: string, options: { path?: string; turn?: number; offset?: number; limit?: number } = {}): Promise<SessionDiff> {
    const row = this.need(sessionId);
    const { from, to } = await this.range(row, options.turn, true);
    const paths: string[] = [];
    if (options.path !== undefined) {
      const rel = this.inside(row, options.path);
      // A renamed file is shown as a rename only when both of its names are asked for.
      const file = (await this.fileList(row, from, to)).find((f) => f.path === rel || f.renamedFrom === rel);
      paths.push(rel);
      if (file?.renamedFrom && file.renamedFrom !== rel) paths.push(file.renamedFrom);
      if (file && file.path !== rel) paths.push(file.path);
    }
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 5000;
    const lines: string[] = [];
    let seen = 0;
    const { stopped } = await gitLines(['diff', '-M', '--no-ext-diff', '--no-color', from, to, '--', ...paths], this.opts(row.path), (line) => {
      if (seen >= offset + limit) return false;
      if (seen >= offset) lines.push(line);
      seen++;
      return true;
    });
    return {
      sessionId,
      turn: options.turn ?? null,
      path: options.path === undefined ? null : this.inside(row, options.path),
      text: lines.length ? `${lines.join('\n')}\n` : '',
      offset,
      lines: lines.length,
      nextOffset: stopped ? offset + lines.length : null,
    };
  }

  /** Commits the worktree's changes on the session's branch (its own index: the worktree is Switchboard's). */
  async commit(sessionId: string, message?: string): Promise<{ commit: string | null; message: string }> {
    return this.serial(sessionId, async () => {
      const row = this.need(sessionId);
      this.idle(sessionId, 'commit');
      const commit = await this.commitAll(row, message ?? this.title(sessionId));
      if (commit) await this.emitChanged(sessionId);
      return commit ? { commit, message: `Committed ${commit.slice(0, 8)} on ${row.branch}.` } : { commit: null, message: 'Nothing to commit: the worktree has no changes since the last commit.' };
    });
  }

  /**
   * Merges the session's branch into its base. The result is made first (the worktree's changes
   * committed, the merged tree written by `git merge-tree`, or a rebase inside the worktree); the base
   * branch then moves in one step (a fast-forward), so it is never left half-merged. Conflicts come back
   * file by file with nothing changed.
   */
  async merge(sessionId: string, strategy: MergeStrategy): Promise<MergeResult> {
    return this.serial(sessionId, async () => {
      const row = this.need(sessionId);
      this.idle(sessionId, 'merge');
      const problem = await this.problem(row);
      if (problem) throw new AppError('conflict', `${problem} Nothing was merged.`);
      const wt = this.opts(row.path);
      await this.commitAll(row, this.title(sessionId));
      const base = await this.revParse(row, `refs/heads/${row.base_branch}`);
      const head = await this.revParse(row, 'HEAD');
      const done = (commit: string | null, message: string, conflicts: MergeConflict[] = []): MergeResult => ({ merged: commit !== null, strategy, commit, conflicts, message });
      if (head === base || (await this.isAncestor(row, head, base))) return done(null, `Nothing to merge: ${row.branch} has nothing that ${row.base_branch} does not have.`);
      const baseIsBehind = await this.isAncestor(row, base, head);
      let result: string;
      if (strategy === 'rebase') {
        if (!baseIsBehind) {
          const rebased = await git(['rebase', base], { ...wt, okCodes: [1], extraEnv: await this.identity(row), timeoutMs: 5 * 60_000 });
          if (rebased.code !== 0) {
            const conflicts = await this.unmergedPaths(row);
            await git(['rebase', '--abort'], wt).catch((error: unknown) => log.error('worktrees: rebase --abort failed', error, { sessionId }));
            return done(null, conflictMessage(row, conflicts), conflicts);
          }
        }
        result = await this.revParse(row, 'HEAD');
      } else {
        let tree: string;
        if (baseIsBehind) tree = await this.revParse(row, 'HEAD^{tree}');
        else {
          const merged = await git(['merge-tree', '--write-tree', '--messages', base, head], { ...wt, okCodes: [1] });
          const conflicts = parseMergeTree(merged.stdout);
          if (merged.code !== 0) return done(null, conflictMessage(row, conflicts), conflicts);
          tree = merged.stdout.split('\n')[0]!.trim();
        }
        const title = this.title(sessionId);
        const message = strategy === 'merge' ? `Merge ${row.branch} into ${row.base_branch}\n\n${title}` : `${title}\n\n${await this.subjects(row, base, head)}`;
        const parents = strategy === 'merge' ? ['-p', base, '-p', head] : ['-p', base];
        result = (await git(['commit-tree', tree, ...parents, '-m', message], { ...wt, extraEnv: await this.identity(row) })).stdout.trim();
      }
      // The base moves first, in one step; the worktree follows only once it has.
      const moved = await this.advanceBase(row, base, result);
      if (moved) return done(null, moved);
      await git(['reset', '--keep', result], wt);
      const snapshot = await this.snapshotCommit(row);
      this.db.prepare('UPDATE session_worktrees SET base_commit = ?, last_snapshot = ? WHERE session_id = ?').run(result, snapshot, sessionId);
      await this.emitChanged(sessionId);
      const how = strategy === 'merge' ? 'with a merge commit' : strategy === 'squash' ? 'as one commit' : 'rebased onto it';
      return done(result, `Merged ${row.branch} into ${row.base_branch} ${how} (${result.slice(0, 8)}).`);
    });
  }

  /** Throws the session's work away: the worktree back at the base branch's tip, its commits and checkpoints gone. */
  async discard(sessionId: string): Promise<{ discarded: true; message: string }> {
    return this.serial(sessionId, async () => {
      const row = this.need(sessionId);
      this.idle(sessionId, 'discard');
      if (!fs.existsSync(row.path)) throw new AppError('conflict', `The session's worktree ${row.path} is gone; there is nothing to discard.`);
      const wt = this.opts(row.path);
      const base = (await this.revParse(row, `refs/heads/${row.base_branch}`).catch(() => null)) ?? row.base_commit;
      await git(['reset', '--hard', '--quiet', base], wt);
      await git(['clean', '-fdq'], wt);
      await this.dropCheckpoints(row);
      this.db.prepare('UPDATE session_worktrees SET base_commit = ?, last_snapshot = ? WHERE session_id = ?').run(base, base, sessionId);
      await this.emitChanged(sessionId);
      return { discarded: true as const, message: `Discarded the session's changes: ${row.branch} is back at ${row.base_branch} (${base.slice(0, 8)}).` };
    });
  }

  /** The files one turn changed, put back as they were before it (the worktree only; the index is left alone). */
  async undoTurn(sessionId: string, turn: number): Promise<{ undone: number; message: string }> {
    return this.serial(sessionId, async () => {
      const row = this.need(sessionId);
      this.idle(sessionId, 'undo a turn');
      const checkpoint = this.checkpointOf(row, turn);
      const wt = this.opts(row.path);
      const out = await git(['diff', '--no-renames', '--name-status', '-z', checkpoint.before_commit, checkpoint.after_commit], wt);
      const tokens = out.stdout.split('\0');
      const restore: string[] = [];
      const remove: string[] = [];
      for (let i = 0; i + 1 < tokens.length; i += 2) (tokens[i] === 'A' ? remove : restore).push(tokens[i + 1]!);
      for (const file of remove) await fs.promises.rm(path.join(row.path, file), { force: true });
      if (restore.length) {
        await git(['restore', `--source=${checkpoint.before_commit}`, '--worktree', '--pathspec-from-file=-', '--pathspec-file-nul'], { ...wt, input: restore.join('\0') });
      }
      const snapshot = await this.snapshotCommit(row);
      this.db.prepare('UPDATE session_worktrees SET last_snapshot = ? WHERE session_id = ?').run(snapshot, sessionId);
      await this.emitChanged(sessionId);
      const count = restore.length + remove.length;
      return { undone: count, message: count ? `Put back ${count} file${count === 1 ? '' : 's'} as ${count === 1 ? 'it was' : 'they were'} before turn ${turn}.` : `Turn ${turn} changed no files; nothing to undo.` };
    });
  }

  /** What the session's worktree holds that its base does not: the delete guard asks before such work is thrown away. */
  async unmerged(sessionId: string): Promise<UnmergedWork | null> {
    const row = this.row(sessionId);
    if (!row || !fs.existsSync(row.path)) return null;
    const wt = this.opts(row.path);
    const status = await git(['status', '--porcelain', '-z', '--untracked-files=all'], wt);
    const uncommittedFiles = status.stdout.split('\0').filter((entry) => /^.. /.test(entry)).length;
    const base = await this.revParse(row, `refs/heads/${row.base_branch}`).catch(() => row.base_commit);
    const commits = Number((await git(['rev-list', '--count', `${base}..HEAD`], wt)).stdout.trim()) || 0;
    if (!commits && !uncommittedFiles) return null;
    const parts = [commits ? `${commits} commit${commits === 1 ? '' : 's'} not in ${row.base_branch}` : '', uncommittedFiles ? `${uncommittedFiles} file${uncommittedFiles === 1 ? '' : 's'} changed and not committed` : ''].filter(Boolean);
    return { commits, uncommittedFiles, text: `${row.branch} has ${parts.join(' and ')}` };
  }

  /**
   * Removes a deleted session's worktree, its checkpoints and (once merged, or when the user said to
   * discard) its branch. Unmerged work without `discard` is kept and said so: never removed without the user's word.
   */
  async remove(sessionId: string, options: { discard: boolean }): Promise<{ removed: boolean; message: string }> {
    return this.serial(sessionId, async () => {
      const row = this.row(sessionId);
      if (!row) return { removed: true, message: 'No worktree.' };
      const unmerged = options.discard ? null : await this.unmerged(sessionId);
      if (unmerged) {
        this.db.prepare(`UPDATE session_worktrees SET state = 'kept' WHERE session_id = ?`).run(sessionId);
        return { removed: false, message: `Kept the worktree ${row.path}: ${unmerged.text}.` };
      }
      if (fs.existsSync(row.git_dir)) {
        const repo = this.opts(row.repo);
        await git(['worktree', 'remove', '--force', row.path], repo).catch((error: unknown) => log.warn('worktrees: worktree remove failed', { sessionId, error: String(error) }));
        await this.dropCheckpoints(row).catch(() => {});
        await git(['branch', options.discard ? '-D' : '-d', row.branch], { ...repo, okCodes: [1] }).catch(() => {});
        await git(['worktree', 'prune'], repo).catch(() => {});
      }
      await fs.promises.rm(row.path, { recursive: true, force: true });
      this.db.prepare('DELETE FROM session_checkpoints WHERE session_id = ?').run(sessionId);
      this.db.prepare('DELETE FROM session_worktrees WHERE session_id = ?').run(sessionId);
      await fs.promises.rm(this.ownIndex(sessionId), { force: true });
      return { removed: true, message: `Removed the worktree and ${row.branch}.` };
    });
  }

  /** Something the user changed outside Switchboard, in words; null when the repository, the tree and the base are where they were. */
  async problem(row: WorktreeRow): Promise<string | null> {
    if (!fs.existsSync(row.git_dir)) {
      return `The repository this session's worktree came from is no longer at ${row.repo} (moved or deleted). Its files are still in ${row.path}; move the repository back to merge them.`;
    }
    if (!fs.existsSync(row.path)) return `The session's worktree ${row.path} is gone (deleted outside Switchboard).`;
    const base = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${row.base_branch}`], { ...this.opts(row.repo), okCodes: [1] });
    if (!base.stdout.trim()) return `The branch ${row.base_branch} no longer exists in ${row.repo}; changes are shown against where the session started (${row.base_commit.slice(0, 8)}).`;
    return null;
  }

  /**
   * The commits (or trees) a view compares. The whole session's is kept a moment for `reuse`: the diff a
   * window asks for right after the file list compares the same snapshot, without writing it again.
   */
  private async range(row: WorktreeRow, turn: number | undefined, reuse = false): Promise<{ from: string; to: string; problem: string | null }> {
    if (turn !== undefined) return this.computeRange(row, turn);
    const cached = this.ranges.get(row.session_id);
    if (reuse && cached && Date.now() - cached.at < RANGE_TTL_MS) return cached.range;
    const range = await this.computeRange(row, undefined);
    this.ranges.set(row.session_id, { at: Date.now(), range });
    return range;
  }

  private async computeRange(row: WorktreeRow, turn: number | undefined): Promise<{ from: string; to: string; problem: string | null }> {
    const problem = await this.problem(row);
    if (problem && (!fs.existsSync(row.git_dir) || !fs.existsSync(row.path))) throw new AppError('conflict', problem);
    if (turn !== undefined) {
      const c = this.checkpointOf(row, turn);
      return { from: c.before_commit, to: c.after_commit, problem };
    }
    const to = await this.snapshotTree(row);
    const base = problem ? row.base_commit : await this.revParse(row, `refs/heads/${row.base_branch}`);
    const from = (await git(['merge-base', base, 'HEAD'], { ...this.opts(row.path), okCodes: [1] })).stdout.trim() || row.base_commit;
    return { from, to, problem };
  }

  private checkpointOf(row: WorktreeRow, turn: number): CheckpointRow {
    const c = this.db.prepare('SELECT * FROM session_checkpoints WHERE session_id = ? AND turn = ?').get(row.session_id, turn) as CheckpointRow | undefined;
    if (!c) {
      const turns = this.turns(row.session_id);
      throw new AppError('not_found', `turn: this session has no turn ${turn} with a checkpoint${turns.length ? ` (turns with one: ${turns.slice(-20).join(', ')})` : ' (no turn has ended in its worktree yet)'}.`);
    }
    return c;
  }

  private turns(sessionId: string): number[] {
    return this.db.prepare('SELECT turn FROM session_checkpoints WHERE session_id = ? ORDER BY turn').pluck().all(sessionId) as number[];
  }

  /** The changed files between two commits or trees: the same two always give the same list, so a few are kept. */
  private async fileList(row: WorktreeRow, from: string, to: string): Promise<ChangedFile[]> {
    const key = `${from}..${to}`;
    const known = this.lists.get(key);
    if (known) return known;
    const out = await git(['diff', '--raw', '--numstat', '-z', '-M', '--no-ext-diff', from, to], this.opts(row.path));
    const files = parseRawNumstat(out.stdout);
    this.lists.set(key, files);
    if (this.lists.size > 16) this.lists.delete(this.lists.keys().next().value!);
    return files;
  }

  /**
   * The worktree's files as a tree object, written through an index of Switchboard's own: a copy of the
   * worktree's index the first time, then kept (`<data>/worktrees/.index-<session>`), so only files whose
   * stat changed since the last snapshot are hashed again. `git add -A`, `write-tree`; the worktree's own
   * index and files are left as they were. One snapshot at a time per session (they share that index).
   */
  private snapshotTree(row: WorktreeRow): Promise<string> {
    const before = this.indexLocks.get(row.session_id) ?? Promise.resolve();
    const work = async (): Promise<string> => {
      const opts = this.opts(row.path);
      const own = this.ownIndex(row.session_id);
      const env = { GIT_INDEX_FILE: own };
      if (!fs.existsSync(own)) {
        const index = path.resolve(row.path, (await git(['rev-parse', '--git-path', 'index'], opts)).stdout.trim());
        const copied = await fs.promises.copyFile(index, own).then(
          () => true,
          () => false,
        );
        if (!copied) await git(['read-tree', 'HEAD'], { ...opts, extraEnv: env });
      }
      try {
        await git(['-c', 'core.untrackedCache=true', 'add', '-A', '--', '.'], { ...opts, extraEnv: env, timeoutMs: 5 * 60_000 });
        return (await git(['write-tree'], { ...opts, extraEnv: env })).stdout.trim();
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

  private ownIndex(sessionId: string): string {
    return path.join(this.deps.dataDir, 'worktrees', `.index-${sessionId}`);
  }

  /** The worktree as it is now, as a commit (the baseline the next turn is compared with). */
  private async snapshotCommit(row: WorktreeRow): Promise<string> {
    const tree = await this.snapshotTree(row);
    return (await git(['-c', 'commit.gpgsign=false', 'commit-tree', tree, '-p', 'HEAD', '-m', 'Switchboard snapshot'], { ...this.opts(row.path), extraEnv: SWITCHBOARD_IDENTITY })).stdout.trim();
  }

  private async commitAll(row: WorktreeRow, message: string): Promise<string | null> {
    const wt = this.opts(row.path);
    await git(['add', '-A', '--', '.'], { ...wt, timeoutMs: 5 * 60_000 });
    const staged = await git(['diff', '--cached', '--quiet'], { ...wt, okCodes: [1] });
    if (staged.code === 0) return null;
    await git(['commit', '--quiet', '--no-verify', '-m', message], { ...wt, extraEnv: await this.identity(row) });
    return this.revParse(row, 'HEAD');
  }

  /** The repository's own identity for commits a person will see; Switchboard's when none is configured. */
  private async identity(row: WorktreeRow): Promise<Record<string, string>> {
    const email = await git(['config', 'user.email'], { ...this.opts(row.path), okCodes: [1] });
    if (email.stdout.trim() || this.deps.env.GIT_AUTHOR_EMAIL) return {};
    return SWITCHBOARD_IDENTITY;
  }

  /**
   * Moves the base branch from `from` to `to` (a descendant) in one step: a fast-forward in the checkout
   * that has it (the user's repository, usually), or `update-ref` with the old value checked when none
   * has it. Returns what stopped it, in words, or null.
   */
  private async advanceBase(row: WorktreeRow, from: string, to: string): Promise<string | null> {
    const list = await git(['worktree', 'list', '--porcelain'], this.opts(row.repo));
    const checkout = list.stdout
      .split('\n\n')
      .map((block) => ({ dir: /^worktree (.*)$/m.exec(block)?.[1], branch: /^branch (.*)$/m.exec(block)?.[1] }))
      .find((w) => w.branch === `refs/heads/${row.base_branch}`)?.dir;
    if (checkout) {
      const ff = await git(['merge', '--ff-only', '--quiet', to], { ...this.opts(checkout), okCodes: [1, 128] });
      if (ff.code !== 0) {
        return `${row.base_branch} is checked out in ${checkout} with changes of its own to the same files, so it could not move (git said: ${lastLine(ff.stderr)}). Commit or stash them there, then merge again; nothing was changed.`;
      }
      return null;
    }
    const moved = await git(['update-ref', `refs/heads/${row.base_branch}`, to, from], { ...this.opts(row.repo), okCodes: [1, 128] });
    return moved.code === 0 ? null : `${row.base_branch} moved while merging; nothing was changed. Merge again.`;
  }

  private async unmergedPaths(row: WorktreeRow): Promise<MergeConflict[]> {
    const out = await git(['status', '--porcelain', '-z'], this.opts(row.path));
    const conflicts: MergeConflict[] = [];
    for (const entry of out.stdout.split('\0')) {
      const code = entry.slice(0, 2);
      const reason = STATUS_CONFLICT[code];
      if (reason) conflicts.push({ path: entry.slice(3), reason: reason.replace('BASE', row.base_branch) });
    }
    return conflicts;
  }

  private async subjects(row: WorktreeRow, base: string, head: string): Promise<string> {
    const out = await git(['log', '--format=* %s', `${base}..${head}`], { ...this.opts(row.path), maxBytes: 64 * 1024 });
    return out.stdout.trim();
  }

  private async dropCheckpoints(row: WorktreeRow): Promise<void> {
    const refs = await git(['for-each-ref', '--format=%(refname)', `refs/switchboard/${row.session_id}/`], this.opts(row.repo));
    const names = refs.stdout.split('\n').filter(Boolean);
    if (names.length) await git(['update-ref', '--stdin'], { ...this.opts(row.repo), input: names.map((n) => `delete ${n}\n`).join('') });
    this.db.prepare('DELETE FROM session_checkpoints WHERE session_id = ?').run(row.session_id);
  }

  private async revParse(row: WorktreeRow, rev: string): Promise<string> {
    return (await git(['rev-parse', '--verify', rev], this.opts(row.path))).stdout.trim();
  }

  private async isAncestor(row: WorktreeRow, a: string, b: string): Promise<boolean> {
    return (await git(['merge-base', '--is-ancestor', a, b], { ...this.opts(row.path), okCodes: [1] })).code === 0;
  }

  /** Removes the worktrees of sessions deleted while Switchboard was stopped (those with nothing unmerged). */
  private async sweep(): Promise<void> {
    const rows = this.db.prepare(`SELECT w.session_id FROM session_worktrees w LEFT JOIN sessions s ON s.id = w.session_id WHERE s.id IS NULL AND w.state = 'active'`).pluck().all() as string[];
    for (const id of rows) {
      const { message } = await this.remove(id, { discard: false });
      log.info(`worktrees: ${message}`, { sessionId: id });
    }
  }

  /** Runs one session's git work after the work already queued for it: a merge never overlaps a checkpoint. */
  private serial<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const before = this.chains.get(sessionId) ?? Promise.resolve();
    const next = before.then(work, work);
    const tail = next.catch(() => {});
    this.chains.set(sessionId, tail);
    void tail.then(() => {
      if (this.chains.get(sessionId) === tail) this.chains.delete(sessionId);
    });
    return next;
  }

  /** Tells every surface the session's changes moved (with the whole session's figures); a failure to count is logged, never the action's. */
  private async emitChanged(sessionId: string): Promise<void> {
    this.ranges.delete(sessionId);
    await this.changes(sessionId, { limit: 1 })
      .then((c) => this.deps.events.emit('sessions.changesChanged', { sessionId, turn: null, totalFiles: c.totalFiles, additions: c.additions, deletions: c.deletions }))
      .catch((error: unknown) => log.warn('worktrees: could not count changes', { sessionId, error: String(error) }));
  }

  /** A relative path inside the worktree; anything reaching out of it is refused in words. */
  private inside(row: WorktreeRow, given: string): string {
    const absolute = path.resolve(row.path, given);
    const rel = path.relative(row.path, absolute);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw new AppError('invalid_input', `path: ${given} is outside the session's worktree (${row.path}).`);
    return rel.split(path.sep).join('/');
  }

  private idle(sessionId: string, what: string): void {
    const status = this.deps.session(sessionId)?.status;
    if (status === 'running' || status === 'queued') throw new AppError('conflict', `Claude is working in this session; wait for its turn to end (or interrupt it), then ${what}.`);
  }

  private title(sessionId: string): string {
    return this.deps.session(sessionId)?.title ?? 'Switchboard session';
  }

  /** The session's worktree, or a refusal in words: an unknown session, or one started without a worktree. */
  need(sessionId: string): WorktreeRow {
    if (!this.deps.session(sessionId)) throw new AppError('not_found', `no session ${sessionId}`);
    const row = this.row(sessionId);
    if (!row) throw new AppError('invalid_input', 'id: this session does not run in a git worktree of its own (it was started without one), so Switchboard has no changes to show for it.');
    return row;
  }

  private row(sessionId: string): WorktreeRow | null {
    return (this.db.prepare('SELECT * FROM session_worktrees WHERE session_id = ?').get(sessionId) as WorktreeRow | undefined) ?? null;
  }

  private opts(cwd: string): GitOptions {
    return { cwd, env: this.deps.env };
  }

  private get db() {
    return this.deps.storage.db;
  }
}

function totals(files: ChangedFile[]): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const f of files) {
    additions += f.additions;
    deletions += f.deletions;
  }
  return { additions, deletions };
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.slice(0, 300) ?? '';
}

const STATUS_CONFLICT: Record<string, string> = {
  UU: 'changed on both sides',
  AA: 'added on both sides',
  DD: 'deleted on both sides',
  AU: 'added here, and changed in BASE',
  UA: 'added in BASE, and changed here',
  DU: 'deleted here, changed in BASE',
  UD: 'changed here, deleted in BASE',
};

/** `git merge-tree --write-tree --messages` output: the tree, the conflicted files, then git's own lines about each. */
export function parseMergeTree(output: string): MergeConflict[] {
  const [, ...rest] = output.split('\n');
  const blank = rest.indexOf('');
  const infoLines = blank < 0 ? rest : rest.slice(0, blank);
  const messages = blank < 0 ? [] : rest.slice(blank + 1);
  const paths = [...new Set(infoLines.map((l) => l.slice(l.indexOf('\t') + 1)).filter(Boolean))];
  return paths.map((p) => {
    const said = messages.find((m) => m.startsWith('CONFLICT') && m.includes(p));
    const kind = said ? /^CONFLICT \(([^)]+)\)/.exec(said)?.[1] : undefined;
    return { path: p, reason: kind === 'content' || kind === 'add/add' ? (kind === 'content' ? 'changed on both sides' : 'added on both sides') : (said ?? 'could not be merged') };
  });
}

function conflictMessage(row: WorktreeRow, conflicts: MergeConflict[]): string {
  const names = conflicts.slice(0, 10).map((c) => `${c.path} (${c.reason})`).join(', ');
  return `${row.base_branch} moved on, and ${conflicts.length} file${conflicts.length === 1 ? '' : 's'} could not be merged: ${names}${conflicts.length > 10 ? `, and ${conflicts.length - 10} more` : ''}. Nothing was changed on ${row.base_branch} (the session's work is committed on ${row.branch}). Ask Claude to merge ${row.base_branch} into its branch and resolve them, then merge again.`;
}

