import { git, type GitOptions } from './git';

/** Up to this long for a stage of a large tree (tens of thousands of files hashed). */
const STAGE_TIMEOUT_MS = 5 * 60_000;

/**
 * How Switchboard's own index of a worktree (a checkpoint's) is kept; every command that reads or writes it
 * carries these, or git would write it back whole:
 * - core.splitIndex: a write (update-index, write-tree) holds only the entries changed since the last shared
 *   index, not all 50,000. Git keeps the shared part (`sharedindex.<hash>`) beside GIT_DIR, not beside the
 *   index file: in the worktree's record in the repository's git folder, removed with the worktree; a
 *   replaced one expires after git's default two weeks.
 * - core.untrackedCache with status.showUntrackedFiles=all: the untracked scan reads again only the folders
 *   whose stat changed (git keeps folder stats in the index), so status may write the index (optional locks on).
 */
export const OWN_INDEX_CONFIG = ['-c', 'core.splitIndex=true', '-c', 'core.untrackedCache=true', '-c', 'status.showUntrackedFiles=all'];

/** What `git status` reported, sorted for update-index: tracked paths first, then new files, then nested repositories. */
export interface WorktreeChanges {
  /** Tracked paths changed in the worktree: modified, deleted, or replaced (a file now a folder or the other way). */
  tracked: string[];
  /** Untracked files not ignored, each listed (untracked folders are walked). */
  untracked: string[];
  /** Untracked folders that are git repositories of their own (status names them with a final `/`). */
  nested: string[];
}

/**
 * Reads `git status --porcelain=v2 -z --no-renames` output: a tracked entry (`1 XY …` or unmerged `u XY …`,
 * the path after a fixed number of fields) counts when its worktree side (Y) changed; `? path` is untracked.
 */
export function parseStatus(output: string): WorktreeChanges {
  const tracked: string[] = [];
  const untracked: string[] = [];
  const nested: string[] = [];
  for (const entry of output.split('\0')) {
    const kind = entry[0];
    if (kind === '?') {
      const file = entry.slice(2);
      if (file.endsWith('/')) nested.push(file.slice(0, -1));
      else untracked.push(file);
    } else if (kind === '1' || kind === 'u') {
      // `1 XY sub mH mI mW hH hI path` (8 fields before the path), `u XY sub m1 m2 m3 mW h1 h2 h3 path` (10).
      const fields = kind === '1' ? 8 : 10;
      let at = 0;
      for (let n = 0; n < fields && at >= 0; n++) at = entry.indexOf(' ', at) + 1;
      if (at > 0 && (kind === 'u' || entry[3] !== '.')) tracked.push(entry.slice(at));
    }
  }
  return { tracked, untracked, nested };
}

/**
 * Stages every change of the worktree into the index `opts` names (Switchboard's own for a checkpoint,
 * `ownIndex`, kept as OWN_INDEX_CONFIG says; the worktree's for a commit): what `git add -A` does (new files, changes, deletions; ignored files left out),
 * as `git status` then `update-index` of the paths it named. Not `git add`: for every nested repository it holds, add starts `git
 * status` inside it, under that repository's own config and attributes, which Claude can write (a clean
 * filter there runs a program); status does not with `--ignore-submodules=dirty`, and update-index only
 * reads a nested repository's HEAD. A nested repository
 * with no commit yet is left out (git add would fail on the whole tree for it).
 */
export async function stageAll(opts: GitOptions, ownIndex: boolean): Promise<WorktreeChanges> {
  const config = ownIndex ? OWN_INDEX_CONFIG : [];
  const status = await git([...config, 'status', '--porcelain=v2', '-z', '--untracked-files=all', '--ignore-submodules=dirty', '--no-renames'], {
    ...opts,
    extraEnv: { ...opts.extraEnv, GIT_OPTIONAL_LOCKS: ownIndex ? '1' : '0' },
    timeoutMs: STAGE_TIMEOUT_MS,
  });
  const changes = parseStatus(status.stdout);
  // Tracked paths first: a file that became a folder leaves the index before the files inside it come in.
  const paths = [...changes.tracked, ...changes.untracked];
  if (paths.length) await git([...config, 'update-index', '--add', '--remove', '--replace', '-z', '--stdin'], { ...opts, input: `${paths.join('\0')}\0`, timeoutMs: STAGE_TIMEOUT_MS });
  for (const repo of changes.nested) await git([...config, 'update-index', '--add', '--', repo], { ...opts, okCodes: [128] });
  return changes;
}
