import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
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

/** A temp data dir per call, all removed after each test, with any server still running stopped first. */
export function tempHomes(): { home: () => string; track: (served: Served) => Served; cleanup: () => Promise<void> } {
  const dirs: string[] = [];
  const running: Served[] = [];
  return {
    home: () => {
      const dir = makeTempDir('switchboard-e2e-');
      dirs.push(dir);
      return dir;
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
