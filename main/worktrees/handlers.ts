import { randomUUID } from 'node:crypto';
import { changesLine, type AskResult, type changesMethods, type MethodInput, type ReviewApprovalInput, type SessionSummary, type Surface } from '../../contract';
import { AppError } from '../errors';
import { expandFolder } from '../folders';
import { callerInWords, isOwner, ownerToDrive, ownerToLoosen } from '../ipc/owner';
import type { CallContext, Handlers } from '../ipc/router';
import type { CreateSessionFields } from './types';

/** `sessions.ask`'s input as the session manager takes it: a new conversation's fields without the worktree ones. */
type AskInput = Omit<MethodInput<'sessions.ask'>, 'create'> & { create?: Omit<NonNullable<MethodInput<'sessions.ask'>['create']>, 'worktree' | 'baseBranch'> };
import { workFolderRefusal } from '../work-folder';
import type { WorktreeService } from './worktree-service';

type ChangesMethod = keyof typeof changesMethods;

/** What the review methods need from the root: the worktrees, the environment, the session manager's own calls, the broker. */
export interface ChangesHandlerDeps {
  worktrees: WorktreeService;
  env: NodeJS.ProcessEnv;
  /** Switchboard's data folder (the folder rule: work-folder.ts). */
  dataDir: string;
  /** The session manager's own create and delete (this folder may not import sessions/). */
  sessions: {
    create(input: CreateSessionFields): SessionSummary;
    delete(id: string): Promise<void>;
    get(id: string): SessionSummary;
    ask(input: AskInput & { timeoutMs: number }, ctx: CallContext): Promise<AskResult>;
    idByKey(surface: Surface, key: string): string | null;
  };
  /** Who sent a session its first message, the caller that started it (a loose session is theirs alone over MCP: ipc/owner.ts). */
  startedBy(sessionId: string): string | null;
  /** The owner's word through the one broker (approvals/review-questions.ts). */
  ask(input: ReviewApprovalInput, askedBy: string): Promise<{ allowed: boolean; message: string | null; by: string | null }>;
}

/**
 * A new session in a git worktree of its own: the tree first (named by the session's id), then the
 * session in it; a session that cannot be made takes its tree away again. The window, chats, MCP and
 * Claude jobs all start one this way.
 */
export async function sessionInWorktree(
  deps: Pick<ChangesHandlerDeps, 'worktrees' | 'env' | 'sessions' | 'dataDir'>,
  input: Omit<CreateSessionFields, 'id' | 'cwd'> & { cwd: string; baseBranch?: string },
): Promise<SessionSummary> {
  const { baseBranch, ...fields } = input;
  const id = randomUUID();
  // The folder rule of every session (work-folder.ts), for the folder given and the repository it is in:
  // the tree holds the repository's files, and Claude reads them without asking.
  // A job's folder was checked by its maker's rule when it was saved; who made it is not kept, so a job
  // whose folder a non-owner could use gets the non-owner's rule for its repository too.
  const folder = expandFolder(input.cwd, deps.env);
  const owner = isOwner({ surface: input.surface, actor: '' }) || (input.surface === 'schedule' && workFolderRefusal(folder, { dataDir: deps.dataDir, env: deps.env, owner: false }) !== null);
  const check = (folder: string) => {
    const refused = workFolderRefusal(folder, { dataDir: deps.dataDir, env: deps.env, owner });
    if (refused) throw new AppError('invalid_input', `cwd: ${refused}`);
  };
  check(folder);
  const tree = await deps.worktrees.create({ sessionId: id, cwd: folder, title: input.title ?? 'session', baseBranch });
  try {
    check(tree.repo);
    return deps.sessions.create({ ...fields, cwd: tree.path, id });
  } catch (error) {
    await deps.worktrees.remove(id, { discard: true });
    throw error;
  }
}

/**
 * The review methods (changes, diff, commit, merge, discard, undo a turn) and the two session methods a
 * worktree changes (create in one; delete that keeps unmerged work unless told). Merge, discard, undo and
 * a delete that throws work away are the owner's: asked from anywhere else, they wait for the owner's
 * answer through the broker, like every other risky action.
 */
export function changesHandlers(deps: ChangesHandlerDeps): Pick<Handlers, ChangesMethod | 'sessions.create' | 'sessions.delete' | 'sessions.ask'> {
  const { worktrees } = deps;
  /** Conversations being made in a worktree, by surface and key: two asks at once make one, not two. */
  const making = new Map<string, Promise<SessionSummary>>();

  /** Waits for the owner when the caller is not the owner; a no ends the call in words. */
  async function owners(ctx: CallContext, action: ReviewApprovalInput['action'], id: string, command: string): Promise<void> {
    if (action !== 'delete') worktrees.need(id);
    if (isOwner(ctx)) return;
    const session = deps.sessions.get(id);
    const summary = await worktrees
      .changes(id, { limit: 1 })
      .then(changesLine)
      .catch(() => 'changes unknown');
    const answer = await deps.ask({ action, sessionId: id, title: session.title, command, summary, requestedBy: callerInWords(ctx) }, ctx.actor);
    if (!answer.allowed) throw new AppError('unauthorized', `The owner did not allow this${answer.by ? ` (answered in ${answer.by})` : ''}: ${answer.message ?? 'denied'}. Nothing was changed.`);
  }

  const branchOf = (id: string) => {
    const info = worktrees.info(id);
    return info ? `${info.branch} into ${info.baseBranch}` : 'the session';
  };

  return {
    'sessions.create': async ({ worktree, baseBranch, ...input }, ctx) => {
      ownerToLoosen(ctx, input.permissionPolicy);
      if (!worktree) return deps.sessions.create({ ...input, surface: ctx.surface });
      if (!input.cwd) throw new AppError('invalid_input', 'cwd: a session in a worktree of its own needs the repository to work on: give cwd, a folder inside it.');
      return sessionInWorktree(deps, { ...input, cwd: input.cwd, baseBranch, surface: ctx.surface });
    },
    'sessions.ask': async ({ create, ...input }, ctx) => {
      ownerToLoosen(ctx, create?.permissionPolicy);
      // A conversation found by its key is this surface's own; one named by id may be anyone's.
      if (input.id) ownerToDrive(ctx, deps.sessions.get(input.id), deps.startedBy(input.id));
      if (!create) return deps.sessions.ask(input, ctx);
      const { worktree, baseBranch, ...fields } = create;
      const key = input.key;
      if (!worktree || key === undefined || deps.sessions.idByKey(ctx.surface, key)) return deps.sessions.ask({ ...input, create: fields }, ctx);
      if (!fields.cwd) throw new AppError('invalid_input', 'create.cwd: a session in a worktree of its own needs the repository to work on: give cwd, a folder inside it.');
      const slot = `${ctx.surface}\0${key}`;
      let made = making.get(slot);
      if (!made) {
        made = sessionInWorktree(deps, { ...fields, cwd: fields.cwd, baseBranch, surface: ctx.surface, surfaceKey: key }).finally(() => making.delete(slot));
        making.set(slot, made);
      }
      const session = await made;
      return deps.sessions.ask({ id: session.id, text: input.text, timeoutMs: input.timeoutMs }, ctx);
    },
    'sessions.delete': async ({ id, discardChanges }, ctx) => {
      deps.sessions.get(id);
      const unmerged = await worktrees.unmerged(id);
      if (unmerged && !discardChanges) {
        throw new AppError('conflict', `${unmerged.text}. Merge or discard them first, or delete with discardChanges to throw them away.`);
      }
      if (unmerged) await owners(ctx, 'delete', id, `delete the session and throw away ${unmerged.text}`);
      await deps.sessions.delete(id);
      await worktrees.remove(id, { discard: Boolean(discardChanges) });
      return { deleted: true as const };
    },
    'sessions.changes': ({ id, turn, offset, limit }) => worktrees.changes(id, { turn, offset, limit }),
    'sessions.diff': ({ id, path, turn, offset, limit }) => worktrees.diff(id, { path, turn, offset, limit }),
    'sessions.commit': async ({ id, message }, ctx) => {
      await owners(ctx, 'commit', id, `commit the changes on ${worktrees.info(id)?.branch ?? 'the session'}${message ? `: “${message.split('\n')[0]!.slice(0, 80)}”` : ''}`);
      return worktrees.commit(id, message);
    },
    'sessions.merge': async ({ id, strategy }, ctx) => {
      await owners(ctx, 'merge', id, `merge ${branchOf(id)} (${strategy})`);
      return worktrees.merge(id, strategy);
    },
    'sessions.discard': async ({ id }, ctx) => {
      await owners(ctx, 'discard', id, `discard every change on ${worktrees.info(id)?.branch ?? 'the session'}`);
      return worktrees.discard(id);
    },
    'sessions.keptWorktrees': () => worktrees.kept(),
    'sessions.removeKeptWorktree': ({ sessionId }, ctx) => {
      // Throwing away unmerged work is the owner's word alone: no chat or MCP client can ask for it.
      if (!isOwner(ctx)) throw new AppError('unauthorized', `Only you, in Switchboard's window, can remove a kept worktree and the changes in it (asked by ${callerInWords(ctx)}). Nothing was removed.`);
      return worktrees.removeKept(sessionId);
    },
    'sessions.undoTurn': async ({ id, turn }, ctx) => {
      await owners(ctx, 'undoTurn', id, `put back the files turn ${turn} changed`);
      return worktrees.undoTurn(id, turn);
    },
  };
}
