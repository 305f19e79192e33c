import * as z from 'zod';
import { event, method } from './define';
import { withoutNul } from './fields';

/** How a file changed, in git's terms (`git diff --raw`): added, modified, deleted, renamed, copied, or its type changed. */
export type FileChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'typechange';

/** One changed file of a session or of one turn, as the file list shows it. */
export interface ChangedFile {
  path: string;
  status: FileChangeStatus;
  /** Lines added and deleted; 0 for a binary file (git cannot count lines in it). */
  additions: number;
  deletions: number;
  binary: boolean;
  /** The path before a rename or copy; null otherwise. */
  renamedFrom: string | null;
}

/** Where a session's worktree came from: kept with the session so every surface can say "on switchboard/x, from main". */
export interface SessionWorktree {
  /** The user's repository (its top folder). */
  repo: string;
  /** The branch the work started from and merges into. */
  baseBranch: string;
  /** The session's own branch (`switchboard/<short title>`). */
  branch: string;
  /** The worktree itself: the session's cwd. */
  path: string;
}

/**
 * What a session changed: the whole session (the base branch's fork point to the files as they are now),
 * or one turn (its checkpoint against the one before). Files are paged: a cut list says how many more.
 */
export interface SessionChanges {
  sessionId: string;
  /** The turn's number, or null for the whole session. */
  turn: number | null;
  baseBranch: string;
  branch: string;
  /** The commits compared (abbreviated ids are enough for a person; the diff method takes the same turn). */
  from: string;
  to: string;
  files: ChangedFile[];
  /** Every changed file, past the page. */
  totalFiles: number;
  additions: number;
  deletions: number;
  offset: number;
  /** The next page's offset, or null at the end. */
  nextOffset: number | null;
  /** Turns that have a checkpoint, oldest first (each can be shown or undone). */
  turns: number[];
  /** Something the user changed meanwhile, in words: the repository moved, the base branch deleted. Null when all is well. */
  problem: string | null;
}

/** A unified diff, paged by lines: a 10,000-line diff comes in pieces a window can render as it scrolls. */
export interface SessionDiff {
  sessionId: string;
  turn: number | null;
  path: string | null;
  /** The unified diff text of this page (`git diff` output, whole lines). */
  text: string;
  offset: number;
  /** Lines in this page. */
  lines: number;
  /** The next page's first line, or null when the diff ends here. */
  nextOffset: number | null;
}

/** A file git could not merge on its own, and how (both changed it, one side deleted it…). */
export interface MergeConflict {
  path: string;
  /** In words: "changed on both sides", "deleted in main, changed here"… */
  reason: string;
}

/** How a merge ended: merged (the base moved to `commit`), or stopped on conflicts with nothing changed on the base. */
export interface MergeResult {
  merged: boolean;
  strategy: MergeStrategy;
  /** The base branch's new tip when merged. */
  commit: string | null;
  conflicts: MergeConflict[];
  /** One line for the user: what happened, or what stopped it and what they can do. */
  message: string;
}

export const mergeStrategies = ['merge', 'squash', 'rebase'] as const;
export type MergeStrategy = (typeof mergeStrategies)[number];

/**
 * The broker question for an owner's action asked outside the owner's window (a chat, an MCP client, a
 * Claude session): a review action (commit, merge, discard, undo a turn, delete with unmerged work) or a
 * file sent out with a note. Its `toolName`; no rule answers it, and whoever asked cannot answer it.
 */
export const REVIEW_APPROVAL_TOOL = 'SwitchboardReview';

/** What a review approval shows the owner (its `input`). */
/** A worktree whose session was deleted, kept because it held work not merged into its base branch. */
export interface KeptWorktree {
  sessionId: string;
  repo: string;
  branch: string;
  baseBranch: string;
  path: string;
  createdAt: number;
  /** What is not merged, in words ("switchboard/x has 2 commits not in main"); null when nothing is left. */
  unmerged: string | null;
  /** Something changed outside Switchboard (the repository moved, the tree deleted), in words. */
  problem: string | null;
}

export interface ReviewApprovalInput {
  action: 'commit' | 'merge' | 'discard' | 'undoTurn' | 'delete' | 'sendFile';
  /** The session it is about; null for a file an outside MCP client sends. */
  sessionId: string | null;
  title: string;
  /** What would happen, in one line (the approval card's detail): "merge switchboard/x into main (squash)". */
  command: string;
  /** "3 files changed, +40 −12" */
  summary: string;
  requestedBy: string;
}

/** "3 files changed, +40 −12": the one line every surface uses for a set of changes. */
export function changesLine(c: { totalFiles: number; additions: number; deletions: number }): string {
  return `${c.totalFiles} file${c.totalFiles === 1 ? '' : 's'} changed, +${c.additions} −${c.deletions}`;
}

const id = z.string().min(1).max(100);
const turn = z.number().int().min(1).max(1_000_000);
/** A path inside the worktree, as git names it: relative, no `..`, no NUL. */
const repoPath = withoutNul(z.string().trim().min(1).max(4096));

export const changesMethods = {
  'sessions.changes': method<SessionChanges>()(
    z.object({ id, turn: turn.optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(5000).default(500) }).strict(),
    "What a session in its own worktree changed: the whole session against its base branch, or one turn; files with +/−, paged.",
  ),
  'sessions.diff': method<SessionDiff>()(
    z.object({ id, path: repoPath.optional(), turn: turn.optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(50_000).default(5000) }).strict(),
    'The unified diff of a session (or one turn, or one file of it), paged by lines.',
  ),
  'sessions.commit': method<{ commit: string | null; message: string }>()(
    z.object({ id, message: withoutNul(z.string().trim().min(1).max(10_000)).optional() }).strict(),
    "Commits what the session changed on its branch (in its worktree); nothing to commit says so.",
  ),
  'sessions.merge': method<MergeResult>()(
    z.object({ id, strategy: z.enum(mergeStrategies).default('merge') }).strict(),
    'Merges the session into its base branch: done in the worktree first; the base moves only when it all succeeded; conflicts listed file by file.',
  ),
  'sessions.discard': method<{ discarded: true; message: string }>()(
    z.object({ id }).strict(),
    "Throws away what the session changed: its worktree back at the base branch's tip, its commits and checkpoints gone.",
  ),
  'sessions.undoTurn': method<{ undone: number; message: string }>()(
    z.object({ id, turn }).strict(),
    'The files one turn changed, put back as they were before it.',
  ),
  'sessions.keptWorktrees': method<KeptWorktree[]>()(
    z.object({}).strict(),
    'Worktrees of deleted sessions, kept because they held changes not merged: where they are, their branch and what is in them.',
  ),
  'sessions.removeKeptWorktree': method<{ removed: true; message: string }>()(
    z.object({ sessionId: id }).strict(),
    "Removes a kept worktree and its branch, throwing away the changes not merged in it: the owner's word, in Switchboard's window.",
  ),
};

export const changesEvents = {
  'sessions.changesChanged': event<{ sessionId: string; turn: number | null; turnId?: string | null; totalFiles: number; additions: number; deletions: number }>(
    "A session's changes changed: a turn's checkpoint, a commit, a merge, a discard or an undo (the turn's own figures when a turn ended).",
  ),
  'sessions.keptWorktreesChanged': event<Record<string, never>>('A deleted session\'s worktree was kept for its unmerged work, or a kept one was removed: read sessions.keptWorktrees again.'),
};
