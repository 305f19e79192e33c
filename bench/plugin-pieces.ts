// Where a plugin's cost in `claude -p` goes, one piece at a time (`npx tsx bench/plugin-pieces.ts`; RUNS=, ONLY=, EXTRA=variants.json): each variant a plugin in its own HOME, runs interleaved, medians against no plugin.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { claudeEnv, runClaude } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { CLAUDE_BIN, makeTempDir } from '../main/testing/temp-core';
import { benchCore } from './bench-core';
import { percentile } from './figures';

const RUNS = Number(process.env.RUNS ?? 8);
const SHIPPED = path.resolve(import.meta.dirname, '../resources/claude-plugin/plugins/switchboard');
const USER_CONFIG = JSON.parse(fs.readFileSync(path.join(SHIPPED, '.claude-plugin/plugin.json'), 'utf8')).userConfig;
type Variant = { name: string; files: Record<string, string> };
const manifest = (userConfig: boolean) => JSON.stringify({ name: 'switchboard', version: '0.0.1', description: 'x', ...(userConfig ? { userConfig: USER_CONFIG } : {}) });
const hooks = (events: Record<string, unknown>) => JSON.stringify({ hooks: events });
const script = fs.readFileSync(path.join(SHIPPED, 'hooks/switchboard-hook.sh'), 'utf8');
const mcp = fs.readFileSync(path.join(SHIPPED, '.mcp.json'), 'utf8');
const cmd = (route: string) => [{ hooks: [{ type: 'command', command: `sh "\${CLAUDE_PLUGIN_ROOT}/hooks/switchboard-hook.sh" ${route}`, timeout: 30 }] }];
const extra = process.env.EXTRA ? (JSON.parse(fs.readFileSync(process.env.EXTRA, 'utf8')) as Variant[]) : [];
const variants: Variant[] = [
  { name: 'none', files: {} },
  { name: 'empty', files: { '.claude-plugin/plugin.json': manifest(false) } },
  { name: 'empty+options', files: { '.claude-plugin/plugin.json': manifest(true) } },
  { name: 'mcp', files: { '.claude-plugin/plugin.json': manifest(true), '.mcp.json': mcp } },
  { name: 'stop', files: { '.claude-plugin/plugin.json': manifest(true), 'hooks/hooks.json': hooks({ Stop: cmd('stop') }), 'hooks/switchboard-hook.sh': script } },
  { name: 'permission+notification', files: { '.claude-plugin/plugin.json': manifest(true), 'hooks/hooks.json': hooks({ PermissionRequest: cmd('permission'), Notification: cmd('notification') }), 'hooks/switchboard-hook.sh': script } },
  { name: 'shipped', files: Object.fromEntries(['.claude-plugin/plugin.json', '.mcp.json', 'hooks/hooks.json', 'hooks/switchboard-hook.sh'].map((f) => [f, fs.readFileSync(path.join(SHIPPED, f), 'utf8')])) },
  ...extra,
].filter((v) => !process.env.ONLY || process.env.ONLY.split(',').includes(v.name));

const dir = makeTempDir('switchboard-pieces-');
const api = new FakeAnthropic();
await api.start();
const core = await benchCore(path.join(dir, 'data'), { server: { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true } });
const caller = { surface: 'desktop', actor: 'desktop' } as const;
const token = async (scope: string) => ((await core.router.call('system.rotateToken', { scope }, caller)) as { value: { token: string } }).value.token;
const options = JSON.stringify({ port: String(core.server!.address!.port), mcp_token: await token('mcp'), hooks_token: await token('hooks') });
const homes: Record<string, string> = {};
for (const v of variants) {
  const home = path.join(dir, v.name.replace(/\W/g, '_'));
  fs.mkdirSync(home, { recursive: true });
  homes[v.name] = home;
  if (!Object.keys(v.files).length) continue;
  const market = path.join(dir, `market-${v.name.replace(/\W/g, '_')}`);
  for (const [file, text] of Object.entries(v.files)) {
    fs.mkdirSync(path.dirname(path.join(market, 'plugins/switchboard', file)), { recursive: true });
    fs.writeFileSync(path.join(market, 'plugins/switchboard', file), text, { mode: file.endsWith('.sh') ? 0o700 : 0o600 });
  }
  fs.mkdirSync(path.join(market, '.claude-plugin'), { recursive: true });
  fs.writeFileSync(path.join(market, '.claude-plugin/marketplace.json'), JSON.stringify({ name: 'switchboard', owner: { name: 'x' }, plugins: [{ name: 'switchboard', source: './plugins/switchboard' }] }));
  const env = claudeEnv(api.url, home);
  execFileSync(CLAUDE_BIN, ['plugin', 'marketplace', 'add', market], { env, stdio: 'pipe' });
  execFileSync(CLAUDE_BIN, ['plugin', 'install', 'switchboard@switchboard', '--scope', 'user'], { env, stdio: 'pipe' });
  if (v.files['.claude-plugin/plugin.json']?.includes('userConfig')) execFileSync(CLAUDE_BIN, ['plugin', 'configure', 'switchboard@switchboard', '--values-stdin'], { env, input: options, stdio: 'pipe' });
}
const run = async (home: string) => {
  api.reply({ kind: 'text', text: 'hi' });
  const started = performance.now();
  const result = await runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--', 'just say hi'], { env: claudeEnv(api.url, home), cwd: home, timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`claude -p failed: ${result.stderr}`);
  return performance.now() - started;
};
const times: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
for (const v of variants) await run(homes[v.name]!);
for (let i = 0; i < RUNS; i++) for (const v of variants) times[v.name]!.push(await run(homes[v.name]!));
const base = percentile(times.none!, 50);
for (const v of variants) process.stdout.write(`${v.name.padEnd(28)} median ${percentile(times[v.name]!, 50).toFixed(0).padStart(5)} ms  +${(percentile(times[v.name]!, 50) - base).toFixed(0)} ms\n`);
await core.stop();
await api.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
