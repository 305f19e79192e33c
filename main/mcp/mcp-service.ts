import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, isInitializeRequest, ListToolsRequestSchema, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { AppError, errorMessage } from '../errors';
import { boundCall, formatZodError, type CallContext, type ContractCaller } from '../ipc/router';
import type { Service } from '../lifecycle';
import { log } from '../log';
import { bearer, readBody, type LoopbackServer } from '../server/loopback-server';
import { tools, type Tool } from '../tools/registry';
import { clientName } from './client-name';

declare const SWITCHBOARD_VERSION: string;
const VERSION = typeof SWITCHBOARD_VERSION === 'string' ? SWITCHBOARD_VERSION : '0.0.0-dev';

/** The path the MCP server answers on, and the header a session Switchboard runs names itself with. */
export const MCP_PATH = '/mcp';
/** MCP sessions kept at once; past it the one idle longest is closed (its client starts a new one). */
const MAX_SESSIONS = 200;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface McpSession {
  transport: StreamableHTTPServerTransport;
  server: Server;
  usedAt: number;
  /** The Switchboard session whose token opened it; every later request must present the same. */
  caller: string | null;
}

type JsonSchema = { [key: string]: unknown };

/**
 * A JSON Schema every client reads alike: zod writes a nullable field as `type: [X, "null"]`, which
 * some clients and validators do not take (the Inspector counts it as a portability warning), so each
 * such union becomes `anyOf` of its types, the keywords of a type kept with that type.
 */
export function portable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(portable);
  if (!schema || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = key === 'properties' || key === '$defs' || key === 'definitions' ? mapValues(value, portable) : key === 'enum' || key === 'const' || key === 'default' || key === 'examples' ? value : portable(value);
  if (!Array.isArray(out.type)) return out;
  const types = out.type as string[];
  const { type: _type, ...rest } = out;
  const shared: JsonSchema = {};
  const byType = (t: string): JsonSchema => ({ type: t });
  for (const [key, value] of Object.entries(rest)) {
    if (['description', 'title', 'default', 'examples', '$schema', '$id'].includes(key)) shared[key] = value;
  }
  const specific = Object.fromEntries(Object.entries(rest).filter(([key]) => !(key in shared)));
  return { ...shared, anyOf: types.map((t) => (t === 'null' ? byType(t) : { ...byType(t), ...specific })) };
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f(v)]));
}

/** A tool's input and output as JSON Schema, the form listed to clients. */
export function toolSchemas(t: Tool): { input: McpTool['inputSchema']; output: McpTool['outputSchema'] } {
  return {
    input: portable(z.toJSONSchema(t.input, { io: 'input', unrepresentable: 'any' })) as McpTool['inputSchema'],
    output: portable(z.toJSONSchema(t.output, { io: 'output', unrepresentable: 'any' })) as McpTool['outputSchema'],
  };
}

/** The tools as MCP lists them: JSON Schemas from the registry's zod, hints as annotations. Made once. */
function listed(): McpTool[] {
  return tools.map((t) => {
    const schemas = toolSchemas(t);
    // Every hint said, false included: a client that assumes the worst of a missing one reads the truth.
    const annotations = { title: t.title, readOnlyHint: t.hints.readOnlyHint ?? false, destructiveHint: t.hints.destructiveHint ?? false, idempotentHint: t.hints.idempotentHint ?? false };
    return { name: t.name, title: t.title, description: t.description, inputSchema: schemas.input, outputSchema: schemas.output, annotations };
  });
}

/**
 * The params of a tools/call, checked before the SDK sees them: it would answer a malformed one with
 * -32603 and its validator's raw dump; the protocol says -32602, and this says what is wrong in words.
 */
function badToolCall(params: unknown): string | null {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return 'Invalid params: tools/call takes an object with the tool’s `name` and its `arguments`.';
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string' || !name) return 'Invalid params: `name` must be the name of a tool (see tools/list).';
  if (args !== undefined && (!args || typeof args !== 'object' || Array.isArray(args))) return `Invalid params: \`arguments\` must be an object of named values (got ${args === null ? 'null' : Array.isArray(args) ? 'a list' : `a ${typeof args}`}).`;
  return null;
}

function rpcError(res: http.ServerResponse, status: number, id: unknown, code: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code, message } }));
}

/**
 * The MCP server over Switchboard's powers: Streamable HTTP at /mcp on the loopback server (the MCP
 * token, Host and Origin checked there), one MCP session per client, tools from the registry. Every
 * call goes through the router as the contract, in the client's name (`mcp:<client>`), or the
 * session's when Switchboard runs the client itself (`session:<id>`).
 */
export class McpService implements Service {
  readonly name = 'mcp';
  private readonly sessions = new Map<string, McpSession>();
  private readonly catalogue = listed();
  private readonly byName = new Map(tools.map((t) => [t.name, t]));

  constructor(
    private readonly deps: {
      server: LoopbackServer | null;
      router: ContractCaller;
      /** The Switchboard session a presented token was made for (a session's own Claude), else null. */
      sessionOf?: (token: string | null) => string | null;
    },
  ) {}

  start(): void {
    this.deps.server?.route({ prefix: MCP_PATH, scope: 'mcp', handle: (req, res) => this.handle(req, res) });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close().catch(() => {})));
    this.sessions.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    const caller = this.deps.sessionOf?.(bearer(req.headers.authorization)) ?? null;
    const found = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    // An MCP session is its opener's: another token presenting its id is told it does not exist.
    const existing = found && found.caller === caller ? found : undefined;
    if (req.method !== 'POST') {
      if (!existing) return rpcError(res, sessionId ? 404 : 400, null, -32000, sessionId ? 'Session not found: initialize again' : 'Bad Request: no MCP session id');
      existing.usedAt = Date.now();
      return existing.transport.handleRequest(req, res);
    }
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === undefined) return;
    if (text === null) return rpcError(res, 413, null, -32600, `Request too large (over ${MAX_BODY_BYTES / 1024 / 1024} MB)`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return rpcError(res, 400, null, -32700, 'Parse error: the body is not JSON');
    }
    const request = body as { method?: unknown; id?: unknown };
    // The CLI's first probe (a newer protocol's discovery): refused at once, so it falls back to initialize.
    if (request?.method === 'server/discover') return rpcError(res, 200, request.id, -32601, 'Method not found: server/discover (this server speaks initialize)');
    if (request?.method === 'tools/call') {
      const bad = badToolCall((body as { params?: unknown }).params);
      if (bad) return rpcError(res, 200, request.id, -32602, bad);
    }
    if (existing) {
      existing.usedAt = Date.now();
      return existing.transport.handleRequest(req, res, body);
    }
    if (sessionId) return rpcError(res, 404, request?.id, -32001, 'Session not found: initialize again');
    if (!isInitializeRequest(body)) return rpcError(res, 400, request?.id, -32000, 'Bad Request: initialize first (no MCP session id)');
    // Who the caller is comes from its token alone: a header could name any session.
    const session = this.open(caller);
    await session.transport.handleRequest(req, res, body);
  }

  /** A new MCP session: its own SDK server and transport, the caller named once the client says who it is. */
  private open(switchboardSession: string | null): McpSession {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.sessions.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt)[0]!;
      this.sessions.delete(oldest[0]);
      void oldest[1].transport.close().catch(() => {});
    }
    const server = new Server({ name: 'switchboard', version: VERSION }, { capabilities: { tools: { listChanged: false } }, instructions: 'Switchboard: remember and recall, schedule, read history, hand work to other Claude sessions, and reach the user on their desktop and phone.' });
    // A client names itself, so its connection goes in its name too: another client holding the same token
    // and the same name is still another caller (a loose session is driven over MCP only by its starter).
    const caller = (): CallContext => ({
      surface: 'mcp',
      actor: switchboardSession ? `session:${switchboardSession}` : `mcp:${clientName(server.getClientVersion()?.name)}@${transport.sessionId?.slice(0, 8) ?? 'new'}`,
    });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.catalogue }));
    server.setRequestHandler(CallToolRequestSchema, (request) => this.callTool(request.params.name, request.params.arguments ?? {}, caller()));
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void this.sessions.set(id, session),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    const session: McpSession = { transport, server, usedAt: Date.now(), caller: switchboardSession };
    void server.connect(transport);
    return session;
  }

  /** One tool call: its arguments checked, its contract calls made as the caller, the result structured. */
  async callTool(name: string, args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> {
    const found: Tool | undefined = this.byName.get(name);
    if (!found) return failure(`There is no tool ${name}. Tools: ${[...this.byName.keys()].join(', ')}.`);
    const parsed = found.input.safeParse(args);
    if (!parsed.success) return failure(`Invalid arguments for ${name}: ${argumentErrors(found, parsed.error)}`);
    const call = boundCall(this.deps.router, ctx);
    try {
      const structured = (await found.run(call, parsed.data)) as Record<string, unknown>;
      return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
    } catch (error) {
      // The contract's errors are in the user's words already (an internal one carries its log id).
      if (error instanceof AppError) return failure(error.message);
      const id = log.error(`mcp: ${name} failed`, error, { actor: ctx.actor });
      return failure(`Switchboard could not do this (error ${id}); the log has the details. ${errorMessage(error).slice(0, 200)}`);
    }
  }
}

/** What is wrong with the arguments, field by field; an unknown one is named with the fields the tool takes. */
function argumentErrors(t: Tool, error: z.ZodError): string {
  const unknown = error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys : []));
  const rest = new z.ZodError(error.issues.filter((issue) => !(issue.code === 'unrecognized_keys' && issue.path.length === 0)));
  const known = Object.keys(t.input.shape);
  return [
    ...(unknown.length ? [`${unknown.join(', ')}: not ${unknown.length === 1 ? 'an argument' : 'arguments'} of ${t.name} (it takes ${known.length ? known.join(', ') : 'none'})`] : []),
    ...(rest.issues.length ? [formatZodError(rest)] : []),
  ].join('; ');
}

function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
