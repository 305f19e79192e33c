import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback stand-in for an OpenAI-compatible `/v1/audio/transcriptions` endpoint: records each request, answers as told. */
export class FakeTranscription {
  readonly requests: { authorization: string | undefined; body: string }[] = [];
  /** What the next requests get: the text heard, or an HTTP status. */
  answer: { text: string } | { status: number } = { text: '' };
  url = '';
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      this.requests.push({ authorization: req.headers.authorization, body });
      if ('status' in this.answer) res.writeHead(this.answer.status, { 'Content-Type': 'application/json' }).end('{"error":{"message":"Incorrect API key provided"}}');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ text: this.answer.text }));
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/audio/transcriptions`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
