import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { childEnv } from '../child-env';

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
 * Options every command of ours runs with: no pager, no prompts, no colours, paths as they are, the
 * repository's hooks off (a pre-commit hook of the user's must not run for a checkpoint or hang a merge),
 * and no optional lock on the user's index (a status must not rewrite it).
 */
const BASE_ARGS = ['-c', 'core.quotepath=false', '-c', 'color.ui=false', '-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false', '--no-pager'];

/** Git's own variables for every command: no prompts, no optional index lock, plain messages, no editor. */
function gitVars(options: GitOptions): Record<string, string> {
  return { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true', ...options.extraEnv };
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
 * bounded in time and in output. Resolves with the output for exit 0 (or an `okCodes` code); a failure
 * rejects with a GitError carrying git's stderr.
 */
export function git(args: string[], options: GitOptions): Promise<GitResult> {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve, reject) => {
    const { child, state } = startGit(args, options, options.input === undefined ? 'ignore' : 'pipe');
    if (options.input !== undefined) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(options.input);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (truncated) return;
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        truncated = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    child.on('error', (error) => {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new GitError(args, null, missing ? (fs.existsSync(options.cwd) ? 'git is not installed (not found on PATH)' : `the folder ${options.cwd} is gone`) : error.message));
    });
    child.on('close', (code) => {
      const { stderr } = state;
      if (state.timedOut) return reject(new GitError(args, code, stderr, true));
      const stdout = Buffer.concat(chunks).toString('utf8');
      if (truncated) return resolve({ code: code ?? 0, stdout, stderr, truncated });
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) return resolve({ code, stdout, stderr, truncated });
      reject(new GitError(args, code, stderr));
    });
  });
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
