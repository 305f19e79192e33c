import * as z from 'zod';
import { event, method } from './define';
import { folderPath } from './fields';

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
        cwd: folderPath.optional(),
        cols: cols.default(100),
        rows: rows.default(30),
      })
      .strict(),
    "The real claude TUI, or the user's shell, in a session's folder or a chosen one.",
  ),
  'terminals.attach': method<{ info: TerminalInfo; scrollback: string; offset: number; viewer: string }>()(
    z.object({ id }).strict(),
    'For a viewer joining (late, or again after missing output): the output so far (the last megabyte), where it starts, and a viewer id to acknowledge with.',
  ),
  'terminals.ack': method<{ paused: boolean }>()(
    z.object({ id, viewer: id, offset: z.number().int().min(0) }).strict(),
    'A viewer has shown the output up to this offset. The pty pauses while even the fastest viewer is far behind.',
  ),
  'terminals.detach': method<{ detached: boolean }>()(z.object({ id, viewer: id }).strict(), 'A viewer went away; it no longer holds the pty back.'),
  'terminals.write': method<{ written: number }>()(z.object({ id, data: z.string().min(1).max(65_536) }).strict(), 'Keystrokes or pasted text.'),
  'terminals.resize': method<TerminalInfo>()(z.object({ id, cols, rows }).strict(), 'Resize the pty.'),
  'terminals.close': method<{ closed: boolean }>()(z.object({ id }).strict(), 'Kill the program if it runs, and forget the terminal.'),
};

export const terminalsEvents = {
  'terminals.output': event<TerminalOutput>('Bytes from a terminal, to every viewer.'),
  'terminals.changed': event<TerminalInfo>('A terminal opened, resized or exited.'),
  'terminals.closed': event<{ id: string }>('A terminal was closed.'),
};
