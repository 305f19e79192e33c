import path from 'node:path';
import { ApprovalBroker } from './approvals/approval-broker';
import { approvalsHandlers } from './approvals/handlers';
import { jobQuestions } from './approvals/job-questions';
import { systemClock, type Clock } from './clock';
import { reviewQuestions } from './approvals/review-questions';
import { EventBus } from './events';
import { historyHandlers } from './history/handlers';
import { HistoryService } from './history/history-service';
import { TranscriptImporter } from './history/transcript-importer';
import { EmbeddingService } from './retrieval/embedding-service';
import { memoryHandlers } from './memory/handlers';
import { MemoryService } from './memory/memory-service';
import { Router, type ContractCaller } from './ipc/router';
import { splitHostList } from './config';
import { changesLine } from '../contract';
import { Lifecycle } from './lifecycle';
import { log } from './log';
import { silentNotifier, type Notifier } from './notifier';
import type { SecretStore } from './secrets/secret-store';
import { schedulesHandlers } from './scheduler/handlers';
import { SchedulerService } from './scheduler/scheduler-service';
import { RUN_FILES_PATH, runFileReader, runFilesRoute } from './scheduler/attachment-route';
import { mailHandlers } from './mail/handlers';
import { tasksHandlers } from './tasks/handlers';
import { TaskService } from './tasks/task-service';
import { MailService } from './mail/mail-service';
import { sessionsHandlers, terminalsHandlers } from './sessions/handlers';
import { LimitWaiter } from './sessions/plan-limit';
import { SessionManager } from './sessions/session-manager';
import { SessionStore } from './sessions/session-store';
import { TerminalManager } from './sessions/terminal-manager';
import { ADDRESS_FILE } from './server/address-file';
import { LoopbackServer } from './server/loopback-server';
import { TokenStore } from './server/tokens';
import { settingsHandlers } from './settings/handlers';
import { SettingsService } from './settings/settings-service';
import { StorageService } from './storage/storage-service';
import type { ChatAdapter } from './surfaces/chat/adapter';
import { ChatBridge } from './surfaces/chat/chat-bridge';
import { chatHandlers } from './surfaces/chat/handlers';
import { usageHandlers } from './usage/handlers';
import { UsageService } from './usage/usage-service';
import { ClaudeCodeConnector } from './hooks/claude-code-connector';
import { hooksHandlers } from './hooks/handlers';
import { HooksService } from './hooks/hooks-service';
import { inboxHandlers } from './inbox/handlers';
import { pushHandlers } from './push/handlers';
import { PushService } from './push/push-service';
import { PUSH_KINDS } from '../contract';
import type https from 'node:https';
import { InboxService } from './inbox/inbox-service';
import { MCP_PATH, McpService } from './mcp/mcp-service';
import { userHandlers } from './user/handlers';
import { tools } from './tools/registry';
import { UserService } from './user/user-service';
import { systemHandlers } from './system/handlers';
import { SystemService, type AppInfo } from './system/system-service';
import { changesHandlers, sessionInWorktree } from './worktrees/handlers';
import { WorktreeService } from './worktrees/worktree-service';

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
  /** The bundled git worker (dist/main/git-worker.cjs); without it worktrees spawn git from the main thread. */
  gitWorker?: string | null;
  /** The bundled search worker (dist/main/search-worker.cjs); without it history searches run in-thread. */
  searchWorker?: string | null;
  /** The loopback server; none in tests that only need the services. */
  server?: ServerConfig;
  /** Test hook: the scheduler's clock, to simulate downtime. */
  now?: () => number;
  /** Test hook: the clock a wait for the plan's limit to reset runs on (the real one otherwise). */
  clock?: Clock;
  /** Test hook: how Web Push reaches the push service (a stand-in's certificate trusted). */
  pushAgent?: https.Agent;
  /** Test hook: free memory in MB as the capacity check sees it. */
  freeMemoryMb?: () => number;
  /** A warm spare CLI for the next new session (default on; the tests' core turns it off unless a test asks). */
  warmSpare?: boolean;
  /** The app's resources folder (the Claude Code plugin's files); null when this build has none. */
  resourcesDir?: string | null;
  /** Test hook: the Telegram adapter (the real one, with a stand-in's address, unless replaced). */
  telegramAdapter?: (token: string, apiRoot: string) => ChatAdapter;
  /** Test hook: the Discord adapter (the real one, with a stand-in's address, unless replaced). */
  discordAdapter?: (token: string, apiRoot: string) => ChatAdapter;
  /** Test hook: edits per chat at most this often (Telegram's 1 s otherwise). */
  chatEditIntervalMs?: number;
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
  readonly worktrees: WorktreeService;
  readonly embeddings: EmbeddingService;
  readonly history: HistoryService;
  readonly memory: MemoryService;
  readonly transcripts: TranscriptImporter;
  readonly scheduler: SchedulerService;
  readonly tasks: TaskService;
  readonly usage: UsageService;
  readonly telegram: ChatBridge;
  readonly discord: ChatBridge;
  readonly mcp: McpService;
  readonly hooks: HooksService;
  readonly inbox: InboxService;
  readonly push: PushService;
  /** Turns waiting for the plan's limit to reset. */
  readonly limitWaiter: LimitWaiter;
  readonly claudeCode: ClaudeCodeConnector;
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
  const usage: UsageService = new UsageService({
    storage,
    settings,
    events,
    // Its alerts are inbox items too.
    notifier: {
      notify: (n) => {
        notifier.notify(n);
        inbox.record({ key: `usage:${Date.now()}:${n.title}`, kind: 'usage_alert', source: 'usage', title: n.title, text: n.body, link: n.link ?? '#/usage' });
      },
    },
    dataDir: config.dataDir,
    now: config.now,
    processes: () => sessions.list().flatMap((s) => (s.pid ? [{ sessionId: s.id, title: s.title, pid: s.pid }] : [])),
  });
  const sessions: SessionManager = new SessionManager({
    storage,
    events,
    settings,
    approvals,
    notifier,
    dataDir: config.dataDir,
    env,
    freeMemoryMb: config.freeMemoryMb,
    warmSpare: config.warmSpare,
    activeElsewhere: (claudeSessionId) => transcripts.activeElsewhere(claudeSessionId),
    catchUpTranscript: (claudeSessionId) => transcripts.catchUp(claudeSessionId),
    mcpServer: () => (server?.address ? { url: `http://127.0.0.1:${server.address.port}${MCP_PATH}`, token: tokens.get('mcp') } : null),
    gate: (surface) => usage.gate(surface),
    onRateLimit: (info) => usage.observeRateLimit(info),
    limitWait: { wait: (id, text) => limitWaiter.wait(id, text), forget: (id) => limitWaiter.forget(id) },
    worktreeOf: (id) => worktrees.info(id),
    turnGate: (id) => worktrees.turnGate(id),
  });
  const clock = config.clock ?? systemClock;
  // One wait per reset: an inbox item per waiting session (their state says it), one note for all of them.
  let limitEpisode: string | null = null;
  const limitWaiter: LimitWaiter = new LimitWaiter({
    clock,
    enabled: () => settings.get('sessions.continueAfterLimit'),
    planReset: () => {
      const now = clock.now();
      const { fiveHour, week } = usage.windows();
      const known = [fiveHour, week].filter((w) => w.source === 'plan' && w.resetsAt && w.resetsAt > now);
      // The window the plan says is spent, else the soonest the plan names.
      const spent = known.filter((w) => w.status === 'rejected' || (w.percent ?? 0) >= 100);
      return Math.max(...(spent.length ? spent : known.slice(0, 1)).map((w) => w.resetsAt!), 0) || null;
    },
    continueSession: (id) => sessions.continueAfterLimit(id),
    releaseHeld: () => scheduler.releaseHeld(),
    onWait: ({ until, sessionIds }) => {
      const first = !limitEpisode;
      limitEpisode ??= `limit:${clock.now()}`;
      const at = new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      for (const id of sessionIds) {
        const title = tryGet(() => sessions.get(id).title) ?? 'A session';
        inbox.record({ key: `${limitEpisode}:${id}`, kind: 'limit_wait', source: 'sessions', sessionId: id, title: `Waiting for the plan’s limit to reset at ${at}`, text: `${title} carries on by itself then.`, link: `#/sessions/${id}`, until });
      }
      if (first) notifier.notify({ title: `Claude’s plan limit is reached until ${at}`, body: 'Waiting sessions carry on by themselves after the reset; held jobs run after them.', link: '#/inbox' });
    },
    onReset: ({ sessionIds }) => {
      for (const id of sessionIds) if (limitEpisode) inbox.settle(`${limitEpisode}:${id}`, 'The limit reset: it carried on.');
      limitEpisode = null;
    },
    onLeave: (id) => {
      if (limitEpisode) inbox.settle(`${limitEpisode}:${id}`, 'Interrupted: it no longer waits for the reset.');
      if (limitWaiter.holdUntil() === null) limitEpisode = null;
    },
  });
  const worktrees: WorktreeService = new WorktreeService({
    storage,
    events,
    dataDir: config.dataDir,
    env,
    gitWorker: config.gitWorker ?? null,
    session: (id) => {
      try {
        const { title, status } = sessions.get(id);
        return { title, status };
      } catch {
        return null;
      }
    },
  });
  const terminals = new TerminalManager({
    events,
    settings,
    env,
    sessionFolder: (id) => sessions.get(id).cwd,
    claudeSession: { take: (id) => sessions.handToTerminal(id), release: (id) => void sessions.takeBackFromTerminal(id).catch((error: unknown) => log.error('sessions: taking a session back from its terminal failed', error)), started: (id, pid) => sessions.terminalStarted(id, pid) },
  });
  const embeddings = new EmbeddingService({ storage, events, settings, secrets: config.secrets, workerScript: config.embedWorker ?? null });
  const sessionStore = new SessionStore(storage);
  const history = new HistoryService({ storage, embeddings, store: sessionStore, dataDir: config.dataDir, searchWorker: config.searchWorker ?? null });
  const memory = new MemoryService({ storage, events, settings, embeddings });
  const transcripts = new TranscriptImporter({
    storage,
    events,
    embeddings,
    history,
    store: sessionStore,
    usage,
    env,
    announce: (id) => events.emit('sessions.changed', sessions.get(id)),
    inTerminal: (claudeSessionId) => sessions.inTerminal(claudeSessionId),
  });
  const windowUrl = () => (server?.address && config.server?.staticDir ? `http://127.0.0.1:${server.address.port}/` : null);
  const mail = new MailService({ settings, secrets: config.secrets, files: { dataDir: config.dataDir, env }, link: (hash) => (windowUrl() ? `${windowUrl()}${hash}` : null) });
  const scheduler: SchedulerService = new SchedulerService({
    storage,
    events,
    sessions,
    settings,
    notifier,
    env,
    now: config.now,
    // While turns wait for the plan's limit to reset, jobs due are held until then (and run after those turns).
    hold: () => {
      const until = limitWaiter.holdUntil();
      if (until) return { reason: `the plan’s usage limit is reached; it resets at ${new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`, until };
      return usage.hold();
    },
    approvals: jobQuestions(approvals),
    // A template's memory and history sources search as the window does.
    templates: {
      memories: async (query, limit) => (await memory.search(query, undefined, limit)).hits.map((h) => `${h.memory.text} (${h.memory.category})`),
      history: async (query, limit) =>
        (await history.search(query, {}, limit)).hits.map((h) => `${new Date(h.createdAt).toISOString().slice(0, 16).replace('T', ' ')} · ${h.sessionTitle} · ${h.role}: ${h.snippet}`),
    },
    worktreeSession: (input) => sessionInWorktree({ worktrees, env, sessions }, { ...input, surface: 'schedule' }),
    changesLine: async (id) => {
      const c = await worktrees.changes(id, { limit: 1 });
      return c.totalFiles ? `${changesLine(c)} on ${c.branch} (from ${c.baseBranch})` : null;
    },
    // A run's result and files to the chats and mail the job names; each says whether it took them.
    deliver: async (delivery) => {
      const went = await Promise.all([
        telegram.deliverRun(delivery).then((ok) => (ok ? ['Telegram'] : [])),
        discord.deliverRun(delivery).then((ok) => (ok ? ['Discord'] : [])),
        mail.deliverRun(delivery).then((ok) => (ok ? [`email (${delivery.job.delivery.email.join(', ')})`] : [])),
      ]);
      return went.flat();
    },
  });
  // Background tasks keep their files beside the runs'.
  const tasks = new TaskService({ sessions, events, notifier, outputRoot: () => scheduler.outputRoot() });
  // A run's or a task's folder and files, by its id: what the download route and runFile serve.
  const runFiles = (id: string) => scheduler.run(id) ?? tasks.files(id);
  const user = new UserService({
    events,
    notifier,
    approvals,
    files: { dataDir: config.dataDir, env },
    noteSurfaces: () => [
      ...(config.notifier ? ['desktop'] : []),
      ...(server && server.windows() > 0 ? ['browser'] : []),
      ...(telegram.takesNotes() ? ['telegram'] : []),
      ...(discord.takesNotes() ? ['discord'] : []),
    ],
  });
  lifecycle.add(storage);
  lifecycle.add(settings);
  lifecycle.add(usage);
  lifecycle.add(system);
  lifecycle.add(approvals);
  lifecycle.add(sessions);
  lifecycle.add(worktrees);
  lifecycle.add(terminals);
  lifecycle.add(embeddings);
  lifecycle.add(history);
  lifecycle.add(memory);
  lifecycle.add(scheduler);
  lifecycle.add(tasks);
  lifecycle.add(user);
  lifecycle.add(mail);
  const inbox: InboxService = new InboxService({
    storage,
    events,
    settings,
    now: config.now,
    lookups: {
      approval: (id) => tryGet(() => approvals.get(id)),
      sessionOf: (claudeSessionId) => sessionStore.ownerOfClaudeSession(claudeSessionId)?.id ?? null,
      sessionTitle: (id) => tryGet(() => sessions.get(id).title),
      jobName: (id) => tryGet(() => scheduler.get(id).name),
    },
  });
  // After the broker (whose questions it checks at start), before the surfaces.
  lifecycle.add(inbox);
  const push = new PushService({ storage, secrets: config.secrets, agent: config.pushAgent });
  lifecycle.add(push);
  // What needs the user goes to the phone too; a wait for the plan's limit once, not once per session.
  let limitPushed: string | null = null;
  inbox.onAdded((item) => {
    if (!PUSH_KINDS.includes(item.kind)) return;
    if (item.kind === 'limit_wait') {
      if (limitPushed === limitEpisode) return;
      limitPushed = limitEpisode;
    }
    void push.deliver(item).catch((error: unknown) => log.error('push: an item could not be sent', error));
  });
  // Reading outside transcripts is a convenience: a failure is reported, not fatal.
  lifecycle.add(transcripts, { required: false });
  // Surfaces call the contract like any client; the router is built below, so they reach it through a function.
  const contract: ContractCaller = { call: (method, input, ctx) => router.call(method, input, ctx) };
  const bridgeDeps = {
    storage,
    events,
    router: contract,
    settings,
    secrets: config.secrets,
    windowUrl,
    editIntervalMs: config.chatEditIntervalMs,
    files: { dataDir: config.dataDir, env },
  };
  const telegram: ChatBridge = new ChatBridge({
    ...bridgeDeps,
    surface: 'telegram',
    // The chat libraries load when a bot connects: an app without bots does not carry them.
    createAdapter: config.telegramAdapter ?? (async (token, apiRoot) => new (await import('./surfaces/telegram/telegram-adapter')).TelegramAdapter({ token, apiRoot })),
    envToken: env.SWITCHBOARD_TELEGRAM_TOKEN || null,
    envApiRoot: env.SWITCHBOARD_TELEGRAM_API_ROOT || null,
  });
  const discord: ChatBridge = new ChatBridge({
    ...bridgeDeps,
    surface: 'discord',
    createAdapter: config.discordAdapter ?? (async (token, apiRoot) => new (await import('./surfaces/discord/discord-adapter')).DiscordAdapter({ token, apiRoot })),
    envToken: env.SWITCHBOARD_DISCORD_TOKEN || null,
    envApiRoot: env.SWITCHBOARD_DISCORD_API_ROOT || null,
    channelsOptIn: true,
  });
  // A bot that cannot connect says so in Settings; the app goes on.
  lifecycle.add(telegram, { required: false });
  lifecycle.add(discord, { required: false });

  const tokens = new TokenStore(config.secrets);
  const hooks = new HooksService({
    server: null,
    approvals,
    router: contract,
    events,
    notifier,
    settings,
    store: sessionStore,
    onQuestion: (approvalId, claudeSessionId) => {
      const sessionId = sessionStore.ownerOfClaudeSession(claudeSessionId)?.id;
      if (sessionId) inbox.linkSession(`approval:${approvalId}`, sessionId);
    },
  });
  const connector = new ClaudeCodeConnector({
    dataDir: config.dataDir,
    resourcesDir: config.resourcesDir ?? null,
    env,
    settings,
    port: () => server?.address?.port ?? null,
    tokens: () => ({ mcp: tokens.get('mcp'), hooks: tokens.get('hooks') }),
    readOnlyTools: () => tools.filter((t) => t.hints.readOnlyHint).map((t) => t.name),
  });
  const systemCalls = systemHandlers(system, tokens);
  const router: Router = new Router({
    ...systemCalls,
    'system.rotateToken': async (input, ctx) => {
      const rotated = await systemCalls['system.rotateToken'](input, ctx);
      // A plugin Connect installed gets the new token at once: its hooks and tools would fail silently otherwise.
      if (input.scope === 'mcp' || input.scope === 'hooks') {
        await connector.refresh().catch((error: unknown) => {
          const id = log.error('claudeCode: the rotated token did not reach the installed plugin', error);
          notifier.notify({ title: 'Switchboard could not update Claude Code', body: `The new ${input.scope} token did not reach the Switchboard plugin (error ${id}). Settings → Claude Code → Reconnect.` });
        });
      }
      return rotated;
    },
    ...settingsHandlers(settings),
    ...sessionsHandlers(sessions),
    ...changesHandlers({ worktrees, env, sessions, ask: reviewQuestions(approvals).ask }),
    ...terminalsHandlers(terminals),
    ...approvalsHandlers(approvals),
    ...historyHandlers(history, transcripts),
    ...memoryHandlers(memory, embeddings),
    ...schedulesHandlers(scheduler, runFileReader(runFiles, { dataDir: config.dataDir, env })),
    ...chatHandlers({ telegram, discord }, config.secrets),
    ...userHandlers(user),
    ...hooksHandlers(hooks, connector),
    ...usageHandlers(usage),
    ...mailHandlers(mail),
    ...inboxHandlers(inbox),
    ...pushHandlers(push),
    ...tasksHandlers(tasks),
  });

  // Last to start, first to stop: it takes calls only while every service runs.
  const serverToken = config.server ? tokens.get('ui') : null;
  // The MCP and hooks tokens exist from the first start, so `switchboard mcp` and the Claude Code plugin can find them.
  if (config.server) {
    tokens.get('mcp');
    tokens.get('hooks');
  }
  const server = config.server
    ? new LoopbackServer({
        host: config.server.host,
        port: config.server.port,
        tokens,
        router,
        events,
        staticDir: config.server.staticDir,
        allowedHosts: () => [...config.server!.allowHosts, ...splitHostList(settings.get('server.allowedHosts'))],
        addressFile: path.join(config.dataDir, ADDRESS_FILE),
      })
    : null;
  // A run's (or a background task's) files, downloaded in the window with the UI token.
  server?.route({ prefix: RUN_FILES_PATH, scope: 'ui', handle: runFilesRoute(runFiles, { dataDir: config.dataDir, env }) });
  // The MCP server registers its route before the server takes calls.
  const mcp = new McpService({ server, router: contract });
  lifecycle.add(mcp);
  hooks.attach(server);
  lifecycle.add(hooks);
  lifecycle.add(connector, { required: false });
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
    worktrees,
    embeddings,
    history,
    memory,
    transcripts,
    scheduler,
    tasks,
    usage,
    telegram,
    discord,
    mcp,
    hooks,
    inbox,
    push,
    limitWaiter,
    claudeCode: connector,
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}

/** A lookup that names something gone (deleted since) answers null instead of throwing. */
function tryGet<T>(get: () => T): T | null {
  try {
    return get();
  } catch {
    return null;
  }
}
