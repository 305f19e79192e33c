import os from 'node:os';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];
const WILDCARDS = ['0.0.0.0', '::', ''];

/** Host names are compared without brackets, case or a trailing dot. */
function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Splits a Host header (`name:port`, `[v6]:port`, or a bare name) into its parts; null when it is not one. */
export function parseHostHeader(header: string): { name: string; port: number | null } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match) return null;
  return { name: normalise(match[1]!), port: match[2] === undefined ? null : Number(match[2]) };
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.includes(normalise(host)) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The machine's own addresses and host name: what a phone on the LAN or a tailnet would use. */
function machineNames(): string[] {
  const names = [os.hostname(), `${os.hostname()}.local`];
  for (const list of Object.values(os.networkInterfaces())) for (const address of list ?? []) names.push(address.address);
  return names;
}

export interface HostGuardOptions {
  /** The address the server binds to (`--host`). */
  bindHost: string;
  /** Names added by `--allow-host` or the setting. */
  extraHosts: () => readonly string[];
}

/**
 * DNS rebinding defence: a page on evil.example that resolves its name to 127.0.0.1 reaches the
 * server with `Host: evil.example`. Only the server's own names pass: loopback, the bound address,
 * the machine's names when bound beyond loopback, and what the user added.
 */
export class HostGuard {
  private port = 0;
  private readonly fixed: Set<string>;

  constructor(private readonly options: HostGuardOptions) {
    const names = [...LOOPBACK_NAMES];
    if (!WILDCARDS.includes(options.bindHost)) names.push(options.bindHost);
    if (!isLoopbackHost(options.bindHost)) names.push(...machineNames());
    this.fixed = new Set(names.map(normalise));
  }

  /** The port the server really listens on (known once bound; `--port 0` picks one). */
  setPort(port: number): void {
    this.port = port;
  }

  /** Null when the Host header names this server, else the name to admit, for the refusal. */
  refusedHost(header: string | undefined): string | null {
    const parsed = header ? parseHostHeader(header) : null;
    if (!parsed) return header ?? '(none)';
    const port = parsed.port ?? 80;
    if (port !== this.port) return header!;
    if (this.fixed.has(parsed.name)) return null;
    if (this.options.extraHosts().some((h) => normalise(h) === parsed.name)) return null;
    return parsed.name;
  }

  /** A browser's Origin must be this very server (scheme http or https, same host and port as the request). */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return !!host && url.host.toLowerCase() === host.trim().toLowerCase();
  }
}

/** The refusal page: what was refused and the option that admits it. */
export function hostRefusal(name: string): string {
  return (
    `Switchboard refused this request: "${name}" is not one of this server's own addresses ` +
    '(a web page may be trying to reach Switchboard through DNS rebinding).\n' +
    `If you opened this address yourself, admit it with: switchboard serve --allow-host ${name}\n` +
    'or add it under Settings → Server → Allowed host names, then reload.\n'
  );
}
