import * as z from 'zod';
import { event, method } from './define';

export interface TerminalInfo {
  id: string;
  /** The session whose folder it runs in, if any. */
  sessionId: string | null;
  command: 'claude' | 'shell';
  cwd: string;
  pid: number;
  cols: number;
  rows: number;
  startedAt: number;
  /** Set once the program ended; the terminal stays listed, with its output, until closed. */
  exit: { code: number; signal: number | null } | null;
}

export interface TerminalOutput {
  id: string;
  data: string;
  /** Where this chunk starts in the terminal's whole output: a viewer skips what it already has. */
  offset: number;
}

const id = z.string().min(1).max(100);
const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(500);

export const terminalsMethods = {
  'terminals.list': method<TerminalInfo[]>()(z.object({}).strict(), 'Open terminals, running or ended.'),
  'terminals.open': method<TerminalInfo>()(
    z
      .object({
        command: z.enum(['claude', 'shell']),
        sessionId: id.optional(),
        cwd: z.string().trim().min(1).max(4096).optional(),
        cols: cols.default(100),
        rows: rows.default(30),
      })
      .strict(),
    "The real claude TUI, or the user's shell, in a session's folder or a chosen one.",
  ),
  'terminals.attach': method<{ info: TerminalInfo; scrollback: string; offset: number }>()(
    z.object({ id }).strict(),
    'For a viewer joining late: the output so far (the last megabyte) and where it ends.',
  ),
  'terminals.write': method<{ written: number }>()(z.object({ id, data: z.string().min(1).max(65_536) }).strict(), 'Keystrokes or pasted text.'),
  'terminals.resize': method<TerminalInfo>()(z.object({ id, cols, rows }).strict(), 'Resize the pty.'),
  'terminals.close': method<{ closed: boolean }>()(z.object({ id }).strict(), 'Kill the program if it runs, and forget the terminal.'),
};

export const terminalsEvents = {
  'terminals.output': event<TerminalOutput>('Bytes from a terminal, to every viewer.'),
  'terminals.changed': event<TerminalInfo>('A terminal opened, resized or exited.'),
  'terminals.closed': event<{ id: string }>('A terminal was closed.'),
};
