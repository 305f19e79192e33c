import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in answers to one model request. */
export type Reply =
  | { kind: 'text'; text: string; chunks?: number; chunkDelayMs?: number; delayMs?: number }
  | { kind: 'tool'; name: string; input: Record<string, unknown>; text?: string; delayMs?: number }
  | { kind: 'thinking'; thinking: string; text: string }
  /** An HTTP error answer; `headers` as the API sends them (a 429 of an exhausted plan window carries its reset time). */
  | { kind: 'error'; status: number; type: string; message: string; headers?: Record<string, string> }
  /** Starts a message and never finishes it: the connection stays open and silent. */
  | { kind: 'hang'; text?: string }
  /** Streams some text, then an error event in the stream (a non-retryable API failure mid-reply). */
  | { kind: 'broken'; text: string; errorType: string; message: string };

export interface RecordedRequest {
  path: string;
  body: {
    model?: string;
    system?: unknown;
    tools?: { name: string }[];
    messages?: { role: string; content: string | { type: string; text?: string; content?: unknown; tool_use_id?: string }[] }[];
    stream?: boolean;
  };
  /** A request with tools is a turn of the conversation; without, a side call (titles, summaries). */
  main: boolean;
}

/** The text of the last user message in a request (joined text blocks; tool results marked). */
export function lastUserText(request: RecordedRequest): string {
  const last = [...(request.body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  const blocks = last.content.filter((b) => !(b.type === 'text' && b.text?.startsWith('<system-reminder>')));
  if (blocks.some((b) => b.type === 'tool_result')) return '[tool_result]';
  return blocks.map((b) => b.text ?? '').join('');
}

/** Every user text block in a request's history, oldest first: what the model was shown. */
export function userTexts(request: RecordedRequest): string[] {
  return (request.body.messages ?? [])
    .filter((m) => m.role === 'user')
    .flatMap((m) => (typeof m.content === 'string' ? [m.content] : m.content.filter((b) => b.type === 'text').map((b) => b.text ?? '')))
    .filter((t) => !t.startsWith('<system-reminder>'));
}

type Responder = (request: RecordedRequest) => Reply;

/**
 * A loopback stand-in for the Anthropic Messages API that the real `claude` binary talks to.
 * Replies are scripted per test (a queue, or a function); with neither it echoes the user's text.
 * It records every request, so tests can assert what Claude was sent.
 */
export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Reply[] = [];
  private responder: Responder | null = null;
  private readonly server: http.Server;
  private readonly hung = new Set<http.ServerResponse>();
  /** Headers every model answer carries (the plan's rate-limit headers, as the real API sends to subscribers). */
  headers: Record<string, string> = {};
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues replies for the next main requests, in order. */
  reply(...replies: Reply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Answers main requests with a function once the queue is empty. */
  respond(responder: Responder | null): this {
    this.responder = responder;
    return this;
  }

  mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.main);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: RecordedRequest['body'] = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as RecordedRequest['body'];
    } catch {
      /* recorded as empty */
    }
    if (path.endsWith('/count_tokens')) return json(res, 200, { input_tokens: 42 });
    if (!path.endsWith('/v1/messages')) return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: path } });
    const request: RecordedRequest = { path, body, main: Array.isArray(body.tools) && body.tools.length > 0 };
    this.requests.push(request);
    const reply: Reply = request.main
      ? (this.queue.shift() ?? this.responder?.(request) ?? { kind: 'text', text: `echo: ${lastUserText(request)}` })
      : { kind: 'text', text: 'Side answer' };
    if (reply.kind === 'error') return json(res, reply.status, { type: 'error', error: { type: reply.type, message: reply.message } }, reply.headers);
    if (body.stream === false) return json(res, 200, wholeMessage(reply, body.model));
    await this.stream(res, reply, body.model ?? 'claude-test');
  }

  private async stream(res: http.ServerResponse, reply: Exclude<Reply, { kind: 'error' }>, model: string): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'request-id': `req_${randomUUID()}`, ...this.headers });
    const send = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    if ('delayMs' in reply && reply.delayMs) await sleep(reply.delayMs);
    send('message_start', {
      message: { id: `msg_${randomUUID()}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
    });
    let index = 0;
    const textBlock = async (text: string, pieces = 1, delay = 0) => {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      const size = Math.max(1, Math.ceil(text.length / pieces));
      for (let i = 0; i < text.length; i += size) {
        send('content_block_delta', { index, delta: { type: 'text_delta', text: text.slice(i, i + size) } });
        if (delay) await sleep(delay);
      }
      send('content_block_stop', { index });
      index++;
    };
    if (reply.kind === 'hang') {
      if (reply.text) send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      if (reply.text) send('content_block_delta', { index, delta: { type: 'text_delta', text: reply.text } });
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    if (reply.kind === 'broken') {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { index, delta: { type: 'text_delta', text: reply.text } });
      await sleep(50);
      send('error', { error: { type: reply.errorType, message: reply.message } });
      res.end();
      return;
    }
    let stopReason = 'end_turn';
    if (reply.kind === 'thinking') {
      send('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } });
      send('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: reply.thinking } });
      send('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'c2lnbmF0dXJl' } });
      send('content_block_stop', { index });
      index++;
      await textBlock(reply.text);
    } else if (reply.kind === 'text') {
      await textBlock(reply.text, reply.chunks ?? 1, reply.chunkDelayMs ?? 0);
    } else {
      if (reply.text) await textBlock(reply.text);
      send('content_block_start', { index, content_block: { type: 'tool_use', id: `toolu_${randomUUID().replace(/-/g, '')}`, name: reply.name, input: {} } });
      send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) } });
      send('content_block_stop', { index });
      stopReason = 'tool_use';
    }
    send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 9 } });
    send('message_stop', {});
    res.end();
  }
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function wholeMessage(reply: Reply, model = 'claude-test'): object {
  const text = reply.kind === 'text' || reply.kind === 'thinking' ? reply.text : 'ok';
  return {
    id: `msg_${randomUUID()}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 9 },
  };
}
