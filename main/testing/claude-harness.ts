import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SettingChange, Turn } from '../../contract';
import type { Core, CoreConfig } from '../core';
import { FakeAnthropic } from './fake-anthropic';
import { CLAUDE_BIN, makeTempDir, removeTempDir, testCore } from './temp-core';
import { nextEvent } from './wait';

/** The environment that points the real CLI at the stand-in API, with its own HOME and config dir. */
export function claudeEnv(apiUrl: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: 'sk-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    SWITCHBOARD_CLAUDE: CLAUDE_BIN,
  };
}

/**
 * Runs the real claude binary once, always under a timeout (a dummy key retries for minutes otherwise);
 * `arrivedMs` says when each output line came, in ms from the start (how long a hook held the run).
 */
export function runClaude(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stdin?: string; timeoutMs?: number },
): Promise<{ code: number | null; lines: unknown[]; arrivedMs: number[]; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(CLAUDE_BIN, args, { cwd: options.cwd, env: options.env });
    let partial = '';
    const texts: string[] = [];
    const arrivedMs: number[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    const take = (text: string) => {
      if (!text) return;
      texts.push(text);
      arrivedMs.push(performance.now() - started);
    };
    child.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      parts.forEach(take);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => {
      clearTimeout(timer);
      take(partial);
      const lines = texts.map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          return l;
        }
      });
      resolve({ code, lines, arrivedMs, stderr, timedOut });
    });
  });
}

export { nextEvent };

export interface Harness {
  api: FakeAnthropic;
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  core: Core;
  notifications: { title: string; body: string }[];
  /** Waits until the turn has ended, and returns it. */
  turnEnded: (turnId: string, timeoutMs?: number) => Promise<Turn>;
  /** Waits until the turn has ended and its transcript is read to the end (its answers counted), and returns it. */
  turnCounted: (turnId: string, timeoutMs?: number) => Promise<Turn>;
  /** Stops everything; the folder is removed unless kept (for a restart on the same data). */
  close: (keep?: boolean) => Promise<void>;
}

/** A started core whose sessions run the real claude binary against a fresh stand-in API. */
export async function startHarness(
  options: { settings?: SettingChange[]; freeMemoryMb?: () => number; env?: NodeJS.ProcessEnv; core?: Partial<CoreConfig>; dir?: string } = {},
): Promise<Harness> {
  const api = new FakeAnthropic();
  await api.start();
  // A given folder is a restart: the same data, the same HOME.
  const dir = options.dir ?? makeTempDir('switchboard-sessions-');
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { recursive: true });
  const env = { ...claudeEnv(api.url, home), ...options.env };
  const notifications: { title: string; body: string }[] = [];
  const core = testCore(path.join(dir, 'data'), {
    env,
    notifier: { notify: (n) => notifications.push(n) },
    freeMemoryMb: options.freeMemoryMb ?? (() => 100_000),
    ...options.core,
  });
  await core.start();
  for (const change of options.settings ?? []) core.settings.set(change);
  const turnEnded = async (turnId: string, timeoutMs = 45_000) => {
    const done = (t: { status: string }) => !['queued', 'running'].includes(t.status);
    const ended = nextEvent(core.events, 'sessions.stream', (p) => p.item.kind === 'turn' && p.item.turn.id === turnId && done(p.item.turn), timeoutMs);
    const now = core.sessions.turn(turnId);
    if (done(now)) {
      ended.catch(() => {});
      return now;
    }
    const payload = await ended;
    return (payload.item as { turn: Turn }).turn;
  };
  const turnCounted = async (turnId: string, timeoutMs = 45_000) => {
    const ended = await turnEnded(turnId, timeoutMs);
    // Read its transcript to the end, as sessions.ask does: every answer of the turn is counted then.
    await core.transcripts.catchUp(core.sessions.get(ended.sessionId).claudeSessionId);
    return core.sessions.turn(turnId);
  };
  return {
    api,
    dir,
    home,
    env,
    core,
    notifications,
    turnEnded,
    turnCounted,
    close: async (keep = false) => {
      await core.stop();
      await api.stop();
      if (!keep) removeTempDir(dir);
    },
  };
}
