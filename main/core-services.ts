import { TemplateRenderer } from './scheduler/template-renderer';
import path from 'node:path';
import { ApprovalBroker } from './approvals/approval-broker';
import { jobQuestions } from './approvals/job-questions';
import { systemClock } from './clock';
import type { CoreConfig, LateParts } from './core-config';
import type { EventBus } from './events';
import { HistoryService, messageEmbeddingRows } from './history/history-service';
import { TranscriptImporter } from './history/transcript-importer';
import { EmbeddingService } from './retrieval/embedding-service';
import { MemoryService, memoryEmbeddingRows } from './memory/memory-service';
import type { Late } from './late';
import type { Lifecycle } from './lifecycle';
import { log } from './log';
import type { Notifier } from './notifier';
import { SchedulerService } from './scheduler/scheduler-service';
import { TaskService } from './tasks/task-service';
import { MailService } from './mail/mail-service';
import { LimitWaiter } from './sessions/plan-limit';
import { SessionManager } from './sessions/session-manager';
import { SessionStore } from './sessions/session-store';
import { TerminalManager } from './sessions/terminal-manager';
import { MCP_PATH } from './mcp/mcp-service';
import type { TokenStore } from './server/tokens';
import { SettingsService } from './settings/settings-service';
import { StorageService } from './storage/storage-service';
import { UsageService } from './usage/usage-service';
import { PushService } from './push/push-service';
import { PUSH_KINDS } from '../contract';
import { InboxService } from './inbox/inbox-service';
import { UserService } from './user/user-service';
import { SystemService } from './system/system-service';
import { checkSendable } from './sendable-file';
import { workFolderRefusal } from './work-folder';
import { WorktreeService } from './worktrees/worktree-service';

/** What every service is built from: the config and the base the root made first. */
export interface ServiceBase {
  config: CoreConfig;
  env: NodeJS.ProcessEnv;
  events: EventBus;
  lifecycle: Lifecycle;
  notifier: Notifier;
  tokens: TokenStore;
  late: Late<LateParts>;
}

/** The services, built and added to the lifecycle in their start order, before the surfaces. */
export type Services = ReturnType<typeof buildServices>;

/**
 * The services in dependency order: each gets what is built before it directly, and what is built after it
 * (one side of a real cycle) from `late` when called; each one another needs late is set there once built.
 */
export function buildServices({ config, env, events, lifecycle, notifier, tokens, late }: ServiceBase) {
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
  // The one store of the sessions' and turns' tables: the broker, usage, history and hooks read them through it.
  const sessionStore = new SessionStore(storage);
  const approvals = new ApprovalBroker({
    storage,
    events,
    settings,
    notifier,
    sessions: { title: (id) => sessionStore.title(id), rules: (id) => sessionStore.sessionRules(id), setRules: (id, rules) => sessionStore.setSessionRules(id, rules) },
  });
  const embeddings = new EmbeddingService({
    storage,
    events,
    settings,
    secrets: config.secrets,
    rows: { messages: messageEmbeddingRows(storage, sessionStore), memories: memoryEmbeddingRows(storage) },
    workerScript: config.embedWorker ?? null,
  });
  const history = new HistoryService({ storage, embeddings, store: sessionStore, dataDir: config.dataDir, searchWorker: config.searchWorker ?? null });
  const memory = new MemoryService({ storage, events, settings, embeddings });
  const usage = new UsageService({
    storage,
    settings,
    events,
    // Its alerts are inbox items too.
    notifier: {
      notify: (n) => {
        notifier.notify(n);
        late.get('inbox').record({ key: `usage:${Date.now()}:${n.title}`, kind: 'usage_alert', source: 'usage', title: n.title, text: n.body, link: n.link ?? '#/usage' });
      },
    },
    dataDir: config.dataDir,
    now: config.now,
    processes: () => late.get('sessions').list().flatMap((s) => (s.pid ? [{ sessionId: s.id, title: s.title, pid: s.pid }] : [])),
    // Answers counted from a transcript change the figures a window shows for that session and its turns.
    onCounted: (turns) => late.get('sessions').countedCosts(turns),
    lookups: {
      turnAt: (sessionId, at) => sessionStore.turnAt(sessionId, at),
      session: (id) => {
        const row = sessionStore.session(id);
        return row ? { title: row.title, surface: row.surface } : null;
      },
      turnPrompt: (id) => sessionStore.turnPrompt(id),
      counts: (since) => {
        const s = sessionStore.counts(since);
        const j = late.get('scheduler').counts(since);
        return { jobs: j.jobs, jobsEnabled: j.jobsEnabled, memories: memory.count(), sessions: s.sessions, turnsToday: s.turnsSince, sessionsToday: s.sessionsSince, jobRunsToday: j.runsSince };
      },
    },
  });
  const sessions = late.set(
    'sessions',
    new SessionManager({
      storage,
      store: sessionStore,
      events,
      settings,
      approvals,
      notifier,
      dataDir: config.dataDir,
      env,
      freeMemoryMb: config.freeMemoryMb,
      warmSpare: config.warmSpare,
      activeElsewhere: (claudeSessionId) => late.get('transcripts').activeElsewhere(claudeSessionId),
      catchUpTranscript: (claudeSessionId) => late.get('transcripts').catchUp(claudeSessionId),
      forgetSession: (sessionId) => {
        history.forget(sessionId);
        late.get('transcripts').forget(sessionStore.claudeSessionIds(sessionId));
      },
      mcpServer: (sessionId) => {
        const server = late.get('server');
        return server?.address ? { url: `http://127.0.0.1:${server.address.port}${MCP_PATH}`, token: tokens.sessionToken(sessionId) } : null;
      },
      gate: (surface) => usage.gate(surface),
      onRateLimit: (info) => usage.observeRateLimit(info),
      limitWait: {
        wait: (id, text, turnId) => late.get('limitWaiter').wait(id, text, turnId),
        forget: (id) => late.get('limitWaiter').forget(id),
        restore: (keep) => late.get('limitWaiter').restore(keep),
      },
      worktreeOf: (id) => late.get('worktrees').info(id),
      turnGate: (id) => late.get('worktrees').turnGate(id),
      // One source for a turn's and a session's cost: the answers Usage counted.
      costs: { session: (id) => usage.sessionCost(id), sessions: () => usage.sessionCosts(), turns: (id, turnId) => usage.turnFigures(id, turnId) },
    }),
  );
  const clock = config.clock ?? systemClock;
  // One wait per reset: an inbox item per waiting session (their state says it), one note for all of them.
  const limitWaiter = late.set(
    'limitWaiter',
    new LimitWaiter({
      clock,
      file: path.join(config.dataDir, 'limit-waits.json'),
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
      releaseHeld: () => late.get('scheduler').releaseHeld(),
      onWait: ({ until, sessionIds, episode, first }) => {
        const at = new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        for (const id of sessionIds) {
          const title = tryGet(() => sessions.get(id).title) ?? 'A session';
          late.get('inbox').record({ key: `${episode}:${id}`, kind: 'limit_wait', source: 'sessions', sessionId: id, title: `Waiting for the plan’s limit to reset at ${at}`, text: `${title} carries on by itself then.`, link: `#/sessions/${id}`, until });
        }
        if (first) notifier.notify({ title: `Claude’s plan limit is reached until ${at}`, body: 'Waiting sessions carry on by themselves after the reset; held jobs run after them.', link: '#/inbox' });
      },
      onReset: ({ sessionIds, episode }) => {
        for (const id of sessionIds) late.get('inbox').settle(`${episode}:${id}`, 'The limit reset: it carried on.');
      },
      onLeave: (id, episode) => late.get('inbox').settle(`${episode}:${id}`, 'Interrupted: it no longer waits for the reset.'),
    }),
  );
  const worktrees = late.set(
    'worktrees',
    new WorktreeService({
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
    }),
  );
  const terminals = new TerminalManager({
    events,
    settings,
    env,
    sessionFolder: (id) => sessions.get(id).cwd,
    claudeSession: { take: (id) => sessions.handToTerminal(id), release: (id) => void sessions.takeBackFromTerminal(id).catch((error: unknown) => log.error('sessions: taking a session back from its terminal failed', error)), started: (id, pid) => sessions.terminalStarted(id, pid) },
  });
  const transcripts = late.set(
    'transcripts',
    new TranscriptImporter({
      storage,
      events,
      embeddings,
      history,
      store: sessionStore,
      usage,
      env,
      announce: (id) => events.emit('sessions.changed', sessions.get(id)),
      inTerminal: (claudeSessionId) => sessions.inTerminal(claudeSessionId),
    }),
  );
  const windowUrl = () => {
    const server = late.get('server');
    return server?.address && config.server?.staticDir ? `http://127.0.0.1:${server.address.port}/` : null;
  };
  const mail = new MailService({ settings, secrets: config.secrets, files: { dataDir: config.dataDir, env }, link: (hash) => (windowUrl() ? `${windowUrl()}${hash}` : null) });
  const scheduler = late.set(
    'scheduler',
    new SchedulerService({
      workFolder: (folder, owner) => workFolderRefusal(folder, { dataDir: config.dataDir, env, owner }),
      storage,
      events,
      // A job's sessions through the contract, as the job (the router is built with the surfaces, after this).
      router: { call: (method, input, ctx) => late.get('router').call(method, input, ctx) },
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
        unreadable: async (file) => {
          const checked = await checkSendable(file, { dataDir: config.dataDir, env });
          return checked.ok ? null : checked.reason;
        },
        memories: async (query, limit) => (await memory.search(query, undefined, limit)).hits.map((h) => `${h.memory.text} (${h.memory.category})`),
        history: async (query, limit) =>
          (await history.search(query, {}, limit)).hits.map((h) => `${new Date(h.createdAt).toISOString().slice(0, 16).replace('T', ' ')} · ${h.sessionTitle} · ${h.role}: ${h.snippet}`),
      },
      templateRenderer: new TemplateRenderer({ script: config.templateWorker ?? null }),
      // A run's result and files to the chats and mail the job names; each says whether it took them.
      deliver: async (delivery) => {
        const went = await Promise.all([
          ...Object.values(late.get('chats')).map((b) => b.deliverRun(delivery).then((ok) => (ok ? [b.facts.label] : []))),
          mail.deliverRun(delivery).then((ok) => (ok ? [`email (${delivery.job.delivery.email.join(', ')})`] : [])),
        ]);
        return went.flat();
      },
    }),
  );
  // Background tasks keep their files beside the runs'.
  const tasks = new TaskService({ storage, sessions, events, notifier, outputRoot: () => scheduler.outputRoot() });
  const user = new UserService({
    events,
    notifier,
    approvals,
    files: { dataDir: config.dataDir, env },
    noteSurfaces: () => {
      const server = late.get('server');
      return [
        ...(config.notifier ? ['desktop'] : []),
        ...(server && server.windows() > 0 ? ['browser'] : []),
        ...Object.values(late.get('chats'))
          .filter((b) => b.takesNotes())
          .map((b) => b.surface),
      ];
    },
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
  const inbox = late.set(
    'inbox',
    new InboxService({
      storage,
      events,
      settings,
      now: config.now,
      lookups: {
        approval: (id) => tryGet(() => approvals.get(id)),
        sessionOf: (claudeSessionId) => sessionStore.ownerOfClaudeSession(claudeSessionId)?.id ?? null,
        sessionTitle: (id) => tryGet(() => sessions.get(id).title),
        jobName: (id) => tryGet(() => scheduler.get(id).name),
        runsEndedSince: (jobId, fromRunId, failed) => scheduler.runsEndedSince(jobId, fromRunId, failed),
      },
    }),
  );
  // After the broker (whose questions it checks at start), before the surfaces.
  lifecycle.add(inbox);
  const push = new PushService({ storage, secrets: config.secrets, agent: config.pushAgent });
  lifecycle.add(push);
  // What needs the user goes to the phone too; a wait for the plan's limit once, not once per session.
  let limitPushed: string | null = null;
  inbox.onAdded((item) => {
    if (!PUSH_KINDS.includes(item.kind)) return;
    if (item.kind === 'limit_wait') {
      if (limitPushed === limitWaiter.currentEpisode) return;
      limitPushed = limitWaiter.currentEpisode;
    }
    void push.deliver(item).catch((error: unknown) => log.error('push: an item could not be sent', error));
  });
  // Reading outside transcripts is a convenience: a failure is reported, not fatal.
  lifecycle.add(transcripts, { required: false });
  return { storage, settings, system, sessionStore, approvals, usage, sessions, limitWaiter, worktrees, terminals, embeddings, history, memory, transcripts, mail, windowUrl, scheduler, tasks, user, inbox, push };
}

/** A lookup that names something gone (deleted since) answers null instead of throwing. */
function tryGet<T>(get: () => T): T | null {
  try {
    return get();
  } catch {
    return null;
  }
}
