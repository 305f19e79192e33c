import fs from 'node:fs';
import type { ChangedFile, KeptWorktree, MergeResult, MergeStrategy, SessionChanges, SessionDiff, SessionStatus, SessionWorktree } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { StorageService } from '../storage/storage-service';
import { registerWorktreeRepos } from '../storage/session-folders';
import { diffPage } from './diff-page';
import { attachGitWorker, git } from './git';
import { mergeBranch } from './merge';
import { parseRawNumstat } from './raw-diff';
import { RepoGit, type UnmergedWork } from './repo-git';
import { WorktreeStore } from './worktree-store';
import { addWorktree } from './add-worktree';
import { insideWorktree, SWITCHBOARD_IDENTITY, totals, type CheckpointRow, type WorktreeRow } from './rows';

export { branchSlug, type WorktreeRow } from './rows';

/** How long the whole session's snapshot stands for the next view (the diff asked right after the list). */
const RANGE_TTL_MS = 1500;

const ENDED = new Set(['done', 'failed', 'stalled', 'interrupted']);

export interface WorktreeServiceDeps {
  storage: StorageService;
  events: EventBus;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** The bundled git helper (dist/main/git-worker.cjs, run as a process of its own); without it git is spawned from this process. */
  gitWorker?: string | null;
  /** The session's title and status (null once it is deleted): a running turn must not be merged under Claude's feet. */
  session: (id: string) => { title: string; status: SessionStatus } | null;
}

export type { UnmergedWork } from './repo-git';

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
  /** Checkpoints being written at a turn's end, by session: the next turn waits for them (turnGate). */
  private readonly gates = new Map<string, Promise<void>>();
  /** The whole session's last range, by session (RANGE_TTL_MS), and recent file lists by range. */
  private readonly ranges = new Map<string, { at: number; range: { from: string; to: string; problem: string | null } }>();
  private readonly lists = new Map<string, ChangedFile[]>();
  private off: (() => void) | null = null;
  private detachGit: (() => Promise<void>) | null = null;

  /** The git steps the jobs share (snapshots through the session's own index, revisions, commits). */
  private readonly git: RepoGit;
  private readonly store: WorktreeStore;

  constructor(private readonly deps: WorktreeServiceDeps) {
    this.git = new RepoGit(deps.env, deps.dataDir);
    this.store = new WorktreeStore(() => deps.storage.db);
    registerWorktreeRepos(deps.dataDir, (tree) => this.store.repoOfTree(tree));
  }

  start(): void {
    if (this.deps.gitWorker) this.detachGit = attachGitWorker(this.deps.gitWorker, this.deps.env);
    this.off = this.deps.events.on('sessions.stream', ({ sessionId, item }) => {
      if (item.kind !== 'turn' || !ENDED.has(item.turn.status)) return;
      if (!this.row(sessionId)) return;
      // The next queued turn waits for this gate (turnGate): the checkpoint holds the finished turn's files only.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      this.gates.set(sessionId, gate);
      const opened = () => {
        if (this.gates.get(sessionId) === gate) this.gates.delete(sessionId);
        open();
      };
      void this.serial(sessionId, async () => {
        const written = await this.checkpoint(sessionId, item.turn.seq, item.turn.id).finally(opened);
        if (written) await this.countTurn(sessionId, item.turn.seq);
      }).catch((error: unknown) => {
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
    await this.detachGit?.();
    this.detachGit = null;
  }

  /** The worktree a session runs in, for its summary; null for a session without one. */
  info(sessionId: string): SessionWorktree | null {
    const row = this.row(sessionId);
    return row ? { repo: row.repo, baseBranch: row.base_branch, branch: row.branch, path: row.path } : null;
  }

  /**
   * What the session's next queued turn waits for before it starts: the checkpoint of the turn that just
   * ended, while it is being written (null otherwise). Without it, the next turn's first writes could land
   * in the finished turn's checkpoint.
   */
  turnGate(sessionId: string): Promise<void> | null {
    return this.gates.get(sessionId) ?? null;
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
    const { repo, gitDir, tree, branch, base, baseCommit } = await addWorktree(this.git, this.deps.dataDir, input);
    this.store.insert({ session_id: input.sessionId, repo, git_dir: gitDir, path: tree, branch, base_branch: base, base_commit: baseCommit });
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
    const opts = this.git.inTree(row);
    const tree = await this.git.snapshotTree(row);
    const before = row.last_snapshot;
    const commit = (
      await git(['-c', 'commit.gpgsign=false', 'commit-tree', tree, '-p', before, '-m', `Switchboard checkpoint: session ${sessionId}, turn ${turn}`], { ...opts, extraEnv: SWITCHBOARD_IDENTITY })
    ).stdout.trim();
    await git(['update-ref', `refs/switchboard/${sessionId}/${turn}`, commit], opts);
    this.store.addCheckpoint(sessionId, turn, turnId, before, commit);
    return true;
  }

  /** A checkpointed turn's figures (files, +, −), kept with it and announced to every surface. */
  async countTurn(sessionId: string, turn: number): Promise<{ totalFiles: number; additions: number; deletions: number }> {
    const row = this.need(sessionId);
    const c = this.checkpointOf(row, turn);
    const files = await this.fileList(row, c.before_commit, c.after_commit);
    const figures = { totalFiles: files.length, ...totals(files) };
    this.store.setFigures(sessionId, turn, { files: files.length, ...totals(files) });
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
      const rel = insideWorktree(row, options.path);
      // A renamed file is shown as a rename only when both of its names are asked for.
      const file = (await this.fileList(row, from, to)).find((f) => f.path === rel || f.renamedFrom === rel);
      paths.push(rel);
      if (file?.renamedFrom && file.renamedFrom !== rel) paths.push(file.renamedFrom);
      if (file && file.path !== rel) paths.push(file.path);
    }
    const offset = options.offset ?? 0;
    const { lines, stopped } = await diffPage(this.git.inTree(row), from, to, paths, offset, options.limit ?? 5000);
    return {
      sessionId,
      turn: options.turn ?? null,
      path: options.path === undefined ? null : insideWorktree(row, options.path),
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
      const commit = await this.git.commitAll(row, message ?? this.title(sessionId));
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
      const result = await mergeBranch({ repo: this.git, title: this.title(sessionId) }, row, strategy);
      if (result.merged) {
        const snapshot = await this.git.snapshotCommit(row);
        this.store.setSnapshot(sessionId, snapshot, result.commit!);
        await this.emitChanged(sessionId);
      }
      return result;
    });
  }

  /** Throws the session's work away: the worktree back at the base branch's tip, its commits and checkpoints gone. */
  async discard(sessionId: string): Promise<{ discarded: true; message: string }> {
    return this.serial(sessionId, async () => {
      const row = this.need(sessionId);
      this.idle(sessionId, 'discard');
      if (!fs.existsSync(row.path)) throw new AppError('conflict', `The session's worktree ${row.path} is gone; there is nothing to discard.`);
      const wt = this.git.inTree(row);
      const base = (await this.git.revParse(row, `refs/heads/${row.base_branch}`).catch(() => null)) ?? row.base_commit;
      await git(['reset', '--hard', '--quiet', base], wt);
      await git(['clean', '-fdq'], wt);
      await this.dropCheckpoints(row);
      this.store.setSnapshot(sessionId, base, base);
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
      const count = await this.git.putBack(row, checkpoint.before_commit, checkpoint.after_commit);
      const snapshot = await this.git.snapshotCommit(row);
      this.store.setSnapshot(sessionId, snapshot);
      await this.emitChanged(sessionId);
      return { undone: count, message: count ? `Put back ${count} file${count === 1 ? '' : 's'} as ${count === 1 ? 'it was' : 'they were'} before turn ${turn}.` : `Turn ${turn} changed no files; nothing to undo.` };
    });
  }

  /** What the session's worktree holds that its base does not: the delete guard asks before such work is thrown away. */
  async unmerged(sessionId: string): Promise<UnmergedWork | null> {
    const row = this.row(sessionId);
    return row ? this.git.unmergedWork(row) : null;
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
        this.store.markKept(sessionId);
        this.deps.events.emit('sessions.keptWorktreesChanged', {});
        return { removed: false, message: `Kept the worktree ${row.path}: ${unmerged.text}.` };
      }
      // The tree goes first, then git forgets it (prune): `git worktree remove` would check the tree's `.git`
      // file, which is Claude's to edit, and refuse when it was changed.
      await fs.promises.rm(row.path, { recursive: true, force: true });
      if (fs.existsSync(row.git_dir)) {
        const repo = this.git.inRepo(row);
        await git(['worktree', 'prune'], repo).catch((error: unknown) => log.warn('worktrees: worktree prune failed', { sessionId, error: String(error) }));
        await this.dropCheckpoints(row).catch(() => {});
        await git(['branch', options.discard ? '-D' : '-d', row.branch], { ...repo, okCodes: [1] }).catch(() => {});
      }
      this.store.delete(sessionId);
      await fs.promises.rm(this.git.ownIndex(sessionId), { force: true });
      return { removed: true, message: `Removed the worktree and ${row.branch}.` };
    });
  }

  /** Worktrees of deleted sessions still on disk (kept for their unmerged work), newest first, each with what is in it. */
  async kept(): Promise<KeptWorktree[]> {
    const rows = [...this.store.orphans('kept'), ...this.store.orphans('active')];
    return Promise.all(
      rows.map(async (row) => {
        const problem = await this.git.problem(row).catch((error: unknown) => String(error));
        const unmerged = problem ? null : await this.git.unmergedWork(row).catch(() => null);
        return { sessionId: row.session_id, repo: row.repo, branch: row.branch, baseBranch: row.base_branch, path: row.path, createdAt: row.created_at, unmerged: unmerged?.text ?? null, problem };
      }),
    );
  }

  /** The user's word on a kept worktree: removed with its branch and the work in it. Only for a deleted session's tree. */
  async removeKept(sessionId: string): Promise<{ removed: true; message: string }> {
    if (this.deps.session(sessionId)) throw new AppError('conflict', 'This worktree belongs to a session that still exists: delete the session instead (with discardChanges to throw its work away).');
    if (!this.store.row(sessionId)) throw new AppError('not_found', `no kept worktree for session ${sessionId}`);
    const { message } = await this.remove(sessionId, { discard: true });
    this.deps.events.emit('sessions.keptWorktreesChanged', {});
    return { removed: true, message };
  }

  /** Something the user changed outside Switchboard, in words; null when the repository, the tree and the base are where they were. */
  problem(row: WorktreeRow): Promise<string | null> {
    return this.git.problem(row);
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
    const to = await this.git.snapshotTree(row);
    const base = problem ? row.base_commit : await this.git.revParse(row, `refs/heads/${row.base_branch}`);
    const from = (await git(['merge-base', base, 'HEAD'], { ...this.git.inTree(row), okCodes: [1] })).stdout.trim() || row.base_commit;
    return { from, to, problem };
  }

  private checkpointOf(row: WorktreeRow, turn: number): CheckpointRow {
    const c = this.store.checkpoint(row.session_id, turn);
    if (!c) {
      const turns = this.turns(row.session_id);
      throw new AppError('not_found', `turn: this session has no turn ${turn} with a checkpoint${turns.length ? ` (turns with one: ${turns.slice(-20).join(', ')})` : ' (no turn has ended in its worktree yet)'}.`);
    }
    return c;
  }

  private turns(sessionId: string): number[] {
    return this.store.turns(sessionId);
  }

  /** The changed files between two commits or trees: the same two always give the same list, so a few are kept. */
  private async fileList(row: WorktreeRow, from: string, to: string): Promise<ChangedFile[]> {
    const key = `${from}..${to}`;
    const known = this.lists.get(key);
    if (known) return known;
    const out = await git(['diff', '--raw', '--numstat', '-z', '-M', '--no-ext-diff', from, to], this.git.inTree(row));
    const files = parseRawNumstat(out.stdout);
    this.lists.set(key, files);
    if (this.lists.size > 16) this.lists.delete(this.lists.keys().next().value!);
    return files;
  }

  private async dropCheckpoints(row: WorktreeRow): Promise<void> {
    const refs = await git(['for-each-ref', '--format=%(refname)', `refs/switchboard/${row.session_id}/`], this.git.inRepo(row));
    const names = refs.stdout.split('\n').filter(Boolean);
    if (names.length) await git(['update-ref', '--stdin'], { ...this.git.inRepo(row), input: names.map((n) => `delete ${n}\n`).join('') });
    this.store.dropCheckpoints(row.session_id);
  }

  /** Removes the worktrees of sessions deleted while Switchboard was stopped (those with nothing unmerged). */
  private async sweep(): Promise<void> {
    for (const { session_id: id } of this.store.orphans('active')) {
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
    return this.store.row(sessionId);
  }

}
