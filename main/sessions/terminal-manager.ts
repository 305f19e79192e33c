import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import * as pty from 'node-pty';
import type { TerminalInfo } from '../../contract';
import { chooseClaudeCommand } from '../claude/cli-locator';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import type { SettingsService } from '../settings/settings-service';

/** What a late viewer gets replayed. */
const SCROLLBACK_CHARS = 1024 * 1024;
const MAX_TERMINALS = 16;

interface Terminal {
  info: TerminalInfo;
  pty: pty.IPty;
  /** Recent output, and the offset of its first character in the whole output. */
  scrollback: string;
  scrollbackStart: number;
  written: number;
}

/**
 * Interactive terminals in node-pty: the real `claude` TUI or the user's shell, in a chosen
 * folder. Any number of viewers follow one terminal; one joining late gets the scrollback.
 */
export class TerminalManager implements Service {
  readonly name = 'terminals';
  private readonly terminals = new Map<string, Terminal>();

  constructor(
    private readonly deps: {
      events: EventBus;
      settings: SettingsService;
      env: NodeJS.ProcessEnv;
      /** A session's folder, for terminals opened "in this session". */
      sessionFolder: (sessionId: string) => string;
    },
  ) {}

  start(): void {}

  stop(): void {
    for (const terminal of this.terminals.values()) if (!terminal.info.exit) terminal.pty.kill();
    this.terminals.clear();
  }

  list(): TerminalInfo[] {
    return [...this.terminals.values()].map((t) => t.info);
  }

  open(options: { command: 'claude' | 'shell'; sessionId?: string; cwd?: string; cols: number; rows: number }): TerminalInfo {
    if (this.terminals.size >= MAX_TERMINALS) throw new AppError('capacity', `${MAX_TERMINALS} terminals are open; close one first`);
    const cwd = options.sessionId ? this.deps.sessionFolder(options.sessionId) : (options.cwd ?? this.deps.env.HOME ?? process.cwd());
    if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new AppError('invalid_input', `cwd: ${cwd} is not a folder`);
    const file =
      options.command === 'claude'
        ? chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath')).command
        : (this.deps.env.SHELL ?? (process.platform === 'win32' ? (this.deps.env.COMSPEC ?? 'cmd.exe') : '/bin/sh'));
    let proc: pty.IPty;
    try {
      proc = pty.spawn(file, [], {
        name: 'xterm-256color',
        cols: options.cols,
        rows: options.rows,
        cwd,
        env: { ...this.deps.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' } as Record<string, string>,
      });
    } catch (error) {
      throw new AppError('unavailable', `could not start ${file}: ${(error as Error).message}`);
    }
    const id = randomUUID();
    const terminal: Terminal = {
      info: { id, sessionId: options.sessionId ?? null, command: options.command, cwd, pid: proc.pid, cols: options.cols, rows: options.rows, startedAt: Date.now(), exit: null },
      pty: proc,
      scrollback: '',
      scrollbackStart: 0,
      written: 0,
    };
    this.terminals.set(id, terminal);
    proc.onData((data) => {
      const offset = terminal.written;
      terminal.written += data.length;
      terminal.scrollback += data;
      if (terminal.scrollback.length > SCROLLBACK_CHARS) {
        const cut = terminal.scrollback.length - SCROLLBACK_CHARS;
        terminal.scrollback = terminal.scrollback.slice(cut);
        terminal.scrollbackStart += cut;
      }
      this.deps.events.emit('terminals.output', { id, data, offset });
    });
    proc.onExit(({ exitCode, signal }) => {
      terminal.info = { ...terminal.info, exit: { code: exitCode, signal: signal ?? null } };
      if (this.terminals.has(id)) this.deps.events.emit('terminals.changed', terminal.info);
    });
    this.deps.events.emit('terminals.changed', terminal.info);
    return terminal.info;
  }

  attach(id: string): { info: TerminalInfo; scrollback: string; offset: number } {
    const terminal = this.get(id);
    return { info: terminal.info, scrollback: terminal.scrollback, offset: terminal.scrollbackStart };
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
