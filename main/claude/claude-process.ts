import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ClaudeEvent } from './events';
import { LineSplitter, parseLine } from './stream-parser';
import { userMessageLine } from './args';
import { childEnv } from '../child-env';

export interface ClaudeProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ClaudeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of stderr, for telling the user why. */
  stderrTail: string;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  spawnError: string | null;
}

export type PermissionAnswer =
  | { behavior: 'allow'; updatedInput: Record<string, unknown> }
  | { behavior: 'deny'; message: string };

const STDERR_TAIL = 4096;
const WINDOWS = process.platform === 'win32';

/**
 * Lines for the CLIs go out together once the work in hand is done. Each write wakes a CLI, and a
 * woken CLI takes the core from the core's thread at once: 20 chats' messages from one Telegram poll
 * were written over 90-430 ms, each behind the CLIs already woken, instead of within a few ms.
 */
const unwritten = new Set<ClaudeProcess>();
let flushScheduled = false;
function flushWrites(): void {
  flushScheduled = false;
  const processes = [...unwritten];
  unwritten.clear();
  for (const process of processes) process.flush();
}

/**
 * One running `claude` process in stream-json mode: write user messages and control requests
 * to it, get typed events back. It knows nothing of sessions or storage.
 */
export class ClaudeProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<(event: ClaudeEvent) => void>();
  private readonly controlWaiters = new Map<string, (event: Extract<ClaudeEvent, { type: 'control_response' }>) => void>();
  private stderr = '';
  private spawnError: string | null = null;
  private pending = '';
  /** When the process last wrote anything: the watchdog's clock. */
  lastOutputAt = Date.now();
  readonly exited: Promise<ClaudeExit>;

  constructor(options: ClaudeProcessOptions) {
    // Its own process group (pgid = pid), so that killing it takes its children (commands, MCP
    // servers) too, and so that the next start can find and end it by group if Switchboard is killed.
    this.child = spawn(options.command, options.args, { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'], detached: !WINDOWS });
    const splitter = new LineSplitter((line) => {
      for (const event of parseLine(line)) this.dispatch(event);
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.lastOutputAt = Date.now();
      splitter.push(chunk);
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.lastOutputAt = Date.now();
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // Writes after the process died must not crash us; the exit is reported instead.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.spawnError = error.message;
      });
      this.child.once('close', (code, signal) => {
        splitter.end();
        for (const resolveWaiter of this.controlWaiters.values()) {
          resolveWaiter({ type: 'control_response', requestId: '', ok: false, response: null, error: 'process exited' });
        }
        this.controlWaiters.clear();
        resolve({ code, signal, stderrTail: this.stderr.trim(), spawnError: this.spawnError });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.spawnError;
  }

  onEvent(listener: (event: ClaudeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(text: string): void {
    this.write(userMessageLine(text));
  }

  answerPermission(requestId: string, answer: PermissionAnswer): void {
    this.write(`${JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response: answer } })}\n`);
  }

  /** Answers a control request we do not support, so the CLI does not wait for us forever. */
  answerControlError(requestId: string, error: string): void {
    this.write(`${JSON.stringify({ type: 'control_response', response: { subtype: 'error', request_id: requestId, error } })}\n`);
  }

  /** Asks the CLI to stop the current turn; resolves when it acknowledges (or gives up after `timeoutMs`). */
  interrupt(timeoutMs = 5000): Promise<boolean> {
    return this.control({ subtype: 'interrupt' }, timeoutMs);
  }

  /** The SDK's opening request: its answer says the CLI has booted and waits for its first message. */
  initialize(timeoutMs = 5000): Promise<boolean> {
    return this.control({ subtype: 'initialize' }, timeoutMs);
  }

  setPermissionMode(mode: string, timeoutMs = 5000): Promise<boolean> {
    return this.control({ subtype: 'set_permission_mode', mode }, timeoutMs);
  }

  /** The model for the turns that follow, in the running process (the CLI's `set_model` control request); null: the CLI's default. */
  setModel(model: string | null, timeoutMs = 5000): Promise<boolean> {
    return this.control({ subtype: 'set_model', ...(model ? { model } : {}) }, timeoutMs);
  }

  /** Ends the process politely (stdin closed), then by signal if it lingers. */
  async stop(graceMs = 3000): Promise<ClaudeExit> {
    if (this.alive) {
      this.flush();
      this.child.stdin.end();
      const timer = setTimeout(() => this.kill('SIGTERM'), graceMs);
      const killTimer = setTimeout(() => this.kill('SIGKILL'), graceMs * 2);
      const exit = await this.exited;
      clearTimeout(timer);
      clearTimeout(killTimer);
      return exit;
    }
    return this.exited;
  }

  /** Signals the process and its group (what it started goes with it). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.alive) return;
    try {
      if (!WINDOWS && this.child.pid) process.kill(-this.child.pid, signal);
      else this.child.kill(signal);
    } catch {
      this.child.kill(signal);
    }
  }

  private control(request: Record<string, unknown>, timeoutMs: number): Promise<boolean> {
    if (!this.alive) return Promise.resolve(false);
    const requestId = `sb-${randomUUID()}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.controlWaiters.delete(requestId);
        resolve(false);
      }, timeoutMs);
      this.controlWaiters.set(requestId, (event) => {
        clearTimeout(timer);
        resolve(event.ok);
      });
      this.write(`${JSON.stringify({ type: 'control_request', request_id: requestId, request })}\n`);
    });
  }

  /** Writes what is waiting, in order (called for every process at once, and before stdin closes). */
  flush(): void {
    const lines = this.pending;
    this.pending = '';
    unwritten.delete(this);
    if (lines && this.alive) this.child.stdin.write(lines);
  }

  private write(line: string): void {
    if (!this.alive) return;
    this.pending += line;
    unwritten.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushWrites);
    }
  }

  private dispatch(event: ClaudeEvent): void {
    if (event.type === 'control_response') {
      const waiter = this.controlWaiters.get(event.requestId);
      if (waiter) {
        this.controlWaiters.delete(event.requestId);
        waiter(event);
      }
    }
    for (const listener of this.listeners) listener(event);
  }
}
