import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../contract';
import { claudeEnv } from '../../main/testing/claude-harness';
import { FakeAnthropic } from '../../main/testing/fake-anthropic';
import { CLAUDE_BIN, makeTempDir, removeTempDir } from '../../main/testing/temp-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SERVE_JS = path.join(ROOT, 'dist/main/serve.js');
/** The exact shape scripts rely on. */
export const UI_LINE = /^UI: (http:\/\/127\.0\.0\.1:(\d+))\/#token=([0-9a-f]{64})$/m;

export interface Served {
  process: ChildProcess;
  url: string;
  base: string;
  port: number;
  token: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Runs the built headless server on a data dir; resolves once it prints its UI line. */
export function startServe(dataDir: string, options: { port?: number; env?: NodeJS.ProcessEnv; args?: string[]; script?: string } = {}): Promise<Served> {
  const child = spawn(process.execPath, [options.script ?? SERVE_JS, 'serve', '--port', String(options.port ?? 0), ...(options.args ?? [])], {
    env: { ...process.env, SWITCHBOARD_HOME: dataDir, SWITCHBOARD_CLAUDE: CLAUDE_BIN, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serve printed no UI line within 15 s:\n${output}`));
    }, 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = UI_LINE.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ process: child, url: `${match[1]}/#token=${match[3]}`, base: match[1]!, port: Number(match[2]), token: match[3]!, output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before its UI line:\n${output}`));
    });
  });
}

/** A contract method over serve's HTTP API with the UI token, as the window calls it: its value, or an error naming the method. */
export async function callApi<M extends MethodName>(served: Served, method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  const response = await fetch(`${served.base}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${served.token}` }, body: JSON.stringify(input) });
  const body = (await response.json()) as { ok: boolean; value: MethodOutput<M>; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}

/** A temp home for a test that runs the real CLI: serve's data folder in it, and the env that points the CLI at an empty home of its own and at the API. */
export interface ClaudeHome {
  home: string;
  data: string;
  env: NodeJS.ProcessEnv;
}

/** What `tempHomes` hands a test. */
export interface TempHomes {
  /** A fresh temp folder. */
  home: () => string;
  /** A fresh temp folder with an empty claude home in it, for the real CLI against the API at `apiUrl`. */
  claudeHome: (apiUrl: string) => ClaudeHome;
  track: (served: Served) => Served;
  cleanup: () => Promise<void>;
}

/** A temp data dir per call, all removed after each test, with any server still running stopped first. */
export function tempHomes(): TempHomes {
  const dirs: string[] = [];
  const running: Served[] = [];
  const home = () => {
    const dir = makeTempDir('switchboard-e2e-');
    dirs.push(dir);
    return dir;
  };
  return {
    home,
    claudeHome: (apiUrl) => {
      const dir = home();
      const claudeHome = path.join(dir, 'claude-home');
      fs.mkdirSync(claudeHome);
      return { home: dir, data: path.join(dir, 'data'), env: claudeEnv(apiUrl, claudeHome) };
    },
    track: (served) => {
      running.push(served);
      return served;
    },
    cleanup: async () => {
      await Promise.all(running.splice(0).map((s) => s.stop()));
      dirs.splice(0).forEach(removeTempDir);
    },
  };
}

/** `tempHomes` cleaned up after each test of the file: what most e2e files start with. */
export function useTempHomes(): TempHomes {
  const temp = tempHomes();
  afterEach(() => temp.cleanup());
  return temp;
}

/** The Anthropic stand-in the served CLI talks to, started before the file's tests and stopped after them. */
export function useFakeAnthropic(): FakeAnthropic {
  const api = new FakeAnthropic();
  beforeAll(() => api.start());
  afterAll(() => api.stop());
  return api;
}
