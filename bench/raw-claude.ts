import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildClaudeArgs, userMessageLine } from '../main/claude/args';
import { CLAUDE_BIN } from '../main/testing/temp-core';

/** A bare warm `claude` stream-json process: write a user line, time the first text delta. */
export class RawClaude {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiters: { onDelta?: () => void; onResult?: () => void; onControl?: () => void } = {};

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    const args = buildClaudeArgs({ sessionId: randomUUID(), resume: false, policy: 'ask' });
    // Detached as Switchboard starts its CLIs (ClaudeProcess): a session of its own, so on Linux it is
    // its own scheduler autogroup too. Otherwise 20 raw processes share the benchmark's one autogroup
    // and get a fraction of the CPU Switchboard's 20 get on a loaded host.
    this.child = spawn(CLAUDE_BIN, args, { cwd, env, detached: true });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (line.includes('"text_delta"')) this.waiters.onDelta?.();
        if (line.startsWith('{"type":"result"') || line.includes('"type":"result"')) this.waiters.onResult?.();
        if (line.includes('"type":"control_response"')) this.waiters.onControl?.();
      }
    });
  }

  /** Resolves once the CLI answers the SDK's `initialize` request: booted, waiting for its first message (as Switchboard's warm spare waits). */
  async booted(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.waiters = { onControl: () => resolve() };
      this.child.stdin.write(`${JSON.stringify({ type: 'control_request', request_id: randomUUID(), request: { subtype: 'initialize' } })}\n`);
    });
    this.waiters = {};
  }

  /** Milliseconds from writing the message to the first text delta; resolves after the turn ends. */
  async turn(text: string): Promise<number> {
    const start = performance.now();
    let first = 0;
    await new Promise<void>((resolve) => {
      this.waiters = {
        onDelta: () => {
          if (!first) first = performance.now() - start;
        },
        onResult: () => resolve(),
      };
      this.child.stdin.write(userMessageLine(text));
    });
    this.waiters = {};
    return first;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  stop(): void {
    this.child.kill();
  }
}
