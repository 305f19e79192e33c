import path from 'node:path';
import type { ChangedFile } from '../../contract';
import { AppError } from '../errors';

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

/** A turn's checkpoint as stored: the commits it compares and its figures (counted after it is written). */
export interface CheckpointRow {
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
export const SWITCHBOARD_IDENTITY = {
  GIT_AUTHOR_NAME: 'Switchboard',
  GIT_AUTHOR_EMAIL: 'switchboard@localhost',
  GIT_COMMITTER_NAME: 'Switchboard',
  GIT_COMMITTER_EMAIL: 'switchboard@localhost',
};

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

/** A file list's line counts, summed: the one-line summary every surface shows. */
export function totals(files: ChangedFile[]): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const f of files) {
    additions += f.additions;
    deletions += f.deletions;
  }
  return { additions, deletions };
}

/** Git's last line of stderr, short: what a refusal quotes in its words. */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.slice(0, 300) ?? '';
}

/** A relative path inside the worktree, as git names it; anything reaching out of it is refused in words. */
export function insideWorktree(row: Pick<WorktreeRow, 'path'>, given: string): string {
  const absolute = path.resolve(row.path, given);
  const rel = path.relative(row.path, absolute);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw new AppError('invalid_input', `path: ${given} is outside the session's worktree (${row.path}).`);
  return rel.split(path.sep).join('/');
}
