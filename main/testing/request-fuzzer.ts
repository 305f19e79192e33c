import net from 'node:net';
import * as z from 'zod';
import { methodNames, methods, type MethodName } from '../../contract';
import { tools } from '../tools/registry';

/** A seeded generator, so a failing fuzz run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

export interface FuzzTarget {
  port: number;
  /** The UI token: it reaches every route. */
  token: string;
  /** The hooks and MCP tokens, when known: used for their routes some of the time. */
  hooksToken?: string;
  mcpToken?: string;
}

/** One raw request as bytes, and whether to cut the connection halfway through sending it. */
export interface FuzzRequest {
  bytes: Buffer;
  abortAfter: number | null;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

function percentJunk(random: () => number): string {
  const pieces = ['%', '%Z', '%ZZ', '%0', '%00', '%C0%AF', '%E0%80', '%FF', '%%', '%2F', '%u2215', '..', '/', '\\', '?', '#', ';', '@', '[', ']'];
  return Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, pieces)).join('');
}

/**
 * Random and mutated HTTP and WebSocket requests: percent sequences and bytes in the target,
 * absolute forms with bad ports, random and duplicated headers, odd Hosts and Origins, broken
 * upgrade handshakes, truncated and chunked bodies, and connections cut mid-request.
 */
export function fuzzRequest(random: () => number, target: FuzzTarget): FuzzRequest {
  const own = `127.0.0.1:${target.port}`;
  const method = pick(random, ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'CONNECT', 'PATCH', 'G\x00T', 'POST ', '']);
  const targets = [
    () => `/api/${percentJunk(random)}`,
    () => `/api/settings.list${percentJunk(random)}`,
    () => '//[',
    () => `http://localhost:${Math.floor(random() * 200_000)}/api/x`,
    () => `http://[::1:${percentJunk(random)}/`,
    () => '/ws',
    () => `/ws${percentJunk(random)}`,
    () => `/${percentJunk(random)}`,
    () => '*',
    () => `/assets/${percentJunk(random)}.js.map`,
    () => randomBytes(random, 1 + Math.floor(random() * 20)).toString('latin1'),
    () => `/api/system.health?${percentJunk(random)}`,
  ];
  const requestTarget = pick(random, targets)();
  const hosts = [own, own, `localhost:${target.port}`, `[::1]:${target.port}`, 'evil.example', '', '[', `127.0.0.1:${target.port}x`, 'localhost:99999', '%ZZ'];
  const origins = ['null', 'http://[', `http://${own}`, 'http://evil.example', 'file://', '::', '%ZZ', 'http://127.0.0.1:1', `https://${own}`];
  const headers: string[] = [];
  const addHost = () => headers.push(`Host: ${pick(random, hosts)}`);
  if (random() < 0.9) addHost();
  if (random() < 0.1) addHost();
  if (random() < 0.4) headers.push(`Origin: ${pick(random, origins)}`);
  if (random() < 0.1) headers.push(`Origin: ${pick(random, origins)}`);
  if (random() < 0.5) headers.push(`Authorization: Bearer ${random() < 0.7 ? target.token : percentJunk(random)}`);
  if (random() < 0.3) {
    headers.push('Upgrade: websocket', 'Connection: Upgrade');
    if (random() < 0.7) headers.push(`Sec-WebSocket-Key: ${random() < 0.7 ? 'dGhlIHNhbXBsZSBub25jZQ==' : percentJunk(random)}`);
    if (random() < 0.7) headers.push(`Sec-WebSocket-Version: ${pick(random, ['13', '8', 'x', ''])}`);
    if (random() < 0.6) headers.push(`Sec-WebSocket-Protocol: switchboard.v1, bearer.${random() < 0.7 ? target.token : 'x'}`);
  }
  if (random() < 0.15) headers.push(`${percentJunk(random)}: ${percentJunk(random)}`);
  if (random() < 0.05) headers.push(randomBytes(random, 10).toString('latin1'));
  let body = '';
  if (random() < 0.4) {
    body = pick(random, ['{}', '{"key":"appearance.theme"}', '{not json', '[]', 'null', '"x"', '{"key":"appearance.theme","value":"dark"}', '\x00\x01']);
    if (random() < 0.3) headers.push('Transfer-Encoding: chunked');
    else headers.push(`Content-Length: ${random() < 0.8 ? Buffer.byteLength(body) : Math.floor(random() * 100_000)}`);
    if (headers.at(-1) === 'Transfer-Encoding: chunked') body = random() < 0.5 ? `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n` : `zz\r\n${body}`;
  }
  const version = pick(random, ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '']);
  const text = `${method} ${requestTarget} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
  const bytes = Buffer.from(text, 'latin1');
  // Mutations of the whole request: a flipped byte, or the request cut short.
  if (random() < 0.1) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
  const abortAfter = random() < 0.15 ? Math.floor(random() * bytes.length) : null;
  return { bytes, abortAfter };
}

/**
 * Methods whose input, once valid, would act beyond the temporary data folder (start processes, reach
 * the network, change tokens or settings, run jobs) or wait long: they get only inputs their schema
 * refuses, which still tries every validation path. Every other method also gets valid edge values.
 */
const ACTING = new Set<string>([
  'system.rotateToken', 'system.open', 'settings.set',
  'sessions.create', 'sessions.send', 'sessions.ask', 'sessions.reset', 'sessions.update', 'sessions.delete', 'sessions.interrupt', 'sessions.editQueued', 'sessions.removeQueued',
  'sessions.commit', 'sessions.merge', 'sessions.discard', 'sessions.undoTurn', 'sessions.removeKeptWorktree',
  'terminals.open', 'terminals.write', 'terminals.close', 'terminals.resize',
  'schedules.create', 'schedules.update', 'schedules.delete', 'schedules.run', 'schedules.runNow', 'schedules.cancel',
  'chat.connect', 'chat.disconnect', 'chat.setTranscriptionKey', 'chat.answerPairing', 'chat.removeUser', 'chat.bindChannel', 'chat.unbindChannel',
  'claudeCode.connect', 'claudeCode.disconnect', 'claudeCode.status',
  'memory.setEmbeddingKey', 'memory.add', 'memory.update', 'memory.delete', 'memory.import', 'memory.restore',
  'history.import', 'user.ask', 'approvals.ask', 'approvals.withdraw', 'sessions.release',
  'tasks.start', 'mail.test', 'mail.setPassword',
]);

const EDGE_STRINGS = ['', ' ', 'x', '9999-12-31', '10000-01-01', '0000-00-00', '2025-02-30', '1970-01-01', '\u0000', 'null', '../../../etc/passwd', '/etc/passwd', '~/.claude/.credentials.json', '%ZZ', '\u{1F600}'.repeat(50), 'a'.repeat(5000), '<script>', "'; DROP TABLE memories; --", '*', '\\', '$(id)'];
const EDGE_NUMBERS = [0, -1, 1, 2, 1.5, -0.5, 401, 3660, 1e9, 9e15, 2 ** 53, -(2 ** 53), 1e308, 253402300799999];

/** Something of a random kind: the wrong type for most fields. */
function junk(random: () => number, depth = 0): unknown {
  const kinds: (() => unknown)[] = [
    () => pick(random, EDGE_STRINGS),
    () => pick(random, EDGE_NUMBERS),
    () => random() < 0.5,
    () => null,
    () => (depth > 2 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => junk(random, depth + 1))),
    () => (depth > 2 ? {} : Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(random, ['a', 'id', 'from', 'to', '__proto__', 'constructor', '']), junk(random, depth + 1)]))),
  ];
  return pick(random, kinds)();
}

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; enum?: unknown[]; items?: JsonSchema; anyOf?: JsonSchema[]; const?: unknown };

/** A value shaped by a schema most of the time (edges of the right type), junk the rest. */
function shaped(random: () => number, schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || random() < 0.25 || depth > 3) return junk(random, depth);
  if (schema.anyOf?.length) return shaped(random, pick(random, schema.anyOf), depth);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return random() < 0.8 ? pick(random, schema.enum) : junk(random, depth);
  const type = Array.isArray(schema.type) ? pick(random, schema.type) : schema.type;
  switch (type) {
    case 'string':
      return pick(random, EDGE_STRINGS);
    case 'integer':
    case 'number':
      return pick(random, EDGE_NUMBERS);
    case 'boolean':
      return random() < 0.5;
    case 'array':
      return Array.from({ length: Math.floor(random() * 3) }, () => shaped(random, schema.items, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(schema.properties ?? {})) if (random() < 0.7) out[key] = shaped(random, child, depth + 1);
      if (random() < 0.1) out.__fuzz = junk(random, depth + 1);
      return out;
    }
    default:
      return junk(random, depth);
  }
}

const schemaCache = new Map<z.ZodType, JsonSchema>();
function jsonSchema(schema: z.ZodType): JsonSchema {
  let cached = schemaCache.get(schema);
  if (!cached) {
    try {
      cached = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    } catch {
      cached = {};
    }
    schemaCache.set(schema, cached);
  }
  return cached;
}

/** An input for `schema`; when `refusedOnly`, one it refuses (made wrong until it is). */
function inputFor(random: () => number, schema: z.ZodType, refusedOnly: boolean): unknown {
  const input = shaped(random, jsonSchema(schema));
  if (!refusedOnly || !schema.safeParse(input).success) return input;
  const broken = { ...(typeof input === 'object' && input ? input : {}), __fuzz: junk(random) };
  if (!schema.safeParse(broken).success) return broken;
  for (const key of Object.keys(jsonSchema(schema).properties ?? {})) {
    const wrong = { ...broken, [key]: { junk: [1, 2, 3] } };
    if (!schema.safeParse(wrong).success) return wrong;
  }
  return 'not an object';
}

const HOOK_FIELDS: JsonSchema = {
  type: 'object',
  properties: Object.fromEntries(
    ['session_id', 'transcript_path', 'cwd', 'hook_event_name', 'permission_mode', 'tool_name', 'tool_use_id', 'message', 'last_assistant_message'].map((k) => [k, { type: 'string' }] as const),
  ),
};
HOOK_FIELDS.properties!.tool_input = { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' } } };
HOOK_FIELDS.properties!.stop_hook_active = { type: 'boolean' };
HOOK_FIELDS.properties!.permission_suggestions = { type: 'array', items: { type: 'object' } };

function post(target: FuzzTarget, path: string, token: string, body: string, headers: string[] = []): FuzzRequest {
  const text = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${headers.map((h) => `${h}\r\n`).join('')}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return { bytes: Buffer.from(text, 'utf8'), abortAfter: null };
}

/** Where the fuzzer's MCP requests go: an initialised session, so tools/call reaches the tools. */
export interface McpFuzzSession {
  id: string;
}

/**
 * Well-formed requests with garbage inside: every contract method on `/api/<method>` with inputs of
 * the wrong type or edge values, every hook on `/hooks/...` with fields of the wrong type, and
 * JSON-RPC on `/mcp` (every tool with garbage arguments, in a live MCP session).
 */
export function fuzzContractRequest(random: () => number, target: FuzzTarget, mcp: McpFuzzSession | null): FuzzRequest {
  const roll = random();
  if (roll < 0.55) {
    const method = pick(random, methodNames) as MethodName;
    const body = random() < 0.05 ? pick(random, ['', '{', '[]', 'null', '"x"', '1e999']) : JSON.stringify(inputFor(random, methods[method].input, ACTING.has(method)));
    return post(target, `/api/${method}`, target.token, body);
  }
  if (roll < 0.8) {
    const route = pick(random, ['/hooks/permission', '/hooks/notification', '/hooks/stop', '/hooks/notification', '/hooks/none', '/hooks']);
    const body = random() < 0.1 ? pick(random, ['', '{', '[]', 'null', '"x"', '7']) : JSON.stringify(shaped(random, HOOK_FIELDS));
    return post(target, route, random() < 0.5 && target.hooksToken ? target.hooksToken : target.token, body);
  }
  const tool = pick(random, tools);
  const acting = ACTING.has(tool.method) || ['schedules.runNow', 'schedules.create', 'schedules.delete', 'schedules.update'].includes(tool.method);
  const rpc = pick(random, [
    () => ({ jsonrpc: '2.0', id: Math.floor(random() * 1e6), method: 'tools/call', params: { name: tool.name, arguments: inputFor(random, tool.input, acting) } }),
    () => ({ jsonrpc: '2.0', id: Math.floor(random() * 1e6), method: 'tools/call', params: { name: tool.name, arguments: inputFor(random, tool.input, acting) } }),
    () => ({ jsonrpc: '2.0', id: junk(random), method: 'tools/call', params: junk(random) }),
    () => ({ jsonrpc: '2.0', id: 1, method: pick(random, ['tools/list', 'initialize', 'server/discover', 'resources/list', 'nope', '']), params: junk(random) }),
    () => junk(random),
  ])();
  const headers = ['Accept: application/json, text/event-stream'];
  if (mcp && random() < 0.8) headers.push(`mcp-session-id: ${mcp.id}`, 'mcp-protocol-version: 2025-06-18');
  else if (random() < 0.5) headers.push(`mcp-session-id: ${pick(random, ['nope', '', '%ZZ', 'a'.repeat(300)])}`);
  return post(target, '/mcp', random() < 0.5 && target.mcpToken ? target.mcpToken : target.token, JSON.stringify(rpc) ?? 'null', headers);
}

/** Opens an MCP session with a real initialize, for the fuzzer's tool calls; null when the server has no /mcp. */
export async function openMcpSession(target: FuzzTarget): Promise<McpFuzzSession | null> {
  try {
    const headers = { Authorization: `Bearer ${target.mcpToken ?? target.token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    const init = await fetch(`http://127.0.0.1:${target.port}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzzer', version: '1' } } }),
    });
    const id = init.headers.get('mcp-session-id');
    await init.text();
    if (!id) return null;
    await fetch(`http://127.0.0.1:${target.port}/mcp`, { method: 'POST', headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) }).then((r) => r.text());
    return { id };
  } catch {
    return null;
  }
}

/** Sends one raw request and resolves, with the HTTP status when one came, once the server answered, closed, or `waitMs` passed. */
export function sendRaw(port: number, request: FuzzRequest, waitMs = 300): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let done = false;
    let head = '';
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve(status ? Number(status) : null);
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      // The status line is enough.
      if (head.includes('\r\n') || head.length > 64) finish();
    });
    socket.on('connect', () => {
      if (request.abortAfter === null) socket.write(request.bytes);
      else socket.write(request.bytes.subarray(0, request.abortAfter), finish);
    });
  });
}

/** Whether the server still answers a well-formed, authorised call. */
export async function serverAnswers(target: FuzzTarget): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${target.port}/api/`, { headers: { Authorization: `Bearer ${target.token}` }, signal: AbortSignal.timeout(5000) });
    return res.status === 204;
  } catch {
    return false;
  }
}

/** What a fuzz run found: how many batches found the server not answering, and every answer of 500 (with what asked for it). */
export interface FuzzResult {
  sent: number;
  crashes: number;
  ms: number;
  /** Answers with status 500: a failure inside, where a word to the caller was due. */
  status500: number;
  /** The first few requests answered 500, to replay. */
  samples: string[];
}

/**
 * Sends `count` fuzzed requests, `concurrency` at a time, checking after each batch that the
 * server still answers. Half are raw and mutated HTTP (targets, headers, bodies, cut connections);
 * half are well-formed requests with garbage inside, to every contract method, `/hooks` and `/mcp`.
 */
export async function fuzzServer(target: FuzzTarget, options: { count: number; seed: number; concurrency?: number; batch?: number; contractShare?: number }): Promise<FuzzResult> {
  const random = seededRandom(options.seed);
  const concurrency = options.concurrency ?? 32;
  const batch = options.batch ?? 500;
  const contractShare = options.contractShare ?? 0.5;
  const mcp = await openMcpSession(target);
  let sent = 0;
  let crashes = 0;
  let status500 = 0;
  const samples: string[] = [];
  const started = performance.now();
  while (sent < options.count) {
    const size = Math.min(batch, options.count - sent);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < size) {
          next++;
          const request = random() < contractShare ? fuzzContractRequest(random, target, mcp) : fuzzRequest(random, target);
          const status = await sendRaw(target.port, request);
          if (status === 500) {
            status500++;
            if (samples.length < 10) samples.push(request.bytes.toString('latin1').replace(target.token, '<token>').slice(0, 600));
          }
        }
      }),
    );
    sent += size;
    if (!(await serverAnswers(target))) crashes++;
  }
  return { sent, crashes, ms: performance.now() - started, status500, samples };
}
