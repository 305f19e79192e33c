import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import * as pty from 'node-pty';
import type { TerminalInfo } from '../../contract';
import { permissionModeArgs } from '../claude/args';
import { chooseClaudeCommand } from '../claude/cli-locator';
import { AppError } from '../errors';
import { expandFolder } from '../folders';
import type { EventBus } from '../events';
import { disposableInterval, type IDisposable } from '../disposable';
import type { Service } from '../lifecycle';
import type { SettingsService } from '../settings/settings-service';
import { OutputRing } from './output-ring';
import { childEnv } from '../child-env';

/** What a late viewer gets replayed. */
const SCROLLBACK_CHARS = 1024 * 1024;
const MAX_TERMINALS = 16;
/** Flow control, as VS Code's pty host does it: pause past this many unacknowledged characters… */
export const HIGH_WATERMARK = 100_000;
/** …and resume below this many. */
export const LOW_WATERMARK = 5_000;
/** A viewer that has not acknowledged for this long (a closed tab) no longer holds the pty back. */
const VIEWER_TIMEOUT_MS = 10_000;

interface Viewer {
  /** Output up to this offset has been shown. */
  acked: number;
  seenAt: number;
}

interface Terminal {
  info: TerminalInfo;
  pty: pty.IPty;
  scrollback: OutputRing;
  written: number;
  viewers: Map<string, Viewer>;
  paused: boolean;
}

/**
 * Interactive terminals in node-pty: the real `claude` TUI or the user's shell, in a chosen
 * folder. Any number of viewers follow one terminal; one joining late gets the scrollback.
 */
export class TerminalManager implements Service {
  readonly name = 'terminals';
  private readonly terminals = new Map<string, Terminal>();
  private sweeper: IDisposable | null = null;

  constructor(
    private readonly deps: {
      events: EventBus;
      settings: SettingsService;
      env: NodeJS.ProcessEnv;
      /** A session's folder, for terminals opened "in this session". */
      sessionFolder: (sessionId: string) => string;
      /**
       * The session handed to a `claude` terminal opened in it: its own process stopped, and the
       * arguments that resume it (model and permission mode included). Given back when the terminal ends.
       */
      claudeSession?: { take: (sessionId: string) => Promise<string[]>; release: (sessionId: string) => void; started?: (sessionId: string, pid: number) => void };
    },
  ) {}

  start(): void {
    this.sweeper = disposableInterval(() => this.dropSilentViewers(), 1000);
  }

  stop(): void {
    this.sweeper?.dispose();
    for (const terminal of this.terminals.values()) if (!terminal.info.exit) terminal.pty.kill();
    this.terminals.clear();
  }

  list(): TerminalInfo[] {
    return [...this.terminals.values()].map((t) => t.info);
  }

  async open(options: { command: 'claude' | 'shell'; sessionId?: string; cwd?: string; cols: number; rows: number }): Promise<TerminalInfo> {
    if (this.terminals.size >= MAX_TERMINALS) throw new AppError('capacity', `${MAX_TERMINALS} terminals are open; close one first`);
    const cwd = options.sessionId ? this.deps.sessionFolder(options.sessionId) : options.cwd ? expandFolder(options.cwd, this.deps.env) : (this.deps.env.HOME ?? process.cwd());
    if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new AppError('invalid_input', `cwd: ${cwd} is not a folder`);
    // `claude` in a session's terminal carries on that session rather than starting an unrelated one.
    const handed = options.command === 'claude' && options.sessionId && this.deps.claudeSession ? options.sessionId : null;
    // Not a session's: a fresh `claude` in a folder asks, as a new session does (the CLI's own interactive default is *auto*).
    const args = handed ? await this.deps.claudeSession!.take(handed) : options.command === 'claude' ? permissionModeArgs('ask') : [];
    const file =
      options.command === 'claude'
        ? chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath')).command
        : (this.deps.env.SHELL ?? (process.platform === 'win32' ? (this.deps.env.COMSPEC ?? 'cmd.exe') : '/bin/sh'));
    let proc: pty.IPty;
    try {
      proc = pty.spawn(file, args, {
        name: 'xterm-256color',
        cols: options.cols,
        rows: options.rows,
        cwd,
        env: childEnv(this.deps.env, { TERM: 'xterm-256color', COLORTERM: 'truecolor' }),
      });
    } catch (error) {
      if (handed) this.deps.claudeSession!.release(handed);
      throw new AppError('unavailable', `could not start ${file}: ${(error as Error).message}`);
    }
    if (handed) this.deps.claudeSession!.started?.(handed, proc.pid);
    const id = randomUUID();
    const terminal: Terminal = {
      info: { id, sessionId: options.sessionId ?? null, command: options.command, cwd, pid: proc.pid, cols: options.cols, rows: options.rows, startedAt: Date.now(), exit: null },
      pty: proc,
      scrollback: new OutputRing(SCROLLBACK_CHARS),
      written: 0,
      viewers: new Map(),
      paused: false,
    };
    this.terminals.set(id, terminal);
    proc.onData((data) => {
      const offset = terminal.written;
      terminal.written += data.length;
      terminal.scrollback.append(data);
      this.deps.events.emit('terminals.output', { id, data, offset });
      this.flow(terminal);
    });
    proc.onExit(({ exitCode, signal }) => {
      if (handed) this.deps.claudeSession!.release(handed);
      terminal.info = { ...terminal.info, exit: { code: exitCode, signal: signal ?? null } };
      if (this.terminals.has(id)) this.deps.events.emit('terminals.changed', terminal.info);
    });
    this.deps.events.emit('terminals.changed', terminal.info);
    return terminal.info;
  }

  /** A viewer joins: it gets the scrollback (counted as shown) and an id to acknowledge output with. */
  attach(id: string): { info: TerminalInfo; scrollback: string; offset: number; viewer: string } {
    const terminal = this.get(id);
    const viewer = randomUUID();
    terminal.viewers.set(viewer, { acked: terminal.written, seenAt: Date.now() });
    this.flow(terminal);
    return { info: terminal.info, scrollback: terminal.scrollback.text(), offset: terminal.scrollback.start, viewer };
  }

  ack(id: string, viewerId: string, offset: number): { paused: boolean } {
    const terminal = this.get(id);
    const viewer = terminal.viewers.get(viewerId) ?? { acked: 0, seenAt: 0 };
    viewer.acked = Math.max(viewer.acked, Math.min(offset, terminal.written));
    viewer.seenAt = Date.now();
    terminal.viewers.set(viewerId, viewer);
    this.flow(terminal);
    return { paused: terminal.paused };
  }

  detach(id: string, viewerId: string): boolean {
    const terminal = this.terminals.get(id);
    const had = !!terminal?.viewers.delete(viewerId);
    if (terminal) this.flow(terminal);
    return had;
  }

  /** Whether the pty is paused for its viewers (tests, health). */
  paused(id: string): boolean {
    return this.get(id).paused;
  }

  /**
   * Pauses the pty while even the most advanced viewer is more than HIGH_WATERMARK behind, and
   * resumes it below LOW_WATERMARK. A program flooding output then waits for the screens showing
   * it instead of filling the server's memory; with no viewer it runs free into the scrollback.
   */
  private flow(terminal: Terminal): void {
    if (terminal.info.exit) return;
    let lead = -1;
    for (const viewer of terminal.viewers.values()) lead = Math.max(lead, viewer.acked);
    const behind = lead < 0 ? 0 : terminal.written - lead;
    if (!terminal.paused && behind > HIGH_WATERMARK) {
      terminal.paused = true;
      terminal.pty.pause();
    } else if (terminal.paused && behind < LOW_WATERMARK) {
      terminal.paused = false;
      terminal.pty.resume();
    }
  }

  private dropSilentViewers(): void {
    const now = Date.now();
    for (const terminal of this.terminals.values()) {
      let dropped = false;
      for (const [id, viewer] of terminal.viewers) {
        if (now - viewer.seenAt > VIEWER_TIMEOUT_MS && viewer.acked < terminal.written) {
          terminal.viewers.delete(id);
          dropped = true;
        }
      }
      if (dropped) this.flow(terminal);
    }
  }

  write(id: string, data: string): number {
    const terminal = this.get(id);
    if (terminal.info.exit) throw new AppError('conflict', 'the program in this terminal has ended');
    terminal.pty.write(data);
    return data.length;
  }

  resize(id: string, cols: number, rows: number): TerminalInfo {
    const terminal = this.get(id);
    if (!terminal.info.exit) terminal.pty.resize(cols, rows);
    terminal.info = { ...terminal.info, cols, rows };
    this.deps.events.emit('terminals.changed', terminal.info);
    return terminal.info;
  }

  close(id: string): boolean {
    const terminal = this.terminals.get(id);
    if (!terminal) return false;
    this.terminals.delete(id);
    if (!terminal.info.exit) terminal.pty.kill();
    this.deps.events.emit('terminals.closed', { id });
    return true;
  }

  private get(id: string): Terminal {
    const terminal = this.terminals.get(id);
    if (!terminal) throw new AppError('not_found', `no terminal ${id}`);
    return terminal;
  }
}
