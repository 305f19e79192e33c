import type { changesMethods } from '../../contract';
import { AppError } from '../errors';
import { isOwner, ownerToDrive, ownerToLoosen } from '../ipc/owner';
import type { HandlersOf } from '../ipc/router';
import type { SessionManager } from './session-manager';
import type { SessionStore } from './session-store';
import type { TerminalManager } from './terminal-manager';

/** The session methods a worktree changes: main/worktrees/handlers.ts answers them (one place for their owner checks). */
type InWorktrees = keyof typeof changesMethods | 'sessions.create' | 'sessions.delete' | 'sessions.ask';

/** Sessions: every call records the surface it came from (the review methods, `sessions.changes`… live in main/worktrees/). */
export function sessionsHandlers(sessions: SessionManager, store: Pick<SessionStore, 'ownerOfClaudeSession' | 'firstActor'>): Omit<HandlersOf<'sessions'>, InWorktrees> {
  return {
    'sessions.list': () => sessions.list(),
    'sessions.get': ({ id }) => sessions.get(id),
    'sessions.update': (input, ctx) => {
      ownerToLoosen(ctx, input.permissionPolicy);
      ownerToDrive(ctx, sessions.get(input.id), store.firstActor(input.id));
      return sessions.update(input);
    },
    'sessions.transcript': ({ id, limit }) => sessions.transcript(id, limit),
    'sessions.send': ({ id, text, interrupt }, ctx) => {
      ownerToDrive(ctx, sessions.get(id), store.firstActor(id));
      return sessions.send(id, text, ctx, { interrupt });
    },
    'sessions.turn': ({ turnId }) => sessions.turn(turnId),
    'sessions.folders': () => sessions.folders(),
    'sessions.editQueued': ({ turnId, text }) => sessions.editQueued(turnId, text),
    'sessions.removeQueued': ({ turnId }) => sessions.removeQueued(turnId),
    // Stopping or resetting a session the owner let work without asking is as much theirs as talking to it.
    'sessions.interrupt': async ({ id }, ctx) => {
      ownerToDrive(ctx, sessions.get(id), store.firstActor(id));
      return { interrupted: await sessions.interrupt(id) };
    },
    'sessions.reset': ({ id }, ctx) => {
      ownerToDrive(ctx, sessions.get(id), store.firstActor(id));
      return sessions.reset(id);
    },
    // Stopping a process early is for the owner and for the surface that started the session (a job's fresh run).
    'sessions.release': async ({ id }, ctx) => {
      if (!isOwner(ctx) && sessions.get(id).surface !== ctx.surface) throw new AppError('unauthorized', 'Only Switchboard’s window, or whoever started this session, can stop its process early.');
      await sessions.release(id);
      return { released: true as const };
    },
    'sessions.ofClaude': ({ claudeSessionId }) => {
      const owner = store.ownerOfClaudeSession(claudeSessionId);
      return { sessionId: owner?.id ?? null, runsHere: !!owner?.ranHere };
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
