import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ClaudeCodeConnection } from '../../contract';
import { chooseClaudeCommand, probeClaude } from '../claude/cli-locator';
import { AppError } from '../errors';
import type { SettingsService } from '../settings/settings-service';
import { makePrivateDir } from '../storage/private-files';

const PLUGIN = 'switchboard@switchboard';
const MARKETPLACE = 'switchboard';

/** Copies the plugin's files (resources/claude-plugin) into `to`, with this server's port and hooks token filled in. */
function renderPlugin(from: string, to: string, fill: { port: number; hooksToken: string }): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      renderPlugin(source, target, fill);
    } else {
      const text = fs.readFileSync(source, 'utf8').replaceAll('__SWITCHBOARD_PORT__', String(fill.port)).replaceAll('__SWITCHBOARD_HOOKS_TOKEN__', fill.hooksToken);
      fs.writeFileSync(target, text, { mode: 0o600 });
    }
  }
}

/**
 * Settings → Connect Claude Code: installs Switchboard's plugin (its MCP server and hooks) from a local
 * marketplace with the user's own `claude`, at user scope. The MCP token, which can do much, goes in as
 * the plugin's sensitive option, through stdin: Claude Code keeps it with its credentials, never in its
 * settings files or a command line. The hooks token is written into the plugin's hooks file: Claude
 * Code (2.1.329, measured) expands plugin options in MCP headers but not in HTTP hook headers, and that
 * token reaches only the hook routes (questions and notes), never the API, the MCP server or a shell.
 */
export class ClaudeCodeConnector {
  constructor(
    private readonly deps: {
      dataDir: string;
      resourcesDir: string | null;
      env: NodeJS.ProcessEnv;
      settings: SettingsService;
      /** The loopback server's port, once it listens. */
      port: () => number | null;
      tokens: () => { mcp: string; hooks: string };
    },
  ) {}

  async status(): Promise<ClaudeCodeConnection> {
    const choice = chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath'));
    const info = await probeClaude(choice, this.deps.env);
    const claude = { found: info.found, path: info.path, version: info.version };
    if (!info.found) return { claude, connected: false, plugin: null, mcp: null, error: info.error ?? `${info.path} was not found` };
    const listed = await this.run(['plugin', 'list']);
    const block = listed.out.split(/\n\s*\n/).find((b) => b.includes(PLUGIN)) ?? null;
    const mcp = block ? ((await this.run(['mcp', 'list'])).out.split('\n').find((line) => line.includes('plugin:switchboard:switchboard')) ?? null) : null;
    return { claude, connected: !!block && /enabled/.test(block), plugin: block?.trim() ?? null, mcp: mcp?.trim() ?? null, error: listed.code === 0 ? null : listed.out.trim().slice(0, 500) };
  }

  async connect(): Promise<ClaudeCodeConnection> {
    const port = this.deps.port();
    if (!port) throw new AppError('unavailable', 'Switchboard is not listening on loopback, so Claude Code would have nothing to connect to. See Settings → Health.');
    if (!this.deps.resourcesDir) throw new AppError('unavailable', 'The plugin files are not part of this build of Switchboard.');
    const dir = path.join(this.deps.dataDir, 'claude-plugin');
    fs.rmSync(dir, { recursive: true, force: true });
    makePrivateDir(dir);
    const { mcp, hooks } = this.deps.tokens();
    renderPlugin(path.join(this.deps.resourcesDir, 'claude-plugin'), dir, { port, hooksToken: hooks });
    // Again from the start: a marketplace added before may point at an older copy.
    await this.run(['plugin', 'uninstall', PLUGIN, '--scope', 'user']);
    await this.run(['plugin', 'marketplace', 'remove', MARKETPLACE]);
    await this.must(['plugin', 'marketplace', 'add', dir], 'add the plugin marketplace');
    await this.must(['plugin', 'install', PLUGIN, '--scope', 'user'], 'install the plugin');
    await this.must(['plugin', 'configure', PLUGIN, '--values-stdin'], 'store the MCP token', JSON.stringify({ mcp_token: mcp }));
    return this.status();
  }

  async disconnect(): Promise<ClaudeCodeConnection> {
    await this.run(['plugin', 'uninstall', PLUGIN, '--scope', 'user']);
    await this.run(['plugin', 'marketplace', 'remove', MARKETPLACE]);
    fs.rmSync(path.join(this.deps.dataDir, 'claude-plugin'), { recursive: true, force: true });
    return this.status();
  }

  private async must(args: string[], what: string, input?: string): Promise<void> {
    const result = await this.run(args, input);
    if (result.code !== 0) throw new AppError('unavailable', `Claude Code could not ${what}: ${result.out.trim().slice(0, 400) || `exit ${result.code}`}`);
  }

  /** One `claude` command, bounded in time; its output (stdout and stderr) as one text. */
  private run(args: string[], input?: string): Promise<{ code: number | null; out: string }> {
    const { command } = chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath'));
    return new Promise((resolve) => {
      const child = spawn(command, args, { env: this.deps.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve({ code: -1, out: error.message });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
      child.stdin.end(input ?? '');
    });
  }
}
