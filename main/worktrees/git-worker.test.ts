import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { GIT_WORKER_SOURCE } from '../testing/temp-core';
import { attachGitWorker, git, GitError } from './git';

describe('the git worker', () => {
  it('runs git off the main thread with the same answers and refusals, and falls back to this thread when it cannot start', async () => {
    const detach = attachGitWorker(GIT_WORKER_SOURCE);
    try {
      const version = await git(['--version'], { cwd: process.cwd(), env: { PATH: process.env.PATH } });
      expect(version).toMatchObject({ code: 0, truncated: false, stdout: expect.stringMatching(/^git version /) });
      await expect(git(['rev-parse', '--verify', 'no-such-ref'], { cwd: process.cwd(), env: { PATH: process.env.PATH } })).rejects.toBeInstanceOf(GitError);
      const cut = await git(['help', '-a'], { cwd: process.cwd(), env: { PATH: process.env.PATH }, maxBytes: 100 });
      expect(cut).toMatchObject({ truncated: true });
      expect(cut.stdout).toHaveLength(100);
      // Many spawns at once: the event loop stays free while the worker forks.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      await Promise.all(Array.from({ length: 40 }, () => git(['--version'], { cwd: process.cwd(), env: { PATH: process.env.PATH } })));
      delay.disable();
      expect(delay.max / 1e6).toBeLessThan(200);
    } finally {
      await detach();
    }
    const broken = attachGitWorker('/nonexistent/git-worker.cjs');
    try {
      expect((await git(['--version'], { cwd: process.cwd(), env: { PATH: process.env.PATH } })).stdout).toMatch(/^git version /);
    } finally {
      await broken();
    }
  });
});
