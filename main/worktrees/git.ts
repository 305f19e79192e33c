import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { childEnv } from '../child-env';
import { log } from '../log';
import { GIT_HELPER_ARG, runGit, type GitJob, type GitRun } from './git-worker';

/** How long one git command may take, and how much it may print, unless the caller says otherwise. */
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export interface GitOptions {
  cwd: string;
  /** The environment children start from (childEnv drops Switchboard's secrets from it). */
  env: NodeJS.ProcessEnv;
  /** Variables for this command only (GIT_INDEX_FILE for a checkpoint's temporary index). */
  extraEnv?: Record<string, string>;
  timeoutMs?: number;
  /** Output past this is cut and the command stopped: a diff of a huge generated file must not fill memory. */
  maxBytes?: number;
  /** Exit codes that are answers, not failures (`git diff --quiet` exits 1 for "differs"). */
  okCodes?: number[];
  /** Written to the command's stdin (a NUL-separated path list, `update-ref --stdin`). */
  input?: string;
  /**
   * The repository named, not found: GIT_DIR (and GIT_WORK_TREE) from what Switchboard stored, so git never
   * follows a worktree's `.git` file (a file Claude can edit) to a git folder, and a config, of Claude's
   * making. Without it git finds the repository from `cwd` (only for the folder a user chose, before a
   * worktree exists). RepoGit's inTree / inRepo / inCheckout make it.
   */
  repository?: { gitDir: string; workTree?: string };
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The output passed maxBytes and was cut. */
  truncated: boolean;
}

/** A git command that failed: its arguments and git's own words (the caller turns them into the user's). */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly timedOut = false,
  ) {
    super(timedOut ? `git ${args[0] ?? ''} took too long and was stopped` : `git ${args.join(' ').slice(0, 300)} exited ${code}: ${stderr.trim().slice(0, 2000)}`);
    this.name = 'GitError';
  }
}

/**
 * Options every command of ours runs with: no pager, no prompts, no colours, paths as they are. The
 * repository is named by GIT_DIR (GitOptions.repository), so the config read is the user's own; on top of
 * it, what Switchboard never needs and what would run a program is switched off (`-c` is passed on to every
 * git git starts, a nested repository's too):
 * - core.hooksPath=/dev/null: no hooks, not even the user's repository's: a checkpoint must not run a
 *   pre-commit hook, nor a merge or commit the owner asked for hang on one (commits are `--no-verify` too);
 * - core.fsmonitor=false: no file-system monitor program (our own index has no use for it);
 * - submodule.recurse=false: reset, checkout and rebase stay in this repository, never start git in a nested
 *   one whose `.git` and config Claude could have written (a user's global `true` would);
 * - status.submoduleSummary=false: a status never looks into nested repositories for a summary;
 * (an external diff program is kept off by `--no-ext-diff` on every diff read, and status runs with
 * `--ignore-submodules=dirty`, which skips the `git status` git would start inside a nested repository.)
 * The owner's own filters (git-lfs and the like, named by `.gitattributes`) stay: they are the user's
 * configured programs, and the checkpoint must hold the files as `git add` would.
 */
const BASE_ARGS = [
  '-c',
  'core.quotepath=false',
  '-c',
  'color.ui=false',
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'submodule.recurse=false',
  '-c',
  'status.submoduleSummary=false',
  '-c',
  'advice.detachedHead=false',
  '--no-pager',
];

/**
 * Git variables that would point a command at another repository, index or object store: inherited from
 * Switchboard's own environment (started from a git hook, say) they are dropped, and set only from
 * GitOptions (GIT_INDEX_FILE of a checkpoint comes in extraEnv).
 */
const LOCATING_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT'];

/**
 * glibc's allocator told to keep the memory a git process frees rather than hand it back to the kernel at
 * once: git allocates and frees zlib's buffers for every object it writes, and the kernel zeroing those
 * pages again for the next one was a third of update-index's time in a 1,000-file checkpoint (90 ms down
 * to 55 on this host). Git processes are short, so nothing is held for long; other C libraries ignore the
 * variable, and a GLIBC_TUNABLES of the user's own is left as it is.
 */
const MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=67108864:glibc.malloc.top_pad=16777216:glibc.malloc.mmap_threshold=33554432';

/** Git's own variables for every command: no prompts, no optional index lock, plain messages, no editor; the repository as named. */
function gitVars(options: GitOptions): Record<string, string | undefined> {
  const vars: Record<string, string | undefined> = Object.fromEntries(LOCATING_VARS.map((name) => [name, undefined]));
  vars.GLIBC_TUNABLES = options.env.GLIBC_TUNABLES ?? MALLOC_TUNABLES;
  Object.assign(vars, { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true' }, options.extraEnv);
  if (options.repository) {
    vars.GIT_DIR = options.repository.gitDir;
    vars.GIT_WORK_TREE = options.repository.workTree;
  }
  return vars;
}

/**
 * Starts git with Switchboard's base arguments and environment, killed past its time; both ways of reading
 * its output share this start, the bounded stderr and the timeout.
 */
function startGit(args: string[], options: GitOptions, stdin: 'ignore' | 'pipe') {
  const child = spawn('git', [...BASE_ARGS, ...args], { cwd: options.cwd, env: childEnv(options.env, gitVars(options)), stdio: [stdin, 'pipe', 'pipe'] });
  const state = { stderr: '', timedOut: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  child.stderr!.on('data', (chunk: Buffer) => {
    if (state.stderr.length < 64 * 1024) state.stderr += chunk.toString('utf8');
  });
  child.on('close', () => clearTimeout(timer));
  child.on('error', () => clearTimeout(timer));
  return { child, state };
}

/**
 * Runs the real git binary as a child process (never in this thread's time: its output streams in),
 * bounded in time and in output; from the git helper process once one is attached (attachGitWorker), so
 * the spawn and the decoding of its output leave this process too. Resolves with the output for exit 0 (or an
 * `okCodes` code); a failure rejects with a GitError carrying git's stderr.
 */
export async function git(args: string[], options: GitOptions): Promise<GitResult> {
  const job: GitJob = {
    args: [...BASE_ARGS, ...args],
    cwd: options.cwd,
    env: childEnv(options.env, gitVars(options)),
    input: options.input,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
  };
  const run = pool ? await pool.run(job) : await runGit(job);
  const { code, stdout, stderr, truncated } = run;
  if (run.spawnError) {
    const missing = run.spawnError.code === 'ENOENT';
    throw new GitError(args, null, missing ? (fs.existsSync(options.cwd) ? 'git is not installed (not found on PATH)' : `the folder ${options.cwd} is gone`) : run.spawnError.message);
  }
  if (run.timedOut) throw new GitError(args, code, stderr, true);
  if (truncated) return { code: code ?? 0, stdout, stderr, truncated };
  if (code === 0 || (code !== null && options.okCodes?.includes(code))) return { code, stdout, stderr, truncated };
  throw new GitError(args, code, stderr);
}

/**
 * The git helper: a small Node process of its own (dist/main/git-worker.cjs, forked once) that spawns git
 * for this one. A spawn forks the process it is made from, and forking Switchboard (hundreds of MB) cost
 * 5-6 ms per git on this host against about 1.5 ms from the helper (a checkpoint starts five); the fork
 * also held the whole process, event loop included, while its page tables were copied. Jobs out, runs back
 * by id; a helper that fails hands its jobs (and the next) back to this process.
 */
class GitPool {
  private readonly helper: ChildProcess;
  private readonly waiting = new Map<number, { job: GitJob; resolve: (run: GitRun) => void }>();
  private next = 1;
  users = 1;
  broken = false;

  constructor(script: string, env: NodeJS.ProcessEnv) {
    // Electron's binary runs the script as plain Node with ELECTRON_RUN_AS_NODE; Node ignores the variable.
    this.helper = fork(script, [GIT_HELPER_ARG], { env: childEnv(env, { ELECTRON_RUN_AS_NODE: '1' }), execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    // What it says on failing (a script that cannot load, a crash) goes into the log line; the pipe keeps nothing alive.
    let said = '';
    (this.helper.stderr as Socket).unref();
    this.helper.stderr!.on('data', (chunk: Buffer) => {
      if (said.length < 2000) said += chunk.toString('utf8');
    });
    this.helper.on('message', ({ id, run }: { id: number; run: GitRun }) => {
      this.waiting.get(id)?.resolve(run);
      this.waiting.delete(id);
      if (!this.waiting.size) this.idle();
    });
    const fail = (why: string) => {
      if (this.broken) return;
      this.broken = true;
      log.warn(`worktrees: ${why}; git runs from this process again`, { said: said.trim().split('\n')[0]?.slice(0, 300) ?? '' });
      for (const { job, resolve } of this.waiting.values()) void runGit(job).then(resolve);
      this.waiting.clear();
    };
    this.helper.on('error', (error) => fail(`the git helper failed: ${error.message}`));
    this.helper.on('exit', (code, signal) => fail(`the git helper ended (${signal ?? code})`));
    this.idle();
  }

  /** Nothing waiting: the helper does not keep this process alive (a worker thread would not either). */
  private idle(): void {
    this.helper.unref();
    (this.helper.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  run(job: GitJob): Promise<GitRun> {
    if (this.broken) return runGit(job);
    return new Promise((resolve) => {
      const id = this.next++;
      this.waiting.set(id, { job, resolve });
      this.helper.ref();
      (this.helper.channel as { ref?: () => void } | undefined)?.ref?.();
      this.helper.send({ id, job });
    });
  }

  async close(): Promise<void> {
    this.broken = true;
    if (this.helper.exitCode !== null || this.helper.signalCode !== null) return;
    const ended = new Promise<void>((resolve) => this.helper.once('exit', () => resolve()));
    this.helper.kill();
    await ended;
  }
}

let pool: GitPool | null = null;

/**
 * Runs git through the helper process at `script` (the bundled dist/main/git-worker.cjs) from now on; one
 * helper for the process, shared by every core in it, ended with the last detach. `env` is the
 * environment it starts from (through childEnv; each job carries its own).
 */
export function attachGitWorker(script: string, env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  if (pool && !pool.broken) pool.users++;
  else pool = new GitPool(script, env);
  const mine = pool;
  let detached = false;
  return async () => {
    if (detached) return;
    detached = true;
    if (--mine.users > 0) return;
    if (pool === mine) pool = null;
    await mine.close();
  };
}

/**
 * Streams a command's output line by line to `onLine` (which returns false to stop early: a page of a diff
 * needs only its lines), so a 100 MB diff is never held whole. Resolves with whether it was stopped.
 */
export function gitLines(args: string[], options: GitOptions, onLine: (line: string) => boolean): Promise<{ stopped: boolean }> {
  return new Promise((resolve, reject) => {
    const { child, state } = startGit(args, options, 'ignore');
    let rest = '';
    let stopped = false;
    const stop = () => {
      stopped = true;
      child.stdout!.removeAllListeners('data');
      child.kill('SIGKILL');
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (!onLine(line)) return stop();
      }
    });
    child.on('error', (error) => reject(new GitError(args, null, error.message)));
    child.on('close', (code) => {
      if (stopped) return resolve({ stopped: true });
      if (state.timedOut) return reject(new GitError(args, code, state.stderr, true));
      if (code !== 0) return reject(new GitError(args, code, state.stderr));
      if (rest) onLine(rest);
      resolve({ stopped: false });
    });
  });
}
