import { chatApps, isChatSurface, type PermissionPolicy, type SessionSummary } from '../../contract';
import { AppError } from '../errors';
import type { CallContext, Handlers } from './router';

/**
 * Whether a call comes from the owner: the app's window (desktop), a browser window or a script holding the
 * UI token (surface `browser`, actors `browser:` and `api:`), which can already open a shell. Everything else
 * is not: an MCP client (a Claude session's own MCP too), a chat (Telegram, Discord, even a person on the
 * allowlist), hooks, and jobs. Anything that runs code or widens what Claude may do, asked by a non-owner,
 * waits for the owner's answer through the one approval broker (design.md, "Trust").
 */
export function isOwner(ctx: CallContext): boolean {
  return ctx.surface === 'desktop' || ctx.surface === 'browser';
}

/** Who made a call, in the owner's words, for the question they are asked ("the MCP client “inspector”"). */
export function callerInWords(ctx: CallContext): string {
  const [kind, ...rest] = ctx.actor.split(':');
  const id = rest.join(':');
  if (isChatSurface(kind)) return `${chatApps[kind].label} user ${id}`;
  switch (kind) {
    case 'mcp':
      // `<name>@<connection>`: the connection is the server's, the name is the client's own words.
      return `the MCP client “${(id.includes('@') ? id.slice(0, id.lastIndexOf('@')) : id) || 'unnamed'}”`;
    case 'session':
      return `a Claude session in Switchboard (${id}), through its MCP tools`;
    case 'job':
      return `the job ${id}`;
    case 'hook':
      return 'Claude Code in a terminal';
    default:
      return ctx.actor === ctx.surface ? ctx.surface : `${ctx.actor} (${ctx.surface})`;
  }
}

/** Modes in which Claude acts without asking first. */
const LOOSE: readonly PermissionPolicy[] = ['acceptEdits', 'bypass'];

/**
 * Only the owner lets a session act without asking: an MCP client, a chat or a Claude session asking
 * for a looser mode is refused in words, and the session stays as it was. The one other way is the
 * owner's own earlier word: a scheduled job asks for the mode the owner made or approved it with
 * (`ctx.allowed`, which only the router sets, from the job as stored). (Tools allowed up front reach a
 * session from elsewhere only as the owner set them in the window, for a Discord channel.)
 */
export function ownerToLoosen(ctx: CallContext, policy: PermissionPolicy | undefined): void {
  if (isOwner(ctx) || !policy || !LOOSE.includes(policy) || ctx.allowed?.permissionPolicy === policy) return;
  throw new AppError('invalid_input', `permissionPolicy: only you, in Switchboard's window, can let a session work without asking (${policy}); start it in Ask or Plan mode, and change its mode in the window.`);
}

/**
 * A session the owner let work without asking is not for MCP to borrow: an MCP client or a Claude
 * session (through its MCP tools) cannot drive one it did not start, to act without a question. Who
 * started one made over MCP is whoever sent its first message (`startedBy`); one nobody spoke to yet has
 * no starter to drive it. The owner's phone can (the people on the chat allowlist: the owner chose them,
 * and such a session's questions and changes come to them).
 */
export function ownerToDrive(ctx: CallContext, session: Pick<SessionSummary, 'permissionPolicy' | 'surface' | 'title'>, startedBy: string | null): void {
  if (ctx.surface !== 'mcp' || !LOOSE.includes(session.permissionPolicy) || (session.surface === 'mcp' && startedBy === ctx.actor)) return;
  throw new AppError(
    'unauthorized',
    `“${session.title}” works without asking (${session.permissionPolicy}), as set in Switchboard's window, so ${session.surface === 'mcp' ? 'only the MCP client that started it' : 'no MCP client'} can talk to it; set it to Ask there first, or use a session that asks.`,
  );
}

/**
 * Methods only the owner calls, with no question to ask anyone else: a terminal (a shell, and what it prints),
 * the window's queue (a queued message rewritten is a message sent, past `ownerToDrive`), settings (which
 * programs run, where files go), tokens, keys, and Claude Code's own settings. No surface outside
 * the window reaches them today; this keeps it so whatever surface reaches the router later.
 */
export const OWNER_ONLY = [
  'terminals.list',
  'terminals.open',
  'terminals.attach',
  'terminals.ack',
  'terminals.detach',
  'terminals.write',
  'terminals.resize',
  'terminals.close',
  'sessions.editQueued',
  'sessions.removeQueued',
  'settings.set',
  'system.rotateToken',
  'claudeCode.connect',
  'claudeCode.disconnect',
  'memory.setEmbeddingKey',
] as const satisfies readonly (keyof Handlers)[];

/** The handlers, with those of `OWNER_ONLY` refusing anyone but the owner in words (the root wraps the router's table once). */
export function ownerOnly(handlers: Handlers): Handlers {
  const guarded = { ...handlers } as Record<string, (params: unknown, ctx: CallContext) => unknown>;
  for (const method of OWNER_ONLY) {
    const handler = guarded[method]!;
    guarded[method] = (params, ctx) => {
      if (!isOwner(ctx)) throw new AppError('unauthorized', `Only you, in Switchboard's window, can do this (${method}); ${callerInWords(ctx)} cannot.`);
      return handler(params, ctx);
    };
  }
  return guarded as Handlers;
}
