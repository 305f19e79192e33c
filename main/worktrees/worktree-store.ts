import type { Database } from 'better-sqlite3';
import type { CheckpointRow, WorktreeRow } from './rows';

/**
 * The worktree tables (`session_worktrees`, `session_checkpoints`): every statement the service runs,
 * in one place, so the git jobs read as git and the rows stay consistent.
 */
export class WorktreeStore {
  constructor(private readonly db: () => Database) {}

  row(sessionId: string): WorktreeRow | null {
    return (this.db().prepare('SELECT * FROM session_worktrees WHERE session_id = ?').get(sessionId) as WorktreeRow | undefined) ?? null;
  }

  /** The repository a tree of ours was made from (by its path), or null. */
  repoOfTree(tree: string): string | null {
    return (this.db().prepare('SELECT repo FROM session_worktrees WHERE path = ?').pluck().get(tree) as string | undefined) ?? null;
  }

  insert(r: Pick<WorktreeRow, 'session_id' | 'repo' | 'git_dir' | 'path' | 'branch' | 'base_branch' | 'base_commit'>): void {
    this.db()
      .prepare(`INSERT INTO session_worktrees (session_id, repo, git_dir, path, branch, base_branch, base_commit, last_snapshot, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(r.session_id, r.repo, r.git_dir, r.path, r.branch, r.base_branch, r.base_commit, r.base_commit, Date.now());
  }

  /** A turn's checkpoint written, and the worktree's baseline moved to it, together. */
  addCheckpoint(sessionId: string, turn: number, turnId: string | null, before: string, after: string): void {
    const db = this.db();
    db.transaction(() => {
      db.prepare(
        `INSERT OR REPLACE INTO session_checkpoints (session_id, turn, turn_id, before_commit, after_commit, files, additions, deletions, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?)`,
      ).run(sessionId, turn, turnId, before, after, Date.now());
      db.prepare('UPDATE session_worktrees SET last_snapshot = ? WHERE session_id = ?').run(after, sessionId);
    })();
  }

  setFigures(sessionId: string, turn: number, f: { files: number; additions: number; deletions: number }): void {
    this.db().prepare('UPDATE session_checkpoints SET files = ?, additions = ?, deletions = ? WHERE session_id = ? AND turn = ?').run(f.files, f.additions, f.deletions, sessionId, turn);
  }

  checkpoint(sessionId: string, turn: number): CheckpointRow | null {
    return (this.db().prepare('SELECT * FROM session_checkpoints WHERE session_id = ? AND turn = ?').get(sessionId, turn) as CheckpointRow | undefined) ?? null;
  }

  turns(sessionId: string): number[] {
    return this.db().prepare('SELECT turn FROM session_checkpoints WHERE session_id = ? ORDER BY turn').pluck().all(sessionId) as number[];
  }

  /** The baseline the next turn is compared with (and, after a merge or discard, the new base). */
  setSnapshot(sessionId: string, snapshot: string, baseCommit?: string): void {
    if (baseCommit === undefined) this.db().prepare('UPDATE session_worktrees SET last_snapshot = ? WHERE session_id = ?').run(snapshot, sessionId);
    else this.db().prepare('UPDATE session_worktrees SET base_commit = ?, last_snapshot = ? WHERE session_id = ?').run(baseCommit, snapshot, sessionId);
  }

  dropCheckpoints(sessionId: string): void {
    this.db().prepare('DELETE FROM session_checkpoints WHERE session_id = ?').run(sessionId);
  }

  markKept(sessionId: string): void {
    this.db().prepare(`UPDATE session_worktrees SET state = 'kept' WHERE session_id = ?`).run(sessionId);
  }

  delete(sessionId: string): void {
    const db = this.db();
    db.transaction(() => {
      db.prepare('DELETE FROM session_checkpoints WHERE session_id = ?').run(sessionId);
      db.prepare('DELETE FROM session_worktrees WHERE session_id = ?').run(sessionId);
    })();
  }

  /** Worktrees whose session is gone, by state: `active` ones were deleted while Switchboard was stopped; `kept` ones hold unmerged work. */
  orphans(state: WorktreeRow['state']): WorktreeRow[] {
    return this.db()
      .prepare(`SELECT w.* FROM session_worktrees w LEFT JOIN sessions s ON s.id = w.session_id WHERE s.id IS NULL AND w.state = ? ORDER BY w.created_at DESC`)
      .all(state) as WorktreeRow[];
  }
}
