import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import which from 'which';
import type { ClaudeCliInfo } from '../../contract';
import { errorMessage } from '../errors';
import { childEnv } from '../child-env';

const run = promisify(execFile);

export interface ClaudeCommand {
  source: ClaudeCliInfo['source'];
  command: string;
}

/** Which claude to run: env SWITCHBOARD_CLAUDE, then the setting, then `claude` on PATH. */
export function chooseClaudeCommand(env: NodeJS.ProcessEnv, settingPath: string | null): ClaudeCommand {
  if (env.SWITCHBOARD_CLAUDE) return { source: 'env', command: env.SWITCHBOARD_CLAUDE };
  if (settingPath) return { source: 'setting', command: settingPath };
  return { source: 'path', command: 'claude' };
}

/**
 * Why the CLI could not be started, in the user's words: where Switchboard looked and what to set.
 * `spawnError` is Node's message ("spawn /x/claude ENOENT").
 */
export function cliStartFailure(choice: ClaudeCommand, spawnError: string): string {
  const where =
    choice.source === 'env'
      ? `at ${choice.command} (the SWITCHBOARD_CLAUDE environment variable)`
      : choice.source === 'setting'
        ? `at ${choice.command} (Settings → Claude CLI path)`
        : 'on PATH (as claude)';
  if (/ENOENT/.test(spawnError)) return `The Claude CLI was not found ${where}. Install Claude Code, or set Settings → Claude CLI path to the claude binary.`;
  if (/EACCES/.test(spawnError)) return `The Claude CLI ${where} cannot be run: it is not executable. Fix its permissions, or set Settings → Claude CLI path to another claude binary.`;
  return `Could not start the Claude CLI ${where}: ${spawnError}`;
}

/** Resolves and asks the binary for its version (about 25 ms), so health always tells the truth. */
export async function probeClaude(choice: ClaudeCommand, env: NodeJS.ProcessEnv = process.env): Promise<ClaudeCliInfo> {
  const base = { source: choice.source, path: choice.command };
  let resolved: string;
  try {
    resolved = path.isAbsolute(choice.command)
      ? choice.command
      : await which(choice.command, { path: env.PATH ?? '' });
  } catch {
    return { ...base, found: false, version: null, error: `${choice.command} was not found on PATH` };
  }
  try {
    const { stdout } = await run(resolved, ['--version'], { timeout: 10_000, env: childEnv(env, { CI: '1' }) });
    const version = /\d+\.\d+\.\d+[\w.-]*/.exec(stdout)?.[0] ?? null;
    if (!version) return { ...base, path: resolved, found: false, version: null, error: `unexpected --version output: ${stdout.trim().slice(0, 200)}` };
    return { ...base, path: resolved, found: true, version, error: null };
  } catch (error) {
    return { ...base, path: resolved, found: false, version: null, error: errorMessage(error).split('\n')[0] ?? 'failed' };
  }
}
