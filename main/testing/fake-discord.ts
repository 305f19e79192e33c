import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkUntil } from './wait';

/** One REST call the bot made, as the stand-in received it. */
export interface DiscordCall {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  status: number;
  at: number;
}

export interface DiscordUser {
  id: string;
  username: string;
  global_name?: string;
}

export interface FakeChannel {
  id: string;
  name: string;
  /** 0 text, 1 DM, 11 public thread. */
  type: 0 | 1 | 11;
  guildId?: string;
  parentId?: string;
  /** The bot's role may not send here (Missing Permissions). */
  denySend?: boolean;
}

/** A message in a channel as the stand-in keeps it: the bot's, with its edits, or a user's. */
export interface DiscordMessage {
  id: string;
  channel_id: string;
  from_bot: boolean;
  author: DiscordUser;
  content: string;
  /** Every content the message had, first to last (a streamed reply's edits). */
  versions: string[];
  components: { type: 1; components: { type: 2; label: string; custom_id: string; style: number }[] }[];
  files: { name: string; content: Buffer }[];
  /** The answer to a slash command (the deferred "thinking" reply, then its text). */
  interactionReply?: boolean;
}

type Json = Record<string, unknown>;

const MESSAGE_CONTENT_INTENT = 1 << 15;

/**
 * A loopback stand-in for Discord that discord.js's own client talks to: REST routes for messages,
 * edits, typing, interactions and commands under `/api/v10`, and a gateway WebSocket speaking HELLO,
 * IDENTIFY, READY, heartbeats and dispatches (GUILD_CREATE, MESSAGE_CREATE, INTERACTION_CREATE,
 * THREAD_CREATE). Every REST call is recorded; 429 with `retry_after` on demand. Tests play the people
 * (`send`, `slash`, `press`, `thread`) and the weather (`rateLimit`, `denyMessageContent`).
 */
export class FakeDiscord {
  readonly token = 'ODk5.fake-discord-token.for-tests-only';
  readonly bot: DiscordUser & { discriminator: string; bot: true } = { id: '900000000000000001', username: 'Switchboard', discriminator: '4821', bot: true };
  readonly guild = { id: '910000000000000001', name: 'Team Kite' };
  readonly channels = new Map<string, FakeChannel>();
  readonly calls: DiscordCall[] = [];
  readonly messages: DiscordMessage[] = [];
  /** Slash commands registered, by guild. */
  readonly commands = new Map<string, Json[]>();
  /** Whether the application may use the Message Content intent (a privileged intent, off until enabled in the portal). */
  messageContentAllowed = true;
  url = '';
  private readonly server: http.Server;
  private readonly gateway = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private seq = 0;
  private nextId = 1n;
  private readonly waiters = new Set<() => void>();
  private readonly files = new Map<string, Buffer>();
  private readonly interactions = new Map<string, { channelId: string; replyId: string | null }>();
  private failures: { route: RegExp; status: number; retryAfter: number; left: number; body: Json }[] = [];

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) return socket.destroy();
      this.gateway.handleUpgrade(req, socket, head, (ws) => this.connection(ws));
    });
    this.addChannel({ name: 'general' });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A snowflake: digits, increasing, like Discord's. */
  id(): string {
    return String(1_000_000_000_000_000_000n + this.nextId++);
  }

  addChannel(channel: Partial<FakeChannel> & { name: string }): FakeChannel {
    const made: FakeChannel = { id: this.id(), type: 0, guildId: this.guild.id, ...channel };
    this.channels.set(made.id, made);
    return made;
  }

  channelByName(name: string): FakeChannel {
    const found = [...this.channels.values()].find((c) => c.name === name);
    if (!found) throw new Error(`no channel #${name}`);
    return found;
  }

  // ── people ──────────────────────────────────────────────────────────────────────────────────────

  /** A user writes in a channel (a guild channel, a thread, or their DM with the bot). */
  send(user: DiscordUser, channelId: string, content: string, options: { mention?: boolean; files?: { name: string; content: Buffer; type?: string }[] } = {}): DiscordMessage {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId}`);
    const text = options.mention ? `<@${this.bot.id}> ${content}` : content;
    const message = this.keep({ channel_id: channelId, from_bot: false, author: user, content: text, components: [], files: [] });
    const attachments = (options.files ?? []).map((f) => {
      const id = this.id();
      this.files.set(id, f.content);
      return { id, filename: f.name, size: f.content.length, url: `${this.url.replace(/\/api$/, '')}/files/${id}/${f.name}`, proxy_url: '', content_type: f.type ?? 'application/octet-stream' };
    });
    this.dispatch('MESSAGE_CREATE', {
      ...this.messageJson(message),
      channel_type: channel.type,
      ...(channel.guildId ? { guild_id: channel.guildId, member: this.member() } : {}),
      mentions: options.mention ? [this.userJson(this.bot)] : [],
      attachments,
    });
    return message;
  }

  /** The user's private channel with the bot. */
  dm(user: DiscordUser): FakeChannel {
    const existing = [...this.channels.values()].find((c) => c.type === 1 && c.name === `dm-${user.id}`);
    return existing ?? this.addChannel({ name: `dm-${user.id}`, type: 1, guildId: undefined });
  }

  /** A user starts a thread from a message (or on its own) in a channel. */
  thread(user: DiscordUser, parentId: string, name: string): FakeChannel {
    const parent = this.channels.get(parentId)!;
    const thread = this.addChannel({ name, type: 11, guildId: parent.guildId, parentId });
    this.dispatch('THREAD_CREATE', { ...this.channelJson(thread), owner_id: user.id, newly_created: true });
    return thread;
  }

  /** A user runs a slash command; resolves with the interaction's id. */
  slash(user: DiscordUser, channelId: string, name: string, options: Record<string, string> = {}, permissions = '8'): string {
    const id = this.id();
    this.interactions.set(id, { channelId, replyId: null });
    this.dispatch('INTERACTION_CREATE', {
      ...this.interactionBase(id, user, channelId, permissions),
      type: 2,
      data: { id: this.id(), name, type: 1, options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })) },
    });
    return id;
  }

  /** A user presses a button under one of the bot's messages. */
  press(user: DiscordUser, messageId: string, customId: string): string {
    const message = this.messages.find((m) => m.id === messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    const id = this.id();
    this.interactions.set(id, { channelId: message.channel_id, replyId: null });
    this.dispatch('INTERACTION_CREATE', {
      ...this.interactionBase(id, user, message.channel_id, '8'),
      type: 3,
      data: { custom_id: customId, component_type: 2 },
      message: this.messageJson(message),
    });
    return id;
  }

  // ── weather ─────────────────────────────────────────────────────────────────────────────────────

  /** The next `count` calls whose `METHOD path` matches answer 429 with `retry_after` seconds. */
  rateLimit(route: RegExp, count: number, retryAfter: number): void {
    this.failures.push({ route, status: 429, retryAfter, left: count, body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false } });
  }

  // ── what the bot did ────────────────────────────────────────────────────────────────────────────

  /** The messages of a channel, oldest first. */
  in(channelId: string): DiscordMessage[] {
    return this.messages.filter((m) => m.channel_id === channelId);
  }

  /** Waits until `check` returns something truthy, re-checking on every call the bot makes. */
  until<T>(check: () => T | undefined | null | false, ms = 20_000, what = 'the bot'): Promise<T> {
    return checkUntil(this.waiters, check, ms, what);
  }

  // ── gateway ─────────────────────────────────────────────────────────────────────────────────────

  private connection(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw) => {
      let payload: { op: number; d: Json | number | null };
      try {
        payload = JSON.parse(String(raw));
      } catch {
        return ws.close(4002, 'Decode error');
      }
      if (payload.op === 1) return ws.send(JSON.stringify({ op: 11 }));
      if (payload.op === 6) return ws.send(JSON.stringify({ op: 9, d: false }));
      if (payload.op !== 2) return;
      const identify = payload.d as { token: string; intents: number };
      if (identify.token.replace(/^Bot /, '') !== this.token) return ws.close(4004, 'Authentication failed.');
      if (identify.intents & MESSAGE_CONTENT_INTENT && !this.messageContentAllowed) return ws.close(4014, 'Disallowed intent(s).');
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      this.sendTo(ws, 'READY', {
        v: 10,
        user: this.userJson(this.bot),
        guilds: [{ id: this.guild.id, unavailable: true }],
        session_id: 'fake-session',
        resume_gateway_url: this.gatewayUrl(),
        application: { id: this.bot.id, flags: 0 },
      });
      this.sendTo(ws, 'GUILD_CREATE', this.guildJson());
    });
  }

  private sendTo(ws: WebSocket, t: string, d: Json): void {
    ws.send(JSON.stringify({ op: 0, t, s: ++this.seq, d }));
  }

  private dispatch(t: string, d: Json): void {
    if (!this.sockets.size) throw new Error('no bot is connected to the gateway');
    for (const ws of this.sockets) this.sendTo(ws, t, d);
  }

  private gatewayUrl(): string {
    return this.url.replace(/^http/, 'ws').replace(/\/api$/, '/gateway');
  }

  // ── REST ────────────────────────────────────────────────────────────────────────────────────────

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const file = /^\/files\/(\d+)\//.exec(url.pathname);
    if (file) return void res.writeHead(this.files.has(file[1]!) ? 200 : 404).end(this.files.get(file[1]!));
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
    const { body, files } = await this.parseBody(req, raw);
    const call: DiscordCall = { method: req.method ?? 'GET', path, body, status: 200, at: Date.now() };
    this.calls.push(call);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      if (status === 204) res.writeHead(204, headers).end();
      else res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
      for (const wake of this.waiters) wake();
    };
    const interactionCall = path.startsWith('/interactions/') || path.startsWith('/webhooks/');
    if (!interactionCall && path !== '/gateway' && req.headers.authorization !== `Bot ${this.token}`) return answer(401, { message: '401: Unauthorized', code: 0 });
    const failure = this.failures.find((f) => f.left > 0 && f.route.test(`${call.method} ${path}`));
    if (failure) {
      failure.left--;
      return answer(failure.status, failure.body, { 'retry-after': String(Math.ceil(failure.retryAfter)), 'x-ratelimit-scope': 'user', 'x-ratelimit-bucket': 'fake', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': String(failure.retryAfter) });
    }
    try {
      const [status, json] = this.route(call.method, path, body ?? {}, files);
      answer(status, json);
    } catch (error) {
      answer(500, { message: String(error), code: 0 });
    }
  }

  private async parseBody(req: http.IncomingMessage, raw: Buffer): Promise<{ body: Json | null; files: { name: string; content: Buffer }[] }> {
    if (!raw.length) return { body: null, files: [] };
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) return { body: JSON.parse(raw.toString('utf8')) as Json, files: [] };
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const files: { name: string; content: Buffer }[] = [];
    let body: Json | null = null;
    for (const [key, value] of form.entries()) {
      if (key === 'payload_json') body = JSON.parse(String(value)) as Json;
      else if (typeof value !== 'string') files.push({ name: value.name, content: Buffer.from(await value.arrayBuffer()) });
    }
    return { body, files };
  }

  private route(method: string, path: string, body: Json, files: { name: string; content: Buffer }[]): [number, unknown] {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return [200, { url: this.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } }];
    }
    if (method === 'GET' && path === '/users/@me') return [200, this.userJson(this.bot)];
    if ((m = /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/.exec(path)) && method === 'PUT') {
      const list = (body as unknown as Json[]).map((c) => ({ ...c, id: this.id(), application_id: this.bot.id, guild_id: m![2], version: '1', type: 1 }));
      this.commands.set(m[2]!, list);
      return [200, list];
    }
    if ((m = /^\/channels\/(\d+)\/typing$/.exec(path)) && method === 'POST') return [204, null];
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      const channel = this.channels.get(m[1]!);
      if (!channel) return [404, { message: 'Unknown Channel', code: 10003 }];
      if (channel.denySend) return [403, { message: 'Missing Permissions', code: 50013 }];
      const message = this.keep({ channel_id: channel.id, from_bot: true, author: this.bot, content: String(body.content ?? ''), components: (body.components as DiscordMessage['components']) ?? [], files });
      return [200, this.messageJson(message)];
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const message = this.messages.find((x) => x.id === m![2] && x.channel_id === m![1]);
      if (!message) return [404, { message: 'Unknown Message', code: 10008 }];
      return [200, this.messageJson(this.edit(message, body))];
    }
    if ((m = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      const channel = this.channels.get(m[1]!);
      return channel ? [200, this.channelJson(channel)] : [404, { message: 'Unknown Channel', code: 10003 }];
    }
    if ((m = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(path)) && method === 'POST') {
      const interaction = this.interactions.get(m[1]!);
      if (!interaction) return [404, { message: 'Unknown interaction', code: 10062 }];
      const type = body.type as number;
      const data = (body.data ?? {}) as Json;
      // 4: a reply, 5: "thinking…" to be edited later; 6 and 7 acknowledge a button (7 also edits its message).
      if ((type === 4 || type === 5) && !((data.flags as number) & 64)) {
        const reply = this.keep({ channel_id: interaction.channelId, from_bot: true, author: this.bot, content: String(data.content ?? ''), components: (data.components as DiscordMessage['components']) ?? [], files: [], interactionReply: true });
        interaction.replyId = reply.id;
      }
      return [204, null];
    }
    if ((m = /^\/webhooks\/\d+\/itoken-(\d+)\/messages\/@original$/.exec(path)) && method === 'PATCH') {
      const replyId = this.interactions.get(m[1]!)?.replyId;
      const message = replyId ? this.messages.find((x) => x.id === replyId) : undefined;
      if (!message) return [404, { message: 'Unknown Message', code: 10008 }];
      return [200, this.messageJson(this.edit(message, body))];
    }
    return [404, { message: `404: Not Found (${method} ${path})`, code: 0 }];
  }

  private edit(message: DiscordMessage, body: Json): DiscordMessage {
    if (typeof body.content === 'string') {
      message.content = body.content;
      message.versions.push(body.content);
    }
    if (Array.isArray(body.components)) message.components = body.components as DiscordMessage['components'];
    return message;
  }

  private keep(fields: Omit<DiscordMessage, 'id' | 'versions'>): DiscordMessage {
    const message: DiscordMessage = { id: this.id(), versions: fields.content ? [fields.content] : [], ...fields };
    this.messages.push(message);
    return message;
  }

  // ── JSON shapes ─────────────────────────────────────────────────────────────────────────────────

  private userJson(user: DiscordUser & { discriminator?: string; bot?: boolean }): Json {
    return { id: user.id, username: user.username, global_name: user.global_name ?? null, discriminator: user.discriminator ?? '0', avatar: null, bot: user.bot ?? false };
  }

  private member(): Json {
    return { roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 };
  }

  private channelJson(c: FakeChannel): Json {
    return {
      id: c.id,
      type: c.type,
      name: c.name,
      ...(c.guildId ? { guild_id: c.guildId, position: 0, permission_overwrites: [], parent_id: c.parentId ?? null } : { recipients: [] }),
      ...(c.type === 11 ? { thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false }, owner_id: this.bot.id } : {}),
    };
  }

  private guildJson(): Json {
    return {
      id: this.guild.id,
      name: this.guild.name,
      icon: null,
      owner_id: '1',
      roles: [{ id: this.guild.id, name: '@everyone', permissions: '3072', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      emojis: [],
      stickers: [],
      features: [],
      member_count: 3,
      members: [{ ...this.member(), user: this.userJson(this.bot) }],
      channels: [...this.channels.values()].filter((c) => c.guildId === this.guild.id && c.type === 0).map((c) => this.channelJson(c)),
      // Active threads, as Discord lists them when the bot (re)connects.
      threads: [...this.channels.values()].filter((c) => c.guildId === this.guild.id && c.type === 11).map((c) => this.channelJson(c)),
      presences: [],
      voice_states: [],
      large: false,
      unavailable: false,
      joined_at: new Date(0).toISOString(),
    };
  }

  private messageJson(m: DiscordMessage): Json {
    const channel = this.channels.get(m.channel_id);
    return {
      id: m.id,
      channel_id: m.channel_id,
      ...(channel?.guildId ? { guild_id: channel.guildId } : {}),
      author: this.userJson(m.from_bot ? this.bot : m.author),
      content: m.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: m.files.map((f, i) => ({ id: `${m.id}${i}`, filename: f.name, size: f.content.length, url: '', proxy_url: '' })),
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      components: m.components,
    };
  }

  private interactionBase(id: string, user: DiscordUser, channelId: string, permissions: string): Json {
    const channel = this.channels.get(channelId)!;
    return {
      id,
      application_id: this.bot.id,
      token: `itoken-${id}`,
      version: 1,
      channel_id: channelId,
      channel: this.channelJson(channel),
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: {},
      app_permissions: '2248473465835073',
      ...(channel.guildId
        ? { guild_id: channel.guildId, guild_locale: 'en-US', member: { ...this.member(), user: this.userJson(user), permissions } }
        : { user: this.userJson(user) }),
    };
  }
}
