import { spawn } from 'node:child_process';
import { childEnv } from '../child-env';

// Runs git for main/worktrees/git.ts. As its own small process (dist/main/git-worker.cjs forked with
// GIT_HELPER_ARG) it takes the spawns out of Switchboard's: a spawn forks the process it is made from, and
// forking this small one costs a fraction of forking Switchboard, which also held its event loop meanwhile.
// git's output is joined and decoded there too. Imports nothing of ours but childEnv, so it runs from its
// bundle.

/** The argument the helper process is started with (so the bundle, loaded any other way, does nothing). */
export const GIT_HELPER_ARG = '--switchboard-git-helper';

/** One git command, with everything already decided by the caller (arguments, environment, bounds). */
export interface GitJob {
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs: number;
  maxBytes: number;
}

/** What the command did, as plain data (it crosses from the worker by structured clone). */
export interface GitRun {
  code: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  /** The spawn itself failed (git missing, the folder gone). */
  spawnError: { code: string | null; message: string } | null;
}

/** Spawns git, collects its output up to `maxBytes` (then stops it), and kills it past its time. */
export function runGit(job: GitJob): Promise<GitRun> {
  return new Promise((resolve) => {
    // The job's environment was made by childEnv in the main thread; made again here, so no secret can slip in.
    const child = spawn('git', job.args, { cwd: job.cwd, env: childEnv(job.env), stdio: [job.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    let truncated = false;
    let size = 0;
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, job.timeoutMs);
    if (job.input !== undefined) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(job.input);
    }
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (truncated) return;
      if (size + chunk.length > job.maxBytes) {
        chunks.push(chunk.subarray(0, job.maxBytes - size));
        size = job.maxBytes;
        truncated = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    let done = false;
    const finish = (run: Omit<GitRun, 'stdout' | 'stderr' | 'truncated' | 'timedOut'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...run, stdout: Buffer.concat(chunks).toString('utf8'), stderr, truncated, timedOut });
    };
    child.on('error', (error: NodeJS.ErrnoException) => finish({ code: null, spawnError: { code: error.code ?? null, message: error.message } }));
    child.on('close', (code) => finish({ code, spawnError: null }));
  });
}

if (process.argv.includes(GIT_HELPER_ARG) && process.send) {
  process.on('message', ({ id, job }: { id: number; job: GitJob }) => {
    void runGit(job).then((run) => process.send?.({ id, run }));
  });
  // Switchboard gone (or done with it): so is the helper.
  process.on('disconnect', () => process.exit(0));
}
