import type { PermissionPolicy } from '../../contract';
import { AppError } from '../errors';
import { isOwner } from '../ipc/owner';
import type { CallContext, HandlersOf } from '../ipc/router';
import type { SessionManager } from './session-manager';
import type { TerminalManager } from './terminal-manager';

/** Sessions: every call records the surface it came from. */
export function sessionsHandlers(sessions: SessionManager): HandlersOf<'sessions'> {
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
    'sessions.ask': (input, ctx) => sessions.ask(input, ctx),
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

/** Modes in which Claude acts without asking first. */
const LOOSE: readonly PermissionPolicy[] = ['acceptEdits', 'bypass'];

/**
 * Only the owner lets a session act without asking: an MCP client, a chat or a Claude session asking
 * for a looser mode is refused in words, and the session stays as it was. (Tools allowed up front reach
 * a session from elsewhere only as the owner set them in the window, for a Discord channel.)
 */
function ownerToLoosen(ctx: CallContext, policy: PermissionPolicy | undefined): void {
  if (isOwner(ctx) || !policy || !LOOSE.includes(policy)) return;
  throw new AppError('invalid_input', `permissionPolicy: only you, in Switchboard's window, can let a session work without asking (${policy}); start it in Ask or Plan mode, and change its mode in the window.`);
}
