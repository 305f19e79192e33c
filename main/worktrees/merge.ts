import type { MergeConflict, MergeResult, MergeStrategy } from '../../contract';
import { log } from '../log';
import { git } from './git';
import type { RepoGit } from './repo-git';
import { lastLine, type WorktreeRow } from './rows';

/** What a merge needs besides git: the session's title for the message. */
export interface MergeContext {
  repo: RepoGit;
  title: string;
}

/**
 * Merges the session's branch into its base. The result is made first (the worktree's changes
 * committed, the merged tree written by `git merge-tree`, or a rebase inside the worktree); the base
 * branch then moves in one step (a fast-forward), so it is never left half-merged. Conflicts come back
 * file by file with nothing changed. On success the worktree is at the result (`reset --keep`); the
 * caller records the new baseline.
 */
export async function mergeBranch(ctx: MergeContext, row: WorktreeRow, strategy: MergeStrategy): Promise<MergeResult> {
  const { repo } = ctx;
  const wt = repo.inTree(row);
  await repo.commitAll(row, ctx.title);
  const base = await repo.revParse(row, `refs/heads/${row.base_branch}`);
  const head = await repo.revParse(row, 'HEAD');
  const done = (commit: string | null, message: string, conflicts: MergeConflict[] = []): MergeResult => ({ merged: commit !== null, strategy, commit, conflicts, message });
  if (head === base || (await repo.isAncestor(row, head, base))) return done(null, `Nothing to merge: ${row.branch} has nothing that ${row.base_branch} does not have.`);
  const baseIsBehind = await repo.isAncestor(row, base, head);
  let result: string;
  if (strategy === 'rebase') {
    if (!baseIsBehind) {
      const rebased = await git(['rebase', base], { ...wt, okCodes: [1], extraEnv: await repo.identity(row), timeoutMs: 5 * 60_000 });
      if (rebased.code !== 0) {
        const conflicts = await unmergedPaths(repo, row);
        await git(['rebase', '--abort'], wt).catch((error: unknown) => log.error('worktrees: rebase --abort failed', error, { sessionId: row.session_id }));
        return done(null, conflictMessage(row, conflicts), conflicts);
      }
    }
    result = await repo.revParse(row, 'HEAD');
  } else {
    let tree: string;
    if (baseIsBehind) tree = await repo.revParse(row, 'HEAD^{tree}');
    else {
      const merged = await git(['merge-tree', '--write-tree', '--messages', base, head], { ...wt, okCodes: [1] });
      const conflicts = parseMergeTree(merged.stdout);
      if (merged.code !== 0) return done(null, conflictMessage(row, conflicts), conflicts);
      tree = merged.stdout.split('\n')[0]!.trim();
    }
    const message = strategy === 'merge' ? `Merge ${row.branch} into ${row.base_branch}\n\n${ctx.title}` : `${ctx.title}\n\n${await subjects(repo, row, base, head)}`;
    const parents = strategy === 'merge' ? ['-p', base, '-p', head] : ['-p', base];
    result = (await git(['commit-tree', tree, ...parents, '-m', message], { ...wt, extraEnv: await repo.identity(row) })).stdout.trim();
  }
  // The base moves first, in one step; the worktree follows only once it has.
  const moved = await advanceBase(repo, row, base, result);
  if (moved) return done(null, moved);
  await git(['reset', '--keep', result], wt);
  const how = strategy === 'merge' ? 'with a merge commit' : strategy === 'squash' ? 'as one commit' : 'rebased onto it';
  return done(result, `Merged ${row.branch} into ${row.base_branch} ${how} (${result.slice(0, 8)}).`);
}

/**
 * Moves the base branch from `from` to `to` (a descendant) in one step: a fast-forward in the checkout
 * that has it (the user's repository, usually), or `update-ref` with the old value checked when none
 * has it. Returns what stopped it, in words, or null.
 */
async function advanceBase(repo: RepoGit, row: WorktreeRow, from: string, to: string): Promise<string | null> {
  const list = await git(['worktree', 'list', '--porcelain'], repo.inRepo(row));
  // The first entry is the main checkout (git lists it first); the others are linked worktrees.
  const found = list.stdout
    .split('\n\n')
    .map((block, i) => ({ dir: /^worktree (.*)$/m.exec(block)?.[1], branch: /^branch (.*)$/m.exec(block)?.[1], main: i === 0 }))
    .find((w) => w.branch === `refs/heads/${row.base_branch}`);
  const checkout = found?.dir;
  if (checkout) {
    const ff = await git(['merge', '--ff-only', '--quiet', to], { ...repo.inCheckout(row, checkout, found.main), okCodes: [1, 128] });
    if (ff.code !== 0) {
      return `${row.base_branch} is checked out in ${checkout} with changes of its own to the same files, so it could not move (git said: ${lastLine(ff.stderr)}). Commit or stash them there, then merge again; nothing was changed.`;
    }
    return null;
  }
  const moved = await git(['update-ref', `refs/heads/${row.base_branch}`, to, from], { ...repo.inRepo(row), okCodes: [1, 128] });
  return moved.code === 0 ? null : `${row.base_branch} moved while merging; nothing was changed. Merge again.`;
}

async function unmergedPaths(repo: RepoGit, row: WorktreeRow): Promise<MergeConflict[]> {
  const out = await git(['status', '--porcelain', '-z', '--ignore-submodules=dirty'], repo.inTree(row));
  const conflicts: MergeConflict[] = [];
  for (const entry of out.stdout.split('\0')) {
    const code = entry.slice(0, 2);
    const reason = STATUS_CONFLICT[code];
    if (reason) conflicts.push({ path: entry.slice(3), reason: reason.replace('BASE', row.base_branch) });
  }
  return conflicts;
}

async function subjects(repo: RepoGit, row: WorktreeRow, base: string, head: string): Promise<string> {
  const out = await git(['log', '--format=* %s', `${base}..${head}`], { ...repo.inTree(row), maxBytes: 64 * 1024 });
  return out.stdout.trim();
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
