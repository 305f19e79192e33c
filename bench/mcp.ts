import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { claudeEnv, runClaude } from '../main/testing/claude-harness';
import { FakeAnthropic } from '../main/testing/fake-anthropic';
import { CLAUDE_BIN, makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { nextEvent } from '../main/testing/wait';
import { benchCore } from './bench-core';
import { query, seeded, seedMemories } from './corpus';
import { percentile, type BenchGroup, type Figure } from './figures';

const MEMORIES = 10_000;
const CALLS = 300;
const CLIENTS = 50;
const CALLS_PER_CLIENT = 10;
const HOOK_QUESTIONS = 50;
const PLUGIN_RUNS = 15;

/** Installs a plugin made of `files` (paths inside the plugin) into a HOME, from its own marketplace folder. */
function installPlugin(dir: string, name: string, files: Record<string, string>, env: NodeJS.ProcessEnv): void {
  const market = path.join(dir, `${name}-market`);
  fs.mkdirSync(path.join(market, '.claude-plugin'), { recursive: true });
  fs.writeFileSync(path.join(market, '.claude-plugin/marketplace.json'), JSON.stringify({ name, owner: { name: 'bench' }, plugins: [{ name, source: `./plugins/${name}` }] }));
  const manifest = { '.claude-plugin/plugin.json': JSON.stringify({ name, version: '1.0.0', description: 'a bench plugin' }) };
  for (const [file, text] of Object.entries({ ...manifest, ...files })) {
    fs.mkdirSync(path.dirname(path.join(market, 'plugins', name, file)), { recursive: true });
    fs.writeFileSync(path.join(market, 'plugins', name, file), text);
  }
  execFileSync(CLAUDE_BIN, ['plugin', 'marketplace', 'add', market], { env, stdio: 'pipe' });
  execFileSync(CLAUDE_BIN, ['plugin', 'install', `${name}@${name}`, '--scope', 'user'], { env, stdio: 'pipe' });
}

/** A loopback port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The CLI's own cost of a plugin shaped like ours, with nothing of Switchboard in it: an HTTP MCP server
 * nobody answers (the CLI loads its MCP client for any server; a refused one costs it as much as one that
 * answers) and a Stop hook that runs `sh` doing nothing (the hook every `-p` run spawns).
 */
async function shapeOnlyFiles(): Promise<Record<string, string>> {
  return {
    '.mcp.json': JSON.stringify({ mcpServers: { shape: { type: 'http', url: `http://127.0.0.1:${await closedPort()}/mcp` } } }),
    'hooks/hooks.json': JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'sh', args: ['-c', ':'], timeout: 10 }] }] } }),
  };
}

/**
 * What Switchboard's plugin costs a `claude -p` run: the same run in four HOMEs, one with the plugin
 * installed by Connect (its MCP server and hooks, Switchboard running), one with a plugin of the same
 * shape holding nothing of Switchboard (the CLI's floor for such a plugin), one with an empty plugin (the
 * CLI loading any plugin), one without, interleaved in the same process; medians.
 */
async function pluginOverhead(dir: string): Promise<{ overhead: number; empty: number; shape: number; withPlugin: number; without: number }> {
  const api = new FakeAnthropic();
  await api.start();
  const homes = { with: path.join(dir, 'with'), shape: path.join(dir, 'shape'), empty: path.join(dir, 'empty'), without: path.join(dir, 'without') };
  for (const home of Object.values(homes)) fs.mkdirSync(home, { recursive: true });
  const core = await benchCore(path.join(dir, 'plugin-data'), { env: claudeEnv(api.url, homes.with), server: { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true } });
  try {
    const connected = await core.router.call('claudeCode.connect', {}, { surface: 'desktop', actor: 'desktop' });
    if (!connected.ok || !(connected.value as { connected: boolean }).connected) throw new Error(`Connect failed: ${JSON.stringify(connected)}`);
    const run = async (home: string) => {
      api.reply({ kind: 'text', text: 'hi' });
      const started = performance.now();
      const result = await runClaude(['-p', '--output-format', 'stream-json', '--verbose', '--', 'just say hi'], { env: claudeEnv(api.url, home), cwd: home, timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(`claude -p failed: ${result.stderr}`);
      return performance.now() - started;
    };
    installPlugin(dir, 'empty', {}, claudeEnv(api.url, homes.empty));
    installPlugin(dir, 'shape', await shapeOnlyFiles(), claudeEnv(api.url, homes.shape));
    const order = ['with', 'shape', 'empty', 'without'] as const;
    for (const name of order) await run(homes[name]);
    const times = { with: [] as number[], shape: [] as number[], empty: [] as number[], without: [] as number[] };
    for (let i = 0; i < PLUGIN_RUNS; i++) for (const name of order) times[name].push(await run(homes[name]));
    const [withPlugin, shape, empty, without] = order.map((name) => percentile(times[name], 50)) as [number, number, number, number];
    return { overhead: withPlugin - without, empty: empty - without, shape: shape - without, withPlugin, without };
  } finally {
    await core.stop();
    await api.stop();
  }
}

/**
 * The MCP server as Claude Code meets it: the SDK's own client over Streamable HTTP on loopback, the
 * token checked, `recall` searching 10,000 memories. One client calling in turn, then 50 at once.
 */
export const mcpGroup: BenchGroup = {
  name: 'mcp',
  description: `hooks answered, and recall over MCP with ${MEMORIES.toLocaleString('en')} memories, one client and ${CLIENTS} at once`,
  async run(): Promise<Figure[]> {
    const dir = makeTempDir('switchboard-bench-mcp-');
    const core = await benchCore(path.join(dir, 'data'), { server: { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true } });
    const clients: Client[] = [];
    try {
      seedMemories(core, MEMORIES);
      core.embeddings.kick(0);
      const token = ((await core.router.call('system.rotateToken', { scope: 'mcp' }, { surface: 'desktop', actor: 'desktop' })) as { value: { token: string } }).value.token;
      const url = new URL(`http://127.0.0.1:${core.server!.address!.port}/mcp`);
      const connect = async () => {
        const client = new Client({ name: 'bench', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        clients.push(client);
        return client;
      };
      const random = seeded(11);
      let errors = 0;
      const recall = async (client: Client): Promise<number> => {
        const started = performance.now();
        const result = await client.callTool({ name: 'recall', arguments: { query: query(random), limit: 5 } }).catch(() => ({ isError: true }));
        if (result.isError) errors++;
        return performance.now() - started;
      };
      const one = await connect();
      for (let i = 0; i < 30; i++) await recall(one);
      const single: number[] = [];
      for (let i = 0; i < CALLS; i++) single.push(await recall(one));
      // The same searches straight through the router: what MCP and HTTP add is the difference.
      const direct: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const started = performance.now();
        await core.router.call('memory.search', { query: query(random), limit: 5 }, { surface: 'mcp', actor: 'bench' });
        direct.push(performance.now() - started);
      }
      const many = await Promise.all(Array.from({ length: CLIENTS }, connect));
      const parallel: number[] = [];
      await Promise.all(
        many.map(async (client) => {
          for (let i = 0; i < CALLS_PER_CLIENT; i++) parallel.push(await recall(client));
        }),
      );
      // A terminal's permission question through the hooks route: from the answer in the window to the hook's HTTP reply.
      const hooksToken = ((await core.router.call('system.rotateToken', { scope: 'hooks' }, { surface: 'desktop', actor: 'desktop' })) as { value: { token: string } }).value.token;
      const answers: number[] = [];
      for (let i = 0; i < HOOK_QUESTIONS; i++) {
        const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && a.source === `hook:terminal-${i}`);
        const reply = fetch(`http://127.0.0.1:${core.server!.address!.port}/hooks/permission`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${hooksToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ session_id: `terminal-${i}`, cwd: '/tmp/project', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: `make step-${i}` } }),
        }).then(async (r) => {
          await r.text();
          return performance.now();
        });
        const approval = await asked;
        const answeredAt = performance.now();
        await core.router.call('approvals.answer', { id: approval.id, decision: 'once' }, { surface: 'desktop', actor: 'desktop' });
        answers.push((await reply) - answeredAt);
      }
      const plugin = await pluginOverhead(dir);
      return [
        {
          name: 'hooks.plugin_overhead_ms',
          value: plugin.overhead,
          unit: 'ms',
          goal: { below: 50 },
          note: `\`claude -p "just say hi"\` with the plugin installed by Connect minus without, medians of ${PLUGIN_RUNS} interleaved (${Math.round(plugin.withPlugin)} vs ${Math.round(plugin.without)} ms)`,
        },
        {
          name: 'hooks.cli_floor_ms',
          value: plugin.shape,
          unit: 'ms',
          note: 'the same run with a plugin of the same shape holding nothing of Switchboard (an MCP server nobody answers, a Stop hook running `sh -c :`) minus without: the CLI’s own cost of such a plugin',
        },
        { name: 'hooks.switchboard_part_ms', value: plugin.overhead - plugin.shape, unit: 'ms', note: 'plugin_overhead_ms minus cli_floor_ms: what Switchboard’s MCP server, hooks and script add to the CLI’s floor' },
        { name: 'hooks.empty_plugin_overhead_ms', value: plugin.empty, unit: 'ms', note: 'the same run with a plugin that holds nothing (a manifest alone) minus without: the CLI’s own cost of loading any plugin' },
        { name: 'hooks.answer_ms', value: percentile(answers, 50), unit: 'ms', goal: { below: 20 }, note: `a terminal's permission question answered in the window, to the hook's HTTP reply, median of ${HOOK_QUESTIONS}` },
        { name: 'mcp.tool_p50_ms', value: percentile(single, 50), unit: 'ms', note: `recall through the SDK client over HTTP, ${MEMORIES.toLocaleString('en')} memories, ${CALLS} calls one after another` },
        { name: 'mcp.tool_p95_ms', value: percentile(single, 95), unit: 'ms', goal: { below: 10 } },
        { name: 'mcp.direct_p50_ms', value: percentile(direct, 50), unit: 'ms', note: 'the same search through the router alone, no MCP or HTTP' },
        { name: 'mcp.clients50_p95_ms', value: percentile(parallel, 95), unit: 'ms', note: `${CLIENTS} clients calling at once, ${CALLS_PER_CLIENT} calls each` },
        { name: 'mcp.errors', value: errors, unit: 'calls', goal: { below: 1 }, note: `of ${CALLS + 30 + CLIENTS * CALLS_PER_CLIENT}` },
      ];
    } finally {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await core.stop();
      removeTempDir(dir);
    }
  },
};
