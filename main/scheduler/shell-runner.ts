import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { childEnv } from '../child-env';

/** Output kept per stream: the end, which is where errors are. */
export const OUTPUT_CAP = 64 * 1024;

export interface ShellResult {
  status: 'ok' | 'failed' | 'timeout' | 'cancelled';
  exitCode: number | null;
  stdoutTail: string;
  stderrTail: string;
  reason: string | null;
}

function tail(text: string): string {
  return text.length > OUTPUT_CAP ? `…${text.slice(-OUTPUT_CAP)}` : text;
}

/**
 * Runs a command through the user's shell in the job's folder, as the user, with the job's
 * environment on top of theirs; kills it (and its children) at the timeout or on cancel.
 */
export function runShell(options: {
  command: string;
  cwd: string | null;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
  /** Told the process group as soon as the command starts, to keep with the run's lock. */
  onStart?: (pgid: number) => void;
}): Promise<ShellResult> {
  const cwd = options.cwd ?? options.env.HOME ?? process.cwd();
  if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    return Promise.resolve({ status: 'failed', exitCode: null, stdoutTail: '', stderrTail: '', reason: `the job's folder ${cwd} does not exist` });
  }
  const windows = process.platform === 'win32';
  const shell = windows ? (options.env.COMSPEC ?? 'cmd.exe') : (options.env.SHELL ?? '/bin/sh');
  const child = spawn(shell, windows ? ['/d', '/s', '/c', options.command] : ['-c', options.command], {
    cwd,
    env: childEnv(options.env),
    // Its own process group, so a timeout takes its children down too.
    detached: !windows,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid && !windows) options.onStart?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-OUTPUT_CAP * 2)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-OUTPUT_CAP * 2)));
  let ended: 'timeout' | 'cancelled' | null = null;
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (!windows && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      /* already gone */
    }
  };
  const stop = (why: 'timeout' | 'cancelled') => {
    if (ended || child.exitCode !== null) return;
    ended = why;
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), 5000).unref();
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('cancelled');
  options.signal.addEventListener('abort', onAbort);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 'failed', exitCode: null, stdoutTail: '', stderrTail: '', reason: `could not start ${shell}: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      const base = { exitCode: code, stdoutTail: tail(stdout), stderrTail: tail(stderr) };
      if (ended === 'timeout') resolve({ ...base, status: 'timeout', reason: `killed after the ${Math.round(options.timeoutMs / 1000)} s timeout` });
      else if (ended === 'cancelled') resolve({ ...base, status: 'cancelled', reason: 'cancelled' });
      else if (code === 0) resolve({ ...base, status: 'ok', reason: null });
      else resolve({ ...base, status: 'failed', reason: code === null ? `ended by ${signal}` : `exit code ${code}` });
    });
  });
}
