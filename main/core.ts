import type { Core, CoreConfig, LateParts } from './core-config';
import { buildServices } from './core-services';
import { buildSurfaces } from './core-surfaces';
import { EventBus } from './events';
import { Late } from './late';
import { Lifecycle } from './lifecycle';
import { silentNotifier, type Notifier } from './notifier';
import { TokenStore } from './server/tokens';

export type { Core, CoreConfig, ServerConfig } from './core-config';

/**
 * The composition root: every service is built here (core-services.ts, then core-surfaces.ts), handed its
 * dependencies, and started in order. What is built after someone who needs it comes from one `Late`
 * holder (main/late.ts; docs/architecture.md, "Late wiring").
 */
export function createCore(config: CoreConfig): Core {
  const env = config.env ?? process.env;
  const events = new EventBus();
  const lifecycle = new Lifecycle();
  // Every notification also goes out as an event, so a browser window (headless) can show it.
  const shellNotifier = config.notifier ?? silentNotifier;
  const notifier: Notifier = {
    notify: (n) => {
      shellNotifier.notify(n);
      events.emit('system.notification', { ...n, at: Date.now() });
    },
  };
  const late = new Late<LateParts>();
  const tokens = new TokenStore(config.secrets, (id) => late.get('sessions').exists(id));
  const base = { config, env, events, lifecycle, notifier, tokens, late };
  const s = buildServices(base);
  const surfaces = buildSurfaces(base, s);

  return {
    config,
    events,
    router: surfaces.router,
    server: surfaces.server,
    serverToken: surfaces.serverToken,
    lifecycle,
    storage: s.storage,
    settings: s.settings,
    system: s.system,
    approvals: s.approvals,
    sessions: s.sessions,
    terminals: s.terminals,
    worktrees: s.worktrees,
    embeddings: s.embeddings,
    history: s.history,
    memory: s.memory,
    transcripts: s.transcripts,
    scheduler: s.scheduler,
    tasks: s.tasks,
    usage: s.usage,
    chats: surfaces.chats,
    mcp: surfaces.mcp,
    hooks: surfaces.hooks,
    inbox: s.inbox,
    push: s.push,
    limitWaiter: s.limitWaiter,
    claudeCode: surfaces.connector,
    start: () => lifecycle.start(),
    stop: () => {
      // Its timer goes with this core; the waits stay kept on disk for the next start.
      s.limitWaiter.close();
      return lifecycle.stop();
    },
  };
}
