import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { nextEvent } from '../main/testing/wait';
import { benchCore } from './bench-core';
import { query, seeded, seedMemories } from './corpus';
import { percentile, type BenchGroup, type Figure } from './figures';

const MEMORIES = 10_000;
const CALLS = 300;
const CLIENTS = 50;
const CALLS_PER_CLIENT = 10;
const HOOK_QUESTIONS = 50;

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
        const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && a.source === 'hook');
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
      return [
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
