import type { changesMethods } from '../../contract';
import { ownerToLoosen } from '../ipc/owner';
import type { HandlersOf } from '../ipc/router';
import type { SessionManager } from './session-manager';
import type { TerminalManager } from './terminal-manager';

/** Sessions: every call records the surface it came from (the review methods, `sessions.changes`… live in main/worktrees/). */
export function sessionsHandlers(sessions: SessionManager): Omit<HandlersOf<'sessions'>, keyof typeof changesMethods> {
  return {
    'sessions.list': () => sessions.list(),
    'sessions.get': ({ id }) => sessions.get(id),
    'sessions.create': (input, ctx) => {
      ownerToLoosen(ctx, input.permissionPolicy);
      return sessions.create({ ...input, surface: ctx.surface });
    },
    'sessions.update': (input, ctx) => {
      ownerToLoosen(ctx, input.permissionPolicy);
      return sessions.update(input);
    },
    'sessions.transcript': ({ id, limit }) => sessions.transcript(id, limit),
    'sessions.send': ({ id, text, interrupt }, ctx) => sessions.send(id, text, ctx, { interrupt }),
    'sessions.ask': (input, ctx) => {
      ownerToLoosen(ctx, input.create?.permissionPolicy);
      return sessions.ask(input, ctx);
    },
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
  };
}

export function terminalsHandlers(terminals: TerminalManager): HandlersOf<'terminals'> {
  return {
    'terminals.list': () => terminals.list(),
    'terminals.open': (input) => terminals.open(input),
    'terminals.attach': ({ id }) => terminals.attach(id),
    'terminals.ack': ({ id, viewer, offset }) => terminals.ack(id, viewer, offset),
    'terminals.detach': ({ id, viewer }) => ({ detached: terminals.detach(id, viewer) }),
    'terminals.write': ({ id, data }) => ({ written: terminals.write(id, data) }),
    'terminals.resize': ({ id, cols, rows }) => terminals.resize(id, cols, rows),
    'terminals.close': ({ id }) => ({ closed: terminals.close(id) }),
  };
}
