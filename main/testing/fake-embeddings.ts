import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BuiltinEmbedder } from '../retrieval/embeddings';

/**
 * A loopback embeddings server speaking OpenAI's /v1/embeddings and Ollama's /api/embed, so the
 * real HTTP providers are tested. Its vectors are 64-dimensional; it can be told to fail.
 */
export class FakeEmbeddings {
  static readonly DIMENSIONS = 64;
  failing = false;
  requests = 0;
  /** While set, requests wait for it before they are answered (a slow provider, to race a delete against). */
  hold: Promise<void> | null = null;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly base = new BuiltinEmbedder();
  url = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private vector(text: string): number[] {
    return Array.from(this.base.embedSync([text])[0]!.subarray(0, FakeEmbeddings.DIMENSIONS));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    this.requests++;
    await this.hold;
    if (this.failing) {
      res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error":"overloaded"}');
      return;
    }
    const input = (JSON.parse(body) as { input: string[] | string }).input;
    const texts = Array.isArray(input) ? input : [input];
    const reply = req.url?.endsWith('/api/embed')
      ? { embeddings: texts.map((t) => this.vector(t)) }
      : { data: texts.map((t, index) => ({ object: 'embedding', index, embedding: this.vector(t) })) };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
  }
}
