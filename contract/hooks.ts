import * as z from 'zod';
import { event, method } from './define';

/** A Claude Code session outside the app that stopped: its last message, and until when a reply continues it. */
export interface TerminalStop {
  id: string;
  /** The project folder's name, and the folder. */
  project: string;
  cwd: string;
  claudeSessionId: string;
  lastMessage: string;
  /** A reply before this time continues the session; null when replies are off. */
  replyUntil: number | null;
  at: number;
}

/** Whether Claude Code on this machine is connected to Switchboard (its plugin installed), as the CLI reports it. */
export interface ClaudeCodeConnection {
  /** The `claude` found, or what was looked for. */
  claude: { found: boolean; path: string; version: string | null };
  connected: boolean;
  /** Connected, but the installed plugin no longer holds this Switchboard's port or tokens (rotated since): why, in words; the card offers *Reconnect*. */
  stale: string | null;
  /** The rules Connect added to Claude Code's user settings so its read-only tools run without asking (empty when not chosen). */
  allowed: string[];
  /** What `claude plugin list` says of the plugin, and `claude mcp list` of its server. */
  plugin: string | null;
  mcp: string | null;
  error: string | null;
}

export const hooksMethods = {
  'hooks.reply': method<{ continued: boolean }>()(
    z.object({ id: z.string().min(1).max(100), text: z.string().trim().min(1, 'must not be empty').max(20_000) }).strict(),
    'Continue a Claude Code session that stopped, within its reply window: the text reaches Claude as the reason to go on.',
  ),
  'claudeCode.status': method<ClaudeCodeConnection>()(z.object({}).strict(), 'Whether Claude Code is connected (the plugin installed), with what the CLI reports.'),
  'claudeCode.connect': method<ClaudeCodeConnection>()(
    z.object({ allowReadOnly: z.boolean().default(false) }).strict(),
    'Install the Switchboard plugin into Claude Code (user scope): its MCP server and hooks, the tokens as sensitive options. With allowReadOnly, Switchboard’s read-only tools are allowed without asking (rules in Claude Code’s user settings, taken out by Disconnect).',
  ),
  'claudeCode.disconnect': method<ClaudeCodeConnection>()(z.object({}).strict(), 'Uninstall the Switchboard plugin and its marketplace from Claude Code.'),
};

export const hooksEvents = {
  'hooks.stopped': event<TerminalStop>('A Claude Code session outside the app stopped; a reply within its window continues it.'),
  'hooks.stopEnded': event<{ id: string; replied: boolean }>('A stopped session is no longer waiting: continued by a reply, or its window passed (or the terminal stopped waiting).'),
};
