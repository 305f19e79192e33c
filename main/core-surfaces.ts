import path from 'node:path';
import { approvalsHandlers } from './approvals/handlers';
import { askedQuestionHandlers } from './approvals/asked-questions';
import { reviewQuestions } from './approvals/review-questions';
import { historyHandlers } from './history/handlers';
import { memoryHandlers } from './memory/handlers';
import { ownerOnly } from './ipc/owner';
import { Router, type ContractCaller } from './ipc/router';
import { splitHostList } from './config';
import { log } from './log';
import { schedulesHandlers } from './scheduler/handlers';
import { RUN_FILES_PATH, runFileReader, runFilesRoute } from './scheduler/attachment-route';
import { mailHandlers } from './mail/handlers';
import { tasksHandlers } from './tasks/handlers';
import { sessionsHandlers, terminalsHandlers } from './sessions/handlers';
import { ADDRESS_FILE } from './server/address-file';
import { LoopbackServer } from './server/loopback-server';
import { settingsHandlers } from './settings/handlers';
import { ChatBridge } from './surfaces/chat/chat-bridge';
import { chatHandlers } from './surfaces/chat/chat-methods';
import { chatAppFacts } from './surfaces/chat/surfaces';
import { chatSurfaces, fromTerminal, type ChatSurface } from '../contract';
import { usageHandlers } from './usage/handlers';
import { ClaudeCodeConnector } from './hooks/claude-code-connector';
import { hooksHandlers } from './hooks/handlers';
import { HooksService } from './hooks/hooks-service';
import { inboxHandlers } from './inbox/handlers';
import { pushHandlers } from './push/handlers';
import { McpService } from './mcp/mcp-service';
import { userHandlers } from './user/handlers';
import { tools } from './tools/registry';
import { systemHandlers } from './system/handlers';
import { changesHandlers } from './worktrees/handlers';
import type { ServiceBase, Services } from './core-services';

/**
 * The surfaces (chat bridges, Claude Code's hooks and plugin, MCP), the router over every service's
 * methods and the loopback server, built after the services and added to the lifecycle after them:
 * the server last to start, first to stop. Surfaces call the contract like any client, through the router
 * from `late` (the router serves their own methods too: a real cycle).
 */
export function buildSurfaces(base: ServiceBase, s: Services) {
  const { config, env, events, lifecycle, notifier, tokens, late } = base;
  const { storage, settings, sessionStore, approvals, sessions, worktrees, scheduler, tasks, inbox } = s;
  const contract: ContractCaller = { call: (method, input, ctx) => late.get('router').call(method, input, ctx) };
  const bridgeDeps = {
    storage,
    events,
    router: contract,
    settings,
    secrets: config.secrets,
    windowUrl: s.windowUrl,
    editIntervalMs: config.chatEditIntervalMs,
    files: { dataDir: config.dataDir, env },
  };
  // One bridge per chat app; the chat libraries load when a bot connects: an app without bots does not carry them.
  const chats = late.set(
    'chats',
    Object.fromEntries(
      chatSurfaces.map((surface) => {
        const facts = chatAppFacts[surface];
        const bridge = new ChatBridge({ ...bridgeDeps, surface, createAdapter: config.chatAdapters?.[surface] ?? facts.load, envToken: env[facts.env.token] || null, envApiRoot: env[facts.env.apiRoot] || null });
        return [surface, bridge];
      }),
    ) as Record<ChatSurface, ChatBridge>,
  );
  // A bot that cannot connect says so in Settings; the app goes on.
  for (const bridge of Object.values(chats)) lifecycle.add(bridge, { required: false });

  const hooks = new HooksService({ server: () => late.get('server'), router: contract, events, notifier, settings });
  const connector = new ClaudeCodeConnector({
    dataDir: config.dataDir,
    resourcesDir: config.resourcesDir ?? null,
    env,
    events,
    settings,
    port: () => late.get('server')?.address?.port ?? null,
    tokens: () => ({ mcp: tokens.get('mcp'), hooks: tokens.get('hooks') }),
    readOnlyTools: () => tools.filter((t) => t.hints.readOnlyHint).map((t) => t.name),
  });
  // A run's or a task's folder and files, by its id: what the download route and runFile serve.
  const runFiles = (id: string) => scheduler.run(id) ?? tasks.files(id);
  const systemCalls = systemHandlers(s.system, tokens);
  const router = late.set(
    'router',
    new Router(ownerOnly({
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
      ...sessionsHandlers(sessions, sessionStore),
      ...changesHandlers({ worktrees, env, sessions, dataDir: config.dataDir, startedBy: (id) => sessionStore.firstActor(id), ask: reviewQuestions(approvals).ask }),
      ...terminalsHandlers(s.terminals),
      ...approvalsHandlers(approvals, (id) => sessionStore.actors(id)),
      // A terminal's question, tied to the session here that follows its Claude session (the inbox shows it there).
      ...askedQuestionHandlers(approvals, ({ id, source }) => {
        const sessionId = fromTerminal({ source }) ? sessionStore.ownerOfClaudeSession(source.slice('hook:'.length))?.id : null;
        if (sessionId) inbox.linkSession(`approval:${id}`, sessionId);
      }),
      ...historyHandlers(s.history, s.transcripts),
      ...memoryHandlers(s.memory, s.embeddings),
      ...schedulesHandlers(scheduler, runFileReader(runFiles, { dataDir: config.dataDir, env })),
      ...chatHandlers(chats, config.secrets),
      ...userHandlers(s.user),
      ...hooksHandlers(hooks, connector),
      ...usageHandlers(s.usage),
      ...mailHandlers(s.mail),
      ...inboxHandlers(inbox),
      ...pushHandlers(s.push),
      ...tasksHandlers(tasks),
    }), (ctx) => scheduler.allowance(ctx)),
  );

  // Last to start, first to stop: it takes calls only while every service runs.
  const serverToken = config.server ? tokens.get('ui') : null;
  // The MCP and hooks tokens exist from the first start, so `switchboard mcp` and the Claude Code plugin can find them.
  if (config.server) {
    tokens.get('mcp');
    tokens.get('hooks');
  }
  const server = late.set(
    'server',
    config.server
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
      : null,
  );
  // A run's (or a background task's) files, downloaded in the window with the UI token.
  server?.route({ prefix: RUN_FILES_PATH, scope: 'ui', handle: runFilesRoute(runFiles, { dataDir: config.dataDir, env }) });
  // The MCP server registers its route before the server takes calls.
  // A session's own token names a session that still exists (the token store asks): a deleted session's Claude is nobody.
  const mcp = new McpService({ server, router: contract, sessionOf: (token) => tokens.sessionOf(token) });
  lifecycle.add(mcp);
  lifecycle.add(hooks);
  lifecycle.add(connector, { required: false });
  if (server) lifecycle.add(server, { required: config.server!.required });
  return { chats, hooks, connector, router, server, serverToken, mcp };
}
