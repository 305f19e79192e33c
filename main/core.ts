import { ApprovalBroker } from './approvals/approval-broker';
import { EventBus } from './events';
import { HistoryService } from './history/history-service';
import { TranscriptImporter } from './history/transcript-importer';
import { EmbeddingService, OPENAI_KEY_SECRET } from './memory/embedding-service';
import { MemoryService } from './memory/memory-service';
import { Router } from './ipc/router';
import { splitHostList } from './config';
import { Lifecycle } from './lifecycle';
import { log } from './log';
import { silentNotifier, type Notifier } from './notifier';
import type { SecretStore } from './secrets/secret-store';
import { nextRuns } from './scheduler/cron';
import { SchedulerService } from './scheduler/scheduler-service';
import { SessionManager } from './sessions/session-manager';
import { SessionStore } from './sessions/session-store';
import { TerminalManager } from './sessions/terminal-manager';
import { LoopbackServer } from './server/loopback-server';
import { TokenStore } from './server/tokens';
import { SettingsService } from './settings/settings-service';
import { StorageService } from './storage/storage-service';
import { SystemService, type AppInfo } from './system/system-service';

/** The loopback server both shells start: where it listens, the names it answers to, the UI files (headless). */
export interface ServerConfig {
  host: string;
  port: number;
  /** `--allow-host` names; the *Allowed host names* setting adds to them. */
  allowHosts: string[];
  /** The built renderer to serve (headless); null in the desktop app, whose window is its own. */
  staticDir: string | null;
  /** Whether the core stops when the server cannot start (headless) or goes on without it (desktop). */
  required: boolean;
}

export interface CoreConfig {
  dataDir: string;
  app: AppInfo;
  /** What the shell provides: safeStorage in Electron, a 0600 file headless. */
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** Desktop notifications from the shell; none headless. */
  notifier?: Notifier;
  /** The bundled embedding worker (dist/main/embed-worker.cjs); without it embedding runs in-thread. */
  embedWorker?: string | null;
  /** The bundled integrity-check worker (dist/main/integrity-worker.cjs); without it the background check runs in-thread. */
  integrityWorker?: string | null;
  /** The bundled checkpoint worker (dist/main/checkpoint-worker.cjs); without it SQLite checkpoints in-thread. */
  checkpointWorker?: string | null;
  /** The loopback server; none in tests that only need the services. */
  server?: ServerConfig;
  /** Test hook: the scheduler's clock, to simulate downtime. */
  now?: () => number;
  /** Test hook: free memory in MB as the capacity check sees it. */
  freeMemoryMb?: () => number;
}

export interface Core {
  readonly config: CoreConfig;
  readonly events: EventBus;
  readonly router: Router;
  readonly lifecycle: Lifecycle;
  readonly storage: StorageService;
  readonly settings: SettingsService;
  readonly system: SystemService;
  readonly approvals: ApprovalBroker;
  readonly sessions: SessionManager;
  readonly terminals: TerminalManager;
  readonly embeddings: EmbeddingService;
  readonly history: HistoryService;
  readonly memory: MemoryService;
  readonly transcripts: TranscriptImporter;
  readonly scheduler: SchedulerService;
  /** The loopback server, when the config asked for one. */
  readonly server: LoopbackServer | null;
  /** The UI token (everything the window can do), when there is a server. */
  readonly serverToken: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The composition root: every service is built here, handed its dependencies, and started in order. */
export function createCore(config: CoreConfig): Core {
  const env = config.env ?? process.env;
  const events = new EventBus();
  const lifecycle = new Lifecycle();
  const storage = new StorageService(config.dataDir, {
    integrityWorker: config.integrityWorker,
    checkpointWorker: config.checkpointWorker,
    onCorrupt: (detail) =>
      notifier.notify({
        title: 'Switchboard stopped writing its database',
        body: `The database failed its integrity check: ${detail}. Nothing more is written to it. Quit, restore a backup or move the file aside, then start again.`,
      }),
  });
  const settings = new SettingsService(storage, events);
  const system = new SystemService({
    app: config.app,
    dataDir: config.dataDir,
    env,
    storage,
    settings,
    statuses: () => lifecycle.statuses(),
  });
  // Every notification also goes out as an event, so a browser window (headless) can show it.
  const shellNotifier = config.notifier ?? silentNotifier;
  const notifier: Notifier = {
    notify: (n) => {
      shellNotifier.notify(n);
      events.emit('system.notification', { ...n, at: Date.now() });
    },
  };
  const approvals = new ApprovalBroker({ storage, events, settings, notifier });
  const sessions = new SessionManager({
    storage,
    events,
    settings,
    approvals,
    notifier,
    dataDir: config.dataDir,
    env,
    freeMemoryMb: config.freeMemoryMb,
    activeElsewhere: (claudeSessionId) => transcripts.activeElsewhere(claudeSessionId),
  });
  const terminals = new TerminalManager({
    events,
    settings,
    env,
    sessionFolder: (id) => sessions.get(id).cwd,
    claudeSession: { take: (id) => sessions.handToTerminal(id), release: (id) => sessions.takeBackFromTerminal(id) },
  });
  const embeddings = new EmbeddingService({ storage, events, settings, secrets: config.secrets, workerScript: config.embedWorker ?? null });
  const history = new HistoryService({ storage, embeddings, store: new SessionStore(storage) });
  const memory = new MemoryService({ storage, events, settings, embeddings });
  const transcripts = new TranscriptImporter({ storage, events, embeddings, history, env, announce: (id) => events.emit('sessions.changed', sessions.get(id)) });
  const scheduler = new SchedulerService({ storage, events, sessions, settings, notifier, env, now: config.now });
  lifecycle.add(storage);
  lifecycle.add(settings);
  lifecycle.add(system);
  lifecycle.add(approvals);
  lifecycle.add(sessions);
  lifecycle.add(terminals);
  lifecycle.add(embeddings);
  lifecycle.add(history);
  lifecycle.add(memory);
  lifecycle.add(scheduler);
  // Reading outside transcripts is a convenience: a failure is reported, not fatal.
  lifecycle.add(transcripts, { required: false });

  const tokens = new TokenStore(config.secrets);
  const router = new Router({
    'system.health': () => system.health(),
    'system.tokens': () => [
      { scope: 'ui', reaches: 'Everything: this window, browsers with the login address, scripts calling /api', heldBy: [] },
      { scope: 'mcp', reaches: 'Only the MCP server (/mcp), for Claude Code and other MCP clients', heldBy: [] },
      { scope: 'hooks', reaches: "Only Claude Code's hooks (/hooks), for sessions started in a terminal", heldBy: [] },
    ],
    'system.rotateToken': ({ scope }) => ({ scope, token: tokens.rotate(scope) }),
    'system.reportError': ({ where, message, stack }, ctx) => ({ id: log.error(`the window failed in ${where}`, undefined, { error: message, stack, surface: ctx.surface }) }),
    'settings.get': ({ key }) => settings.get(key),
    'settings.set': (change) => settings.set(change),
    'settings.list': () => settings.list(),
    'sessions.list': () => sessions.list(),
    'sessions.create': (input, ctx) => sessions.create({ ...input, surface: ctx.surface }),
    'sessions.update': (input) => sessions.update(input),
    'sessions.transcript': ({ id, limit }) => sessions.transcript(id, limit),
    'sessions.send': ({ id, text, interrupt }, ctx) => sessions.send(id, text, ctx.surface, { interrupt }),
    'sessions.ask': (input, ctx) => sessions.ask(input, ctx.surface),
    'sessions.turn': ({ turnId }) => sessions.turn(turnId),
    'sessions.folders': () => sessions.folders(),
    'sessions.editQueued': ({ turnId, text }) => sessions.editQueued(turnId, text),
    'sessions.removeQueued': ({ turnId }) => sessions.removeQueued(turnId),
    'sessions.interrupt': async ({ id }) => ({ interrupted: await sessions.interrupt(id) }),
    'sessions.reset': ({ id }) => sessions.reset(id),
    'sessions.delete': async ({ id }) => {
      await sessions.delete(id);
      return { deleted: true as const };
    },
    'approvals.list': ({ status, limit }) => approvals.list(status, limit),
    'approvals.answer': ({ id, ...reply }, ctx) => approvals.answer(id, reply, { by: 'user', via: ctx.surface }),
    'approvals.rules': () => approvals.rules(),
    'approvals.removeRule': ({ id }) => ({ removed: approvals.removeRule(id) }),
    'terminals.list': () => terminals.list(),
    'terminals.open': (input) => terminals.open(input),
    'terminals.attach': ({ id }) => terminals.attach(id),
    'terminals.ack': ({ id, viewer, offset }) => terminals.ack(id, viewer, offset),
    'terminals.detach': ({ id, viewer }) => ({ detached: terminals.detach(id, viewer) }),
    'terminals.write': ({ id, data }) => ({ written: terminals.write(id, data) }),
    'terminals.resize': ({ id, cols, rows }) => terminals.resize(id, cols, rows),
    'terminals.close': ({ id }) => ({ closed: terminals.close(id) }),
    'history.search': ({ query, filters, limit }) => history.search(query, filters, limit),
    'history.conversations': () => history.conversations(),
    'history.messages': ({ sessionId }) => history.messages(sessionId),
    'history.import': () => transcripts.importAll(),
    'history.importStatus': () => transcripts.status(),
    'memory.list': (input) => memory.list(input),
    'memory.search': ({ query, category, limit }) => memory.search(query, category, limit),
    'memory.add': (input) => memory.add(input),
    'memory.update': ({ id, ...patch }) => memory.update(id, patch),
    'memory.delete': ({ id }) => ({ deleted: memory.delete(id) }),
    'memory.restore': ({ memory: m }) => memory.restore(m),
    'memory.versions': ({ id }) => memory.versions(id),
    'memory.export': () => memory.export(),
    'memory.import': ({ data }) =>
      memory.import(data.memories.map((m) => ({ text: m.text, category: m.category, tags: m.tags, source: m.source }))),
    'memory.indexStatus': () => embeddings.status(),
    'schedules.list': () => scheduler.list(),
    'schedules.create': (input) => scheduler.create(input),
    'schedules.update': ({ id, ...patch }) => scheduler.update(id, patch),
    'schedules.delete': ({ id }) => {
      scheduler.delete(id);
      return { deleted: true as const };
    },
    'schedules.preview': ({ cron, timeZone, count }) => ({ runs: nextRuns(cron, timeZone, new Date(), count).map((d) => d.getTime()) }),
    'schedules.runNow': ({ id }) => scheduler.runNow(id),
    'schedules.cancel': ({ id }) => ({ cancelled: scheduler.cancel(id) }),
    'schedules.runs': ({ id, limit }) => scheduler.runs(id, limit),
    'memory.setEmbeddingKey': ({ key }) => {
      if (key) config.secrets.set(OPENAI_KEY_SECRET, key);
      else config.secrets.delete(OPENAI_KEY_SECRET);
      // The provider reads the key when it is built: rebuild it if it is the one in use.
      if (settings.get('embeddings.provider') === 'openai') settings.set({ key: 'embeddings.provider', value: 'openai' });
      return { stored: key !== null };
    },
  });

  // Last to start, first to stop: it takes calls only while every service runs.
  const serverToken = config.server ? tokens.get('ui') : null;
  const server = config.server
    ? new LoopbackServer({
        host: config.server.host,
        port: config.server.port,
        tokens,
        router,
        events,
        staticDir: config.server.staticDir,
        allowedHosts: () => [...config.server!.allowHosts, ...splitHostList(settings.get('server.allowedHosts'))],
      })
    : null;
  if (server) lifecycle.add(server, { required: config.server!.required });

  return {
    config,
    events,
    router,
    server,
    serverToken,
    lifecycle,
    storage,
    settings,
    system,
    approvals,
    sessions,
    terminals,
    embeddings,
    history,
    memory,
    transcripts,
    scheduler,
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}
