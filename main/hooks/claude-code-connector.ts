import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClaudeCodeConnection } from '../../contract';
import type { EventBus } from '../events';
import { chooseClaudeCommand, probeClaude } from '../claude/cli-locator';
import { AppError } from '../errors';
import type { Service } from '../lifecycle';
import type { SettingsService } from '../settings/settings-service';
import { makePrivateDir } from '../storage/private-files';
import { childEnv } from '../child-env';

const PLUGIN = 'switchboard@switchboard';
const MARKETPLACE = 'switchboard';
/** Marked the HTTP hook entries an earlier Switchboard merged into Claude Code's settings: they come out again too. */
const MARK = 'X-Switchboard-Hook';
/** The same events, routes and timeouts as the plugin's hooks.json: the hook itself bounds every wait (a few seconds per request). */
const HOOK_ROUTES = { PermissionRequest: ['permission', 3700], Notification: ['notification', 10], Stop: ['stop', 3700] } as const;
/**
 * Switchboard's hook folder in its data folder: what the hook reads on every run without asking the
 * server (`reply-window`, the *Reply to continue* window in seconds, 0 when off); for a Claude Code
 * without plugins also the plugin's own script and a 0600 `connection` file beside it.
 */
const HOOK_DIR = 'claude-hooks';
/** The file of the hook folder that holds the reply window: the Stop hook, when it reads 0, sends its note in the background and exits at once. */
const REPLY_WINDOW = 'reply-window';
const HOOK_SCRIPT = 'switchboard-hook.sh';

type Hook = { type: string; url?: string; headers?: Record<string, string>; command?: string; args?: string[] };
type Settings = { hooks?: Record<string, { matcher?: string; hooks: Hook[] }[]> } & Record<string, unknown>;

/** Switchboard's entries: the command hooks that run its script, or the HTTP hooks an earlier version marked. */
const ours = (entry: { hooks: Hook[] }) => entry.hooks.some((h) => h.headers?.[MARK] || h.args?.some((a) => a.endsWith(`/${HOOK_DIR}/${HOOK_SCRIPT}`)));

/** Copies the plugin's files (resources/claude-plugin) into `to` as they are: the port and tokens are plugin options, not file contents. */
function copyPlugin(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true, mode: 0o700 });
      copyPlugin(source, target);
    } else fs.writeFileSync(target, fs.readFileSync(source), { mode: 0o600 });
  }
}

/** A file of the hook folder written whole (a hook never reads half of it), 0600. */
function writeWhole(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  fs.chmodSync(`${file}.tmp`, 0o600);
  fs.renameSync(`${file}.tmp`, file);
}

/** What Connect handed the installed plugin, kept to tell whether it still holds the current port and tokens (the tokens only as a hash). */
interface Handed {
  port: number;
  tokens: string;
  /** The allow rules Connect added to Claude Code's user settings (only those: the user's own stay). */
  allowed?: string[];
}

/** How Claude Code names a tool of the plugin's MCP server in permission rules (`plugin:switchboard:switchboard`). */
const PLUGIN_TOOL_PREFIX = 'mcp__plugin_switchboard_switchboard__';

const fingerprint = (tokens: { mcp: string; hooks: string }) => createHash('sha256').update(`${tokens.mcp}\n${tokens.hooks}`).digest('hex');

/**
 * Settings → Connect Claude Code: installs Switchboard's plugin (its MCP server and hooks) from a local
 * marketplace with the user's own `claude`, at user scope. The plugin's files are shipped as they are (they
 * pass `claude plugin validate`); this Switchboard's port and its MCP and hooks tokens are plugin options,
 * handed over through stdin: Claude Code keeps the tokens with its credentials, never in its settings
 * files or a command line. Its hooks are a small command (`hooks/switchboard-hook.sh`, curl) rather than
 * HTTP hooks: Claude Code 2.1.329 expands plugin options in MCP headers and hands them to hook commands
 * as `CLAUDE_PLUGIN_OPTION_*`, but takes no option in an HTTP hook's URL, and an HTTP hook cannot tell a
 * Switchboard waiting for the user from a frozen one (the command's heartbeat check can).
 */
export class ClaudeCodeConnector implements Service {
  readonly name = 'claudeCode';
  /** `claude` commands under way: stopping Switchboard ends them (they write into the user's Claude config). */
  private readonly children = new Set<ChildProcess>();

  constructor(
    private readonly deps: {
      dataDir: string;
      resourcesDir: string | null;
      env: NodeJS.ProcessEnv;
      settings: SettingsService;
      /** For the reply window's changes: the hook folder follows the setting at once. */
      events: EventBus;
      /** The loopback server's port, once it listens. */
      port: () => number | null;
      tokens: () => { mcp: string; hooks: string };
      /** The names of Switchboard's read-only tools (the registry's hint), for the rules Connect may add. */
      readOnlyTools: () => string[];
    },
  ) {}

  private offSettings: (() => void) | null = null;

  start(): void {
    this.offSettings = this.deps.events.on('settings.changed', ({ key }) => {
      if (key === 'hooks.replyWindowSeconds' && fs.existsSync(this.hookDir())) this.writeReplyWindow();
    });
  }

  stop(): void {
    this.offSettings?.();
    this.offSettings = null;
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }

  async status(): Promise<ClaudeCodeConnection> {
    const choice = chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath'));
    const info = await probeClaude(choice, this.deps.env);
    const claude = { found: info.found, path: info.path, version: info.version };
    if (!info.found) return { claude, connected: false, stale: null, allowed: [], plugin: null, mcp: null, error: info.error ?? `${info.path} was not found` };
    const listed = await this.run(['plugin', 'list']);
    const block = listed.code === 0 ? (listed.out.split(/\n\s*\n/).find((b) => b.includes(PLUGIN)) ?? null) : null;
    // Connected without plugins: our hooks in the user's settings, and the server `claude mcp add` added.
    const merged = Object.values(this.readSettings(this.settingsFile()).hooks ?? {}).some((entries) => entries.some(ours));
    const mcp = block || merged ? ((await this.run(['mcp', 'list'])).out.split('\n').find((line) => line.includes('plugin:switchboard:switchboard') || line.startsWith('switchboard:')) ?? null) : null;
    const connected = (!!block && /enabled/.test(block)) || (merged && !!mcp);
    return { claude, connected, stale: connected ? this.stale(!!block) : null, allowed: connected ? (this.handed()?.allowed ?? []) : [], plugin: block?.trim() ?? (merged ? 'Hooks merged into Claude Code’s user settings (a CLI without plugins)' : null), mcp: mcp?.trim() ?? null, error: null };
  }

  /** Why the connected plugin no longer reaches this Switchboard (a token rotated, another port), or null when it does. */
  private stale(plugin: boolean): string | null {
    if (!plugin) return null;
    const handed = this.handed();
    const port = this.deps.port();
    if (!handed) return 'The plugin was installed without this Switchboard’s tokens: connect again.';
    if (port && handed.port !== port) return `The plugin points at port ${handed.port}; Switchboard listens on ${port}: connect again.`;
    if (handed.tokens !== fingerprint(this.deps.tokens())) return 'A token was rotated since Claude Code was connected: connect again.';
    return null;
  }

  private handedFile(): string {
    return path.join(this.deps.dataDir, 'claude-code.json');
  }

  private handed(): Handed | null {
    try {
      return JSON.parse(fs.readFileSync(this.handedFile(), 'utf8')) as Handed;
    } catch {
      return null;
    }
  }

  /**
   * The plugin's options set to this Switchboard's port and current tokens, through stdin (never a
   * command line); Claude Code keeps the tokens with its credentials. New sessions use them at once.
   */
  private async hand(port: number): Promise<void> {
    const tokens = this.deps.tokens();
    const values = { port: String(port), mcp_token: tokens.mcp, hooks_token: tokens.hooks, hook_folder: this.hookDir() };
    await this.must(['plugin', 'configure', PLUGIN, '--values-stdin'], 'store the port and tokens', JSON.stringify(values));
    const handed: Handed = { ...this.handed(), port, tokens: fingerprint(tokens) };
    fs.writeFileSync(this.handedFile(), JSON.stringify(handed), { mode: 0o600 });
  }

  /**
   * A token was rotated (or the port changed): a plugin Connect installed gets the new values, so its
   * hooks and MCP server do not start failing silently. Nothing happens when it was not connected.
   */
  async refresh(): Promise<void> {
    const port = this.deps.port();
    if (port && fs.existsSync(path.join(this.hookDir(), 'connection'))) this.writeConnection(port);
    if (!port || !this.handed()) return;
    const listed = await this.run(['plugin', 'list']);
    if (listed.code !== 0 || !listed.out.includes(PLUGIN)) return;
    await this.hand(port);
  }

  async connect(options: { allowReadOnly?: boolean } = {}): Promise<ClaudeCodeConnection> {
    const port = this.deps.port();
    if (!port) throw new AppError('unavailable', 'Switchboard is not listening on loopback, so Claude Code would have nothing to connect to. See Settings → Health.');
    if (!this.deps.resourcesDir) throw new AppError('unavailable', 'The plugin files are not part of this build of Switchboard.');
    const plugins = await this.run(['plugin', '--help']);
    if (plugins.code !== 0 || !/install/.test(plugins.out)) return this.connectWithoutPlugins(port);
    // The user's settings as they were, before Claude Code or Switchboard write to them.
    const file = this.settingsFile();
    if (options.allowReadOnly && fs.existsSync(file) && !fs.existsSync(`${file}.switchboard-backup`)) fs.copyFileSync(file, `${file}.switchboard-backup`);
    const dir = path.join(this.deps.dataDir, 'claude-plugin');
    fs.rmSync(dir, { recursive: true, force: true });
    makePrivateDir(dir);
    copyPlugin(path.join(this.deps.resourcesDir, 'claude-plugin'), dir);
    // Again from the start: a marketplace added before may point at an older copy.
    await this.run(['plugin', 'uninstall', PLUGIN, '--scope', 'user']);
    await this.run(['plugin', 'marketplace', 'remove', MARKETPLACE]);
    await this.must(['plugin', 'marketplace', 'add', dir], 'add the plugin marketplace');
    await this.must(['plugin', 'install', PLUGIN, '--scope', 'user'], 'install the plugin');
    makePrivateDir(this.hookDir());
    this.writeReplyWindow();
    const before = this.handed()?.allowed ?? [];
    await this.hand(port);
    this.allowReadOnly(options.allowReadOnly ? this.deps.readOnlyTools().map((name) => `${PLUGIN_TOOL_PREFIX}${name}`) : [], before);
    return this.status();
  }

  /**
   * The user's choice at Connect: Switchboard's read-only tools allowed without asking, as rules in
   * Claude Code's user settings (a backup first). Only rules Connect added are ever taken out again:
   * one the user had already stays theirs.
   */
  private allowReadOnly(rules: string[], before: string[]): void {
    const file = this.settingsFile();
    if (!rules.length && !before.length) return;
    const settings = this.readSettings(file);
    const permissions = (settings.permissions ?? {}) as { allow?: string[] } & Record<string, unknown>;
    const kept = (permissions.allow ?? []).filter((rule) => !before.includes(rule));
    const added = rules.filter((rule) => !kept.includes(rule));
    const allow = [...kept, ...added];
    const { allow: _old, ...rest } = permissions;
    const next: Settings = { ...settings, permissions: allow.length ? { ...rest, allow } : rest };
    if (!Object.keys(next.permissions as object).length) delete next.permissions;
    this.writeSettings(file, next);
    const handed = this.handed();
    if (handed) fs.writeFileSync(this.handedFile(), JSON.stringify({ ...handed, allowed: added }), { mode: 0o600 });
  }

  /**
   * For a Claude Code without plugins: the MCP server with `claude mcp add -s user` (there the token sits in
   * Claude Code's own config, which that CLI offers no other way around), and the hooks merged into its user
   * settings: a backup first, entries recognised as ours (so a second connect replaces them, never doubles them),
   * and taken out again on disconnect, leaving everything else as it was. The hooks are the plugin's own
   * bounded command (`sh switchboard-hook.sh <route>`, exec form), copied into the data folder; the port and
   * hooks token it needs are in a 0600 `connection` file beside it, never in Claude Code's settings.
   */
  async connectWithoutPlugins(port: number): Promise<ClaudeCodeConnection> {
    const { mcp } = this.deps.tokens();
    if (!this.deps.resourcesDir) throw new AppError('unavailable', 'The hook script is not part of this build of Switchboard.');
    await this.run(['mcp', 'remove', '-s', 'user', 'switchboard']);
    await this.must(['mcp', 'add', '--transport', 'http', '-s', 'user', 'switchboard', `http://127.0.0.1:${port}/mcp`, '--header', `Authorization: Bearer ${mcp}`], 'add the MCP server');
    const dir = this.hookDir();
    makePrivateDir(dir);
    const script = path.join(dir, HOOK_SCRIPT);
    fs.writeFileSync(script, fs.readFileSync(path.join(this.deps.resourcesDir, 'claude-plugin', 'plugins', 'switchboard', 'hooks', HOOK_SCRIPT)), { mode: 0o600 });
    this.writeConnection(port);
    this.writeReplyWindow();
    const file = this.settingsFile();
    const settings = this.readSettings(file);
    if (fs.existsSync(file) && !fs.existsSync(`${file}.switchboard-backup`)) fs.copyFileSync(file, `${file}.switchboard-backup`);
    const merged = this.withoutOurHooks(settings);
    merged.hooks ??= {};
    for (const [event, [route, timeout]] of Object.entries(HOOK_ROUTES)) {
      const entry = { ...(event === 'PermissionRequest' ? { matcher: '*' } : {}), hooks: [{ type: 'command', command: 'sh', args: [script, route], timeout }] };
      merged.hooks[event] = [...(merged.hooks[event] ?? []), entry];
    }
    this.writeSettings(file, merged);
    return this.status();
  }

  private hookDir(): string {
    return path.join(this.deps.dataDir, HOOK_DIR);
  }

  /** The port and hooks token for the hooks merged without a plugin: two lines, 0600, written whole. */
  private writeConnection(port: number): void {
    writeWhole(path.join(this.hookDir(), 'connection'), `${port}\n${this.deps.tokens().hooks}\n`);
  }

  /**
   * The reply window as the hook reads it on every run, plugin or not: a running terminal session sees a
   * change at its next stop (a plugin option would reach only sessions started after it).
   */
  private writeReplyWindow(): void {
    writeWhole(path.join(this.hookDir(), REPLY_WINDOW), `${this.deps.settings.get('hooks.replyWindowSeconds')}\n`);
  }

  async disconnect(): Promise<ClaudeCodeConnection> {
    const file = this.settingsFile();
    const allowed = this.handed()?.allowed ?? [];
    if (allowed.length && fs.existsSync(file)) this.allowReadOnly([], allowed);
    if (fs.existsSync(file)) {
      const settings = this.readSettings(file);
      if (Object.values(settings.hooks ?? {}).some((entries) => entries.some(ours))) {
        this.writeSettings(file, this.withoutOurHooks(settings));
        await this.run(['mcp', 'remove', '-s', 'user', 'switchboard']);
      }
    }
    await this.run(['plugin', 'uninstall', PLUGIN, '--scope', 'user']);
    await this.run(['plugin', 'marketplace', 'remove', MARKETPLACE]);
    fs.rmSync(path.join(this.deps.dataDir, 'claude-plugin'), { recursive: true, force: true });
    fs.rmSync(this.hookDir(), { recursive: true, force: true });
    fs.rmSync(this.handedFile(), { force: true });
    return this.status();
  }

  private settingsFile(): string {
    const dir = this.deps.env.CLAUDE_CONFIG_DIR || path.join(this.deps.env.HOME || os.homedir(), '.claude');
    return path.join(dir, 'settings.json');
  }

  private readSettings(file: string): Settings {
    if (!fs.existsSync(file)) return {};
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Settings;
    } catch {
      throw new AppError('conflict', `${file} is not valid JSON; fix it (or move it aside) before connecting, so nothing of yours is lost.`);
    }
  }

  private writeSettings(file: string, settings: Settings): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  /** The settings with every hook entry Switchboard added taken out (and empty events with them). */
  private withoutOurHooks(settings: Settings): Settings {
    if (!settings.hooks) return { ...settings };
    const hooks = Object.fromEntries(
      Object.entries(settings.hooks)
        .map(([event, entries]) => [event, entries.filter((e) => !ours(e))] as const)
        .filter(([, entries]) => entries.length),
    );
    const { hooks: _old, ...rest } = settings;
    return Object.keys(hooks).length ? { ...rest, hooks } : rest;
  }

  private async must(args: string[], what: string, input?: string): Promise<void> {
    const result = await this.run(args, input);
    if (result.code !== 0) throw new AppError('unavailable', `Claude Code could not ${what}: ${result.out.trim().slice(0, 400) || `exit ${result.code}`}`);
  }

  /** One `claude` command, bounded in time; its output (stdout and stderr) as one text. */
  private run(args: string[], input?: string): Promise<{ code: number | null; out: string }> {
    const { command } = chooseClaudeCommand(this.deps.env, this.deps.settings.get('claude.cliPath'));
    return new Promise((resolve) => {
      const child = spawn(command, args, { env: childEnv(this.deps.env), stdio: ['pipe', 'pipe', 'pipe'] });
      this.children.add(child);
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
        this.children.delete(child);
        resolve({ code, out });
      });
      child.stdin.end(input ?? '');
    });
  }
}
