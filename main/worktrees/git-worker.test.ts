import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../testing/temp-core';
import { attachGitWorker, git, GitError } from './git';

let dir: string;
let bundle: string;

beforeAll(async () => {
  // The helper as it ships: the source bundled as scripts/build.mjs bundles it, run as a process of its own.
  dir = makeTempDir('switchboard-git-helper-');
  bundle = path.join(dir, 'git-worker.cjs');
  await build({ entryPoints: [path.resolve(import.meta.dirname, 'git-worker.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
});

afterAll(() => removeTempDir(dir));

const opts = () => ({ cwd: process.cwd(), env: { PATH: process.env.PATH } });

describe('the git helper process', () => {
  it('runs git for this process with the same answers and refusals, its output cut and its input passed', async () => {
    const detach = attachGitWorker(bundle, { PATH: process.env.PATH });
    try {
      const version = await git(['--version'], opts());
      expect(version).toMatchObject({ code: 0, truncated: false, stdout: expect.stringMatching(/^git version /) });
      await expect(git(['rev-parse', '--verify', 'no-such-ref'], opts())).rejects.toBeInstanceOf(GitError);
      const cut = await git(['help', '-a'], { ...opts(), maxBytes: 100 });
      expect(cut).toMatchObject({ truncated: true });
      expect(cut.stdout).toHaveLength(100);
      const hashed = await git(['hash-object', '--stdin'], { ...opts(), input: 'hello\n' });
      expect(hashed.stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
      // Many at once: the event loop stays free, nothing here forks.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const many = await Promise.all(Array.from({ length: 40 }, () => git(['--version'], opts())));
      delay.disable();
      expect(many.every((r) => r.stdout.startsWith('git version '))).toBe(true);
      expect(delay.max / 1e6).toBeLessThan(200);
    } finally {
      await detach();
    }
  });

  it('hands its jobs back to this process when it cannot start or dies', async () => {
    const broken = attachGitWorker('/nonexistent/git-worker.cjs', { PATH: process.env.PATH });
    try {
      expect((await git(['--version'], opts())).stdout).toMatch(/^git version /);
    } finally {
      await broken();
    }
    // A helper killed with a job in flight: the job is run here instead.
    const detach = attachGitWorker(bundle, { PATH: process.env.PATH });
    try {
      await git(['--version'], opts());
      const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readCmdline(p).includes('--switchboard-git-helper') && readCmdline(p).includes(dir));
      expect(pids).toHaveLength(1);
      const slow = git(['-c', 'alias.wait=!sleep 0.3 && echo waited', 'wait'], opts());
      process.kill(Number(pids[0]), 'SIGKILL');
      expect((await slow).stdout.trim()).toBe('waited');
    } finally {
      await detach();
    }
  });
});

function readCmdline(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
