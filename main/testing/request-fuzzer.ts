import net from 'node:net';

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
  token: string;
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

/** Sends one raw request and resolves when the server answered, closed, or `waitMs` passed. */
export function sendRaw(port: number, request: FuzzRequest, waitMs = 300): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', finish);
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

/**
 * Sends `count` fuzzed requests, `concurrency` at a time, checking after each batch that the
 * server still answers. Returns how many batches found it not answering.
 */
export async function fuzzServer(target: FuzzTarget, options: { count: number; seed: number; concurrency?: number; batch?: number }): Promise<{ sent: number; crashes: number; ms: number }> {
  const random = seededRandom(options.seed);
  const concurrency = options.concurrency ?? 32;
  const batch = options.batch ?? 500;
  let sent = 0;
  let crashes = 0;
  const started = performance.now();
  while (sent < options.count) {
    const size = Math.min(batch, options.count - sent);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < size) {
          next++;
          await sendRaw(target.port, fuzzRequest(random, target));
        }
      }),
    );
    sent += size;
    if (!(await serverAnswers(target))) crashes++;
  }
  return { sent, crashes, ms: performance.now() - started };
}
