import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { startServe } from '../e2e/support/serve';
import { desktopCaller } from '../main/ipc/router';
import { GIT_TEST_ENV } from '../main/testing/git-repo';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { median, type BenchGroup, type Figure } from './figures';

const FILES = 50_000;
const CHANGED = 1_000;
const RUNS = 5;

function gitIn(dir: string, ...args: string[]): void {
  execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_TEST_ENV }, stdio: 'ignore', maxBuffer: 1 << 30 });
}

/** A generated repository of 50,000 source files in 500 folders, one commit. */
function generateRepo(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  gitIn(dir, 'init', '--quiet', '-b', 'main');
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(dir, 'src', `pkg${i % 500}`);
    if (i < 500) fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `file${i}.ts`), `// file ${i}\nexport const value${i} = ${i};\nexport function f${i}(x: number) {\n  return x + ${i};\n}\n`);
  }
  gitIn(dir, 'add', '-A');
  // Packed, as a repository of this size is: the commit's automatic gc would otherwise pack its 50,000 loose
  // objects in the background while the figures are taken (it did: the checkpoints took 0.4 s beside it).
  gitIn(dir, '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'commit', '--quiet', '-m', 'generated');
  gitIn(dir, 'repack', '-a', '-d', '-q');
}

/**
 * A writer of turns: 1,000 files changed per round, each a little differently, by another process (as
 * Claude's are), started once before the figures are taken. The event-loop figure is then Switchboard's
 * own: neither the writes nor the benchmark's spawn of a writer per round (a fork of this process) are in it.
 */
function startWriter(tree: string): { round: (n: number) => Promise<void>; stop: () => void } {
  const script = `const fs=require('fs'),path=require('path'),rl=require('readline').createInterface({input:process.stdin});rl.on('line',(round)=>{for(let i=0;i<${CHANGED};i++){const n=i*50;fs.writeFileSync(path.join(${JSON.stringify(tree)},'src','pkg'+(n%500),'file'+n+'.ts'),'// file '+n+', round '+round+'\\nexport const value'+n+' = '+(n+Number(round))+';\\n')}process.stdout.write('done\\n')})`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: (() => void)[] = [];
  lines.on('line', () => waiting.shift()?.());
  return {
    round: (n) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${n}\n`);
      }),
    stop: () => child.kill(),
  };
}

/** In a 50,000-file repository: a turn's checkpoint with 1,000 files changed, the file list of them, and the event loop meanwhile. */
async function checkpointAndSummary(): Promise<Figure[]> {
  const dir = makeTempDir('switchboard-bench-changes-');
  try {
    const repo = path.join(dir, 'repo');
    const t0 = performance.now();
    generateRepo(repo);
    const generated = (performance.now() - t0) / 1000;
    const core = await benchCore(path.join(dir, 'data'), { env: { PATH: process.env.PATH, HOME: path.join(dir, 'home'), ...GIT_TEST_ENV } });
    try {
      const t1 = performance.now();
      const created = await core.router.call('sessions.create', { title: 'bench', cwd: repo, worktree: true }, desktopCaller);
      if (!created.ok) throw new Error(created.error.message);
      const createMs = performance.now() - t1;
      const session = created.value as { id: string; cwd: string };
      // The setup's own writes (the 50,000 files twice, the pack: about 400 MB) flushed to disk first: the
      // kernel writing them back during the rounds made the figure the disk's, not the checkpoint's.
      const s0 = performance.now();
      execFileSync('sync');
      const syncMs = performance.now() - s0;
      // The machine's own noise first: the same histogram over an idle loop (other processes share the cores).
      const idle = monitorEventLoopDelay({ resolution: 10 });
      idle.enable();
      await new Promise((r) => setTimeout(r, 3000));
      idle.disable();
      const writer = startWriter(session.cwd);
      const delay = monitorEventLoopDelay({ resolution: 10 });
      const checkpoints: number[] = [];
      const summaries: number[] = [];
      let files = 0;
      delay.enable();
      for (let round = 1; round <= RUNS; round++) {
        await writer.round(round);
        const c0 = performance.now();
        await core.worktrees.checkpoint(session.id, round);
        checkpoints.push(performance.now() - c0);
        const s0 = performance.now();
        const changes = await core.worktrees.changes(session.id, { turn: round, limit: 1000 });
        summaries.push(performance.now() - s0);
        files = changes.totalFiles;
      }
      const w0 = performance.now();
      await core.worktrees.changes(session.id, { limit: 1000 });
      const wholeMs = performance.now() - w0;
      delay.disable();
      writer.stop();
      if (files !== CHANGED) throw new Error(`expected ${CHANGED} changed files, found ${files}`);
      return [
        { name: 'changes.checkpoint_ms', value: median(checkpoints), unit: 'ms', goal: { below: 150 }, note: `a turn's checkpoint with ${CHANGED} of ${FILES.toLocaleString('en')} files changed (Switchboard's own index: status, update-index of what it named, write-tree, commit-tree, update-ref; the figures are the summary below), median of ${RUNS}` },
        { name: 'changes.summary_ms', value: median(summaries), unit: 'ms', goal: { below: 150 }, note: `the file list of one turn's ${CHANGED} changed files (git child process), median of ${RUNS}` },
        { name: 'changes.summary_session_ms', value: wholeMs, unit: 'ms', note: 'the whole session against its base (a fresh snapshot of the worktree first)' },
        { name: 'changes.event_loop_p99_ms', value: delay.percentile(99) / 1e6, unit: 'ms', goal: { below: 20 }, note: 'event-loop delay while checkpoints and file lists ran' },
        { name: 'changes.event_loop_idle_p99_ms', value: idle.percentile(99) / 1e6, unit: 'ms', note: 'the same over 3 s of an idle loop, before: what the machine alone adds' },
        { name: 'changes.worktree_create_ms', value: createMs, unit: 'ms', note: `git worktree add of the ${FILES.toLocaleString('en')}-file repository (generated in ${generated.toFixed(1)} s; its writes flushed in ${(syncMs / 1000).toFixed(1)} s before the rounds)` },
      ];
    } finally {
      await core.stop();
    }
  } finally {
    removeTempDir(dir);
  }
}

/** A 10,000-line diff in the Changes tab, in Chromium through serve: from the click on the file to its first lines on screen. */
async function diffFirstPaint(): Promise<Figure[]> {
  const dir = makeTempDir('switchboard-bench-diff-');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(repo, { recursive: true });
    gitIn(repo, 'init', '--quiet', '-b', 'main');
    const before = Array.from({ length: 10_000 }, (_, i) => `export const value${i} = ${i}; // the line as it was`).join('\n');
    fs.writeFileSync(path.join(repo, 'big.ts'), `${before}\n`);
    fs.writeFileSync(path.join(repo, 'a-small.txt'), 'small\n');
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'generated');
    const served = await startServe(path.join(dir, 'data'), { env: { HOME: dir, ...GIT_TEST_ENV } });
    try {
      const call = async (method: string, input: unknown) => {
        const r = (await (await fetch(`${served.base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify(input) })).json()) as { ok: boolean; value: { id: string; cwd: string }; error?: { message: string } };
        if (!r.ok) throw new Error(r.error?.message);
        return r.value;
      };
      const session = await call('sessions.create', { title: 'bench diff', cwd: repo, worktree: true });
      // 5,000 lines changed: a 10,000-line diff (each old line out, its new one in).
      const after = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `export const value${i} = ${i * 2}; // changed` : `export const value${i} = ${i}; // the line as it was`)).join('\n');
      fs.writeFileSync(path.join(session.cwd, 'big.ts'), `${after}\n`);
      fs.writeFileSync(path.join(session.cwd, 'a-small.txt'), 'small, changed\n');
      const times: number[] = [];
      let lines = 0;
      for (let run = 0; run < 5; run++) {
        const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
        await page.goto(served.url);
        await page.goto(`${served.url.split('#')[0]}#/sessions/${session.id}`);
        await page.getByRole('tab', { name: 'Changes' }).click();
        await page.getByTestId('diff-view').locator('tr[data-line]').first().waitFor();
        const t0 = performance.now();
        await page.getByRole('list', { name: 'Changed files' }).getByRole('button', { name: /big\.ts/ }).click();
        await page
          .locator('[data-testid="diff-view"] tr[data-line]', { hasText: 'value1 = 2; // changed' })
          .first()
          .waitFor({ timeout: 30_000 })
          .catch(async (error: unknown) => {
            if (process.env.BENCH_SHOT) await page.screenshot({ path: process.env.BENCH_SHOT });
            throw error;
          });
        times.push(performance.now() - t0);
        lines = await page.getByTestId('diff-view').locator('tr[data-line]').count();
        await page.context().close();
      }
      return [
        {
          name: 'changes.diff_first_paint_ms',
          value: median(times),
          unit: 'ms',
          goal: { below: 300 },
          note: `Chromium through serve: click on a file whose diff is 10,000 lines (+5,000 −5,000) to its first lines on screen (${lines} table rows in the page: the rest is paged and virtualised), median of ${times.length}`,
        },
      ];
    } finally {
      await served.stop();
    }
  } finally {
    await browser.close();
    removeTempDir(dir);
  }
}

export const changesGroup: BenchGroup = {
  name: 'changes',
  description: 'worktrees: checkpoints and file lists in a 50,000-file repository; a 10,000-line diff in Chromium',
  async run() {
    // BENCH_CHANGES_PAINT_ONLY / BENCH_CHANGES_GIT_ONLY: one half alone (the git half needs no build nor Chromium).
    return [...(process.env.BENCH_CHANGES_PAINT_ONLY ? [] : await checkpointAndSummary()), ...(process.env.BENCH_CHANGES_GIT_ONLY ? [] : await diffFirstPaint())];
  },
};
