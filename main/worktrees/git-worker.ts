import { spawn } from 'node:child_process';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { childEnv } from '../child-env';

// Runs git for main/worktrees/git.ts. As a worker thread (dist/main/git-worker.cjs) it takes the spawns
// off the main thread: a spawn forks the whole process (several milliseconds for a big one, tens on a busy
// machine) and git's output is joined and decoded here, not in the event loop. Imports nothing of ours, so
// it runs from its bundle and, under Node's type stripping, from source.

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

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'git') {
  parentPort!.on('message', ({ id, job }: { id: number; job: GitJob }) => {
    void runGit(job).then((run) => parentPort!.postMessage({ id, run }));
  });
}
