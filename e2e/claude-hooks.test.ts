import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeEnv, runClaude } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { CLAUDE_BIN } from '../main/testing/temp-core';
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
async function connected(settings: Record<string, number> = {}, options: { withoutPlugins?: boolean } = {}) {
  api = new FakeAnthropic();
  await api.start();
  const root = temp.home();
  const home = path.join(root, 'user');
  const project = path.join(root, 'project');
  fs.mkdirSync(home);
  fs.mkdirSync(project);
  const env = claudeEnv(api.url, home);
  // A Claude Code without plugins: the real CLI behind a wrapper that knows no `plugin` command, so Connect merges the hooks into its settings.
  const cli = path.join(root, 'claude-without-plugins');
  if (options.withoutPlugins) fs.writeFileSync(cli, `#!/bin/sh\n[ "$1" = plugin ] && { echo "error: unknown command 'plugin'" >&2; exit 1; }\nexec '${CLAUDE_BIN}' "$@"\n`, { mode: 0o700 });
  const served = temp.track(await startServe(path.join(root, 'data'), { env: { HOME: home, CLAUDE_CONFIG_DIR: env.CLAUDE_CONFIG_DIR, ...(options.withoutPlugins ? { SWITCHBOARD_CLAUDE: cli } : {}) } }));
  for (const [key, value] of Object.entries(settings)) await call(served, 'settings.set', { key, value });
  expect(await call(served, 'claudeCode.connect', {})).toMatchObject({ connected: true, stale: null, ...(options.withoutPlugins ? { plugin: expect.stringContaining('without plugins') } : {}) });
  // `attended`: run as a session someone sits at (the CLI marks a plain `-p` unattended, and such a run is never held for a reply).
  const claudeP = (prompt: string, attended = false) =>
    runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--include-hook-events', '--', prompt], { env: { ...env, ...(attended ? { CLAUDE_CODE_ENTRYPOINT: 'claude-desktop' } : {}) }, cwd: project, timeoutMs: 120_000 });
  return { served, project, claudeP, api: api };
}

/** How long the run's Stop hook held it: from the CLI starting the hook to its answer, as the output lines came. */
function stopHookMs(run: { lines: unknown[]; arrivedMs: number[] }): number {
  const at = (subtype: string) => run.arrivedMs[run.lines.findIndex((l) => (l as { subtype?: string; hook_event?: string }).subtype === subtype && (l as { hook_event?: string }).hook_event === 'Stop')];
  const [started, answered] = [at('hook_started'), at('hook_response')];
  if (started === undefined || answered === undefined) throw new Error(`no Stop hook in the run: ${JSON.stringify(run.lines).slice(0, 2000)}`);
  return answered - started;
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
    const run = await claudeP('just say hi', true);
    const took = Date.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.stringify(run.lines)).toContain('"result":"hi"');
    expect(took).toBeLessThan(10_000);
    // The Stop hook did ask (the window is on) and gave up on the silent Switchboard after its 3 s.
    expect(stopHookMs(run)).toBeGreaterThan(2500);
  });

  it('with Reply to continue off, the Stop hook answers at once (its note goes in the background): a frozen Switchboard does not hold it', async () => {
    const { served, claudeP, api } = await connected();
    api.reply({ kind: 'text', text: 'first' }, { kind: 'text', text: 'second' });
    const running = await claudeP('say first');
    expect(running.code, running.stderr).toBe(0);
    expect(stopHookMs(running)).toBeLessThan(1000);
    freeze(served);
    const run = await claudeP('say second');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.stringify(run.lines)).toContain('"result":"second"');
    // Asking the frozen server would take 3 s (the hook's first request); not asking takes a few ms.
    expect(stopHookMs(run)).toBeLessThan(1000);
  });

  it('a reply window turned on reaches the hook at its next stop without reconnecting: the stop waits for a reply', async () => {
    const { served, claudeP, api } = await connected();
    await call(served, 'settings.set', { key: 'hooks.replyWindowSeconds', value: 3 });
    api.reply({ kind: 'text', text: 'waited' });
    const run = await claudeP('say it', true);
    expect(run.code, run.stderr).toBe(0);
    // Nobody replied: the hook held the run for the 3 s window, and no longer.
    expect(stopHookMs(run)).toBeGreaterThan(2500);
    expect(stopHookMs(run)).toBeLessThan(8000);
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

  it('without plugins (hooks merged into the settings), a frozen Switchboard holds neither a `claude -p` run nor a permission question 10 s', async () => {
    const { served, project, claudeP, api } = await connected({ 'hooks.replyWindowSeconds': 600 }, { withoutPlugins: true });
    api.reply({ kind: 'text', text: 'hi' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch frozen.txt', description: 'make a file' } }, { kind: 'text', text: 'could not' });
    freeze(served);
    let started = Date.now();
    const hi = await claudeP('just say hi');
    expect(hi.code, hi.stderr).toBe(0);
    expect(JSON.stringify(hi.lines)).toContain('"result":"hi"');
    expect(Date.now() - started).toBeLessThan(10_000);
    started = Date.now();
    const asked = await claudeP('make the file');
    expect(asked.code, asked.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'frozen.txt'))).toBe(false);
    expect(JSON.stringify(asked.lines)).toContain('permission_denials');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
