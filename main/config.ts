import os from 'node:os';
import path from 'node:path';

export const DEFAULT_PORT = 7345;
export const DEFAULT_HOST = '127.0.0.1';

/** SWITCHBOARD_HOME wins in both shells; otherwise the shell's own default. */
export function resolveDataDir(env: NodeJS.ProcessEnv, fallback: string = path.join(os.homedir(), '.switchboard')): string {
  return path.resolve(env.SWITCHBOARD_HOME || fallback);
}

export interface ServeOptions {
  host: string;
  port: number;
  /** Names the server answers to besides its own addresses (`--allow-host`, repeatable or comma-separated). */
  allowHosts: string[];
}

/** Host names in a list typed by a person: spaces or commas between them. */
export function splitHostList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function parsePort(text: string, where: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`${where}: "${text}" is not a port (0-65535)`);
  return port;
}

/** The loopback port: SWITCHBOARD_PORT, else the stable default (Claude Code's connection names it). */
export function serverPort(env: NodeJS.ProcessEnv): number {
  return env.SWITCHBOARD_PORT ? parsePort(env.SWITCHBOARD_PORT, 'SWITCHBOARD_PORT') : DEFAULT_PORT;
}

/** What `switchboard --help` prints, and the line an unknown option is answered with. */
export const USAGE = `Usage:
  switchboard [serve] [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--allow-host NAME]
      the headless server: the UI in a browser at the address it prints, with its token
  switchboard mcp
      a stdio bridge to the running Switchboard's MCP server (for MCP clients that only speak stdio)

Environment: SWITCHBOARD_HOME (the data folder, ~/.switchboard), SWITCHBOARD_PORT.`;

/** Whether the command line asks for the usage. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h') || argv[0] === 'help';
}

/** `switchboard serve [--host H] [--port P] [--allow-host NAME]`; env SWITCHBOARD_PORT sets the port when the flag does not. */
export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ServeOptions {
  const options: ServeOptions = {
    host: DEFAULT_HOST,
    port: serverPort(env),
    allowHosts: [],
  };
  const args = argv[0] === 'serve' ? argv.slice(1) : [...argv];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--host') options.host = value();
    else if (flag === '--port') options.port = parsePort(value(), '--port');
    else if (flag === '--allow-host') options.allowHosts.push(...splitHostList(value()));
    else throw new UsageError(`unknown option "${arg}" (switchboard --help lists them). Usage: switchboard serve [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--allow-host NAME]`);
  }
  return options;
}
