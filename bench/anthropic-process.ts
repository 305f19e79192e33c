import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { FakeAnthropic, userTexts } from '../main/testing/fake-anthropic';

/** Each answer streams in this many pieces, 60 ms apart: about a second and a half of edits. */
export const CHUNKS = 25;

export const answerTo = (text: string) => `Answer to ${text}: ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}`;

/**
 * The Anthropic stand-in in a process of its own, as the real API is: in the benchmark's process it
 * answered the CLIs from the event loop the core works on, so the core's work delayed the answers to
 * its own CLIs (and not the bare CLIs' it is compared with, whose round leaves that loop idle).
 */
export async function startAnthropicProcess(): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
    // A session of its own, so on Linux a scheduler autogroup of its own, as each CLI has.
    detached: true,
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /^(http:\S+)\n/.exec(out);
      if (line) resolve(line[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the Anthropic stand-in exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

// Run as the child: serve until the parent closes stdin.
if (process.argv[1] === import.meta.filename) {
  const api = new FakeAnthropic();
  await api.start();
  api.respond((request) => ({ kind: 'text', text: answerTo(userTexts(request).at(-1) ?? ''), chunks: CHUNKS, chunkDelayMs: 60 }));
  process.stdout.write(`${api.url}\n`);
  process.stdin.on('end', () => void api.stop().then(() => process.exit(0)));
  process.stdin.resume();
}
