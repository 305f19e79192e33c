import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** What a request for a UI file comes to: a file to send, or why not. */
export type StaticDecision = { kind: 'file'; file: string; stats: fs.Stats; urlPath: string } | { kind: 'not_found' } | { kind: 'bad_request' };

/**
 * The built renderer as the headless server hands it out. Every decision is made on the decoded,
 * normalised path (so `app.js.ma%70`, `app.js%2emap` and `app.js.map/` are the source map they name),
 * and on the real path of the file (so a symlink that leaves the UI folder serves nothing). Source maps
 * and dotfiles stay on disk: they are for a stack trace, not for whoever asks.
 */
export class StaticFiles {
  private readonly realRoot: string;

  constructor(
    root: string,
    /** Headers every HTML page gets (the CSP and its neighbours). */
    private readonly htmlHeaders: Record<string, string> = {},
  ) {
    this.realRoot = fs.realpathSync(root);
  }

  /** The file a request path names, decided once on what the path means rather than how it is spelled. */
  async resolve(rawPath: string): Promise<StaticDecision> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return { kind: 'bad_request' };
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'not_found' };
    // Leading slash kept, `.`, `..` and `//` folded, trailing slashes gone: one spelling per file.
    const normalised = path.posix.normalize(`/${decoded}`).replace(/\/+$/, '') || '/';
    if (refused(normalised)) return { kind: 'not_found' };
    const candidates = normalised === '/' ? ['/index.html'] : [normalised, `${normalised}.html`, `${normalised}/index.html`];
    for (const candidate of candidates) {
      let real: string;
      try {
        real = await fs.promises.realpath(path.join(this.realRoot, candidate));
      } catch {
        continue;
      }
      // Reached through a symlink that leaves the UI folder: nothing, whatever it points at.
      if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) return { kind: 'not_found' };
      if (refused(real.slice(this.realRoot.length))) return { kind: 'not_found' };
      const stats = await fs.promises.stat(real).catch(() => null);
      if (!stats?.isFile()) continue;
      return { kind: 'file', file: real, stats, urlPath: candidate };
    }
    return { kind: 'not_found' };
  }

  /** Sends the file a GET or HEAD names, with a weak ETag; otherwise says why not, for the caller to answer. */
  async serve(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<'sent' | 'not_found' | 'bad_request'> {
    const decision = await this.resolve(rawPath);
    if (decision.kind !== 'file') return decision.kind;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed: the UI files are read with GET');
      return 'sent';
    }
    const { stats, file } = decision;
    const etag = `W/"${stats.size}-${stats.mtime.getTime()}"`;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', stats.mtime.toUTCString());
    if (decision.urlPath === '/index.html') res.setHeader('Cache-Control', 'no-store');
    if (path.extname(file).toLowerCase() === '.html') for (const [k, v] of Object.entries(this.htmlHeaders)) res.setHeader(k, v);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return 'sent';
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': stats.size });
    if (req.method === 'HEAD') {
      res.end();
      return 'sent';
    }
    await new Promise<void>((resolve) => {
      const stream = fs.createReadStream(file);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
    return 'sent';
  }
}

/** Source maps and dotfiles (any segment), in any case. */
function refused(urlPath: string): boolean {
  const lower = urlPath.toLowerCase();
  return lower.endsWith('.map') || urlPath.split(/[/\\]/).some((segment) => segment.startsWith('.') && segment.length > 0);
}
