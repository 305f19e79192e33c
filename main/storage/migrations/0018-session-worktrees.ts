import type { Migration } from '../migrate';

export default {
  version: 18,
  name: '0018-session-worktrees',
  sql: `
    -- A session in its own git worktree (main/worktrees/): where the repository and the tree are, its
    -- branch and the base it came from. No foreign key to sessions: a deleted session's row stays while
    -- its worktree holds changes not merged (state 'kept'), so they are never removed without the user's word.
    CREATE TABLE session_worktrees (
      session_id TEXT PRIMARY KEY,
      repo TEXT NOT NULL,
      git_dir TEXT NOT NULL,
      path TEXT NOT NULL,
      branch TEXT NOT NULL,
      base_branch TEXT NOT NULL,
      base_commit TEXT NOT NULL,
      -- The snapshot the next turn is compared with (a commit): the last checkpoint, or what a merge,
      -- discard or undo left.
      last_snapshot TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'active',
      created_at INTEGER NOT NULL
    );
    -- One checkpoint per turn: a commit object on refs/switchboard/<session>/<turn>, and the one before it.
    -- A Claude job whose sessions run in worktrees of their own (1), its diff delivered with the result.
    ALTER TABLE jobs ADD COLUMN worktree INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE session_checkpoints (
      session_id TEXT NOT NULL,
      turn INTEGER NOT NULL,
      turn_id TEXT,
      before_commit TEXT NOT NULL,
      after_commit TEXT NOT NULL,
      files INTEGER NOT NULL,
      additions INTEGER NOT NULL,
      deletions INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (session_id, turn)
    );
  `,
} satisfies Migration;
