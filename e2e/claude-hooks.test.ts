import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeEnv, runClaude } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { startServe, tempHomes, type Served } from './support/serve';

// The real claude CLI with the plugin installed by Connect in a temporary HOME, against a real second
// process running Switchboard's core (the built `serve`), frozen with SIGSTOP where the test says so.
const temp = tempHomes();
let api: FakeAnthropic | null = null;
let frozen: Served | null = null;
afterEach(async () => {
  if (frozen) process.kill(frozen.process.pid!, 'SIGCONT');
  frozen = null;
  await api?.stop();
  api = null;
  await temp.cleanup();
});

async function call(served: Served, method: string, input: object): Promise<unknown> {
  const res = await fetch(`${served.base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify(input) });
  const result = (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
  if (!result.ok) throw new Error(`${method}: ${result.error?.message}`);
  return result.value;
}

/** A served Switchboard, Claude Code connected to it by Connect, and the environment of a terminal's `claude`. */
async function connected(settings: Record<string, number> = {}) {
  api = new FakeAnthropic();
  await api.start();
  const root = temp.home();
  const home = path.join(root, 'user');
  const project = path.join(root, 'project');
  fs.mkdirSync(home);
  fs.mkdirSync(project);
  const env = claudeEnv(api.url, home);
  const served = temp.track(await startServe(path.join(root, 'data'), { env: { HOME: home, CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR } }));
  for (const [key, value] of Object.entries(settings)) await call(served, 'settings.set', { key, value });
  expect(await call(served, 'claudeCode.connect', {})).toMatchObject({ connected: true, stale: null });
  const claudeP = (prompt: string) => runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--', prompt], { env, cwd: project, timeoutMs: 120_000 });
  return { served, project, claudeP, api: api };
}

const freeze = (served: Served) => {
  process.kill(served.process.pid!, 'SIGSTOP');
  frozen = served;
};

describe('hooks never hold a terminal', { timeout: 180_000 }, () => {
  it('a frozen Switchboard (SIGSTOP) holds a `claude -p` run with Reply to continue on less than 10 s', async () => {
    const { served, claudeP, api } = await connected({ 'hooks.replyWindowSeconds': 600 });
    api.reply({ kind: 'text', text: 'hi' });
    freeze(served);
    const started = Date.now();
    const run = await claudeP('just say hi');
    const took = Date.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.stringify(run.lines)).toContain('"result":"hi"');
    expect(took).toBeLessThan(10_000);
  });

  it('a frozen Switchboard holds a permission question less than 10 s; then the terminal decides as without it (`-p` refuses)', async () => {
    const { served, project, claudeP, api } = await connected();
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch frozen.txt', description: 'make a file' } }, { kind: 'text', text: 'could not' });
    freeze(served);
    const started = Date.now();
    const run = await claudeP('make the file');
    const took = Date.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'frozen.txt'))).toBe(false);
    expect(JSON.stringify(run.lines)).toContain('permission_denials');
    expect(took).toBeLessThan(10_000);
  });

  it('a Switchboard that waits for the user keeps the question open past the hook’s 5 s silence check, until its own wait ends', async () => {
    const { served, project, claudeP, api } = await connected({ 'hooks.questionWaitSeconds': 8 });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch waited.txt', description: 'make a file' } }, { kind: 'text', text: 'nobody answered' });
    const started = Date.now();
    const run = await claudeP('make the file');
    const took = Date.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'waited.txt'))).toBe(false);
    expect(took).toBeGreaterThanOrEqual(8000);
    expect(took).toBeLessThan(15_000);
    const [question] = (await call(served, 'approvals.list', { status: 'all' })) as { decision: string; message: string }[];
    expect(question).toMatchObject({ decision: 'cancelled', message: 'No answer here within 8 s: the terminal decided.' });
  });
});
