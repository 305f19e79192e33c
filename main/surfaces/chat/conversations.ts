import path from 'node:path';
import { channelDefaults } from '../../../contract';
import type { ChatChannel, ChatChannelChoice, MethodInput, SessionSummary } from '../../../contract';
import { AppError } from '../../errors';
import type { CallContext } from '../../ipc/router';
import type { IncomingMessage } from './adapter';
import type { ChatKit } from './kit';

/**
 * A conversation per chat, topic or thread: the session it is bound to (made on its first message,
 * kept across restarts), fresh ones for /new and /folder, and channels bound to a project (Discord),
 * whose threads inherit it.
 */
export class Conversations {
  /** Threads and the channel each belongs to (its project), and chats' names, as messages show them. */
  private readonly parents = new Map<string, string>();
  private readonly names = new Map<string, string>();
  /** Folders offered by /folder, by chat: buttons carry the index (a path can pass Telegram's 64 bytes). */
  private readonly offered = new Map<string, string[]>();

  constructor(private readonly kit: ChatKit) {}

  /** What a message tells about where it is: its thread's channel, its chat's name. */
  remember(m: IncomingMessage): void {
    if (m.parentKey) this.parents.set(m.chatKey, m.parentKey);
    if (m.chatName) this.names.set(m.chatKey, m.chatName);
  }

  /** The chat's session: the one it is bound to, or a new one (kept across restarts), with its channel's project. */
  async sessionOf(chatKey: string, ctx: CallContext): Promise<string> {
    const bound = this.kit.store.boundSession(chatKey);
    if (bound) return bound;
    const created = await this.kit.call('sessions.create', this.newSessionFields(chatKey), ctx);
    this.kit.store.bind(chatKey, created.id);
    return created.id;
  }

  /** A fresh session for the chat (/new, /folder): its channel's project, or like the last one; the old one stays in history. */
  async renew(chatKey: string, ctx: CallContext, cwd?: string, worktree = false): Promise<SessionSummary> {
    const bound = this.kit.store.boundSession(chatKey);
    const old = !this.project(chatKey) && bound ? await this.kit.call('sessions.get', { id: bound }, ctx) : null;
    // A session's own folder is named by its id: a new one gets its own fresh folder (and can take the warm spare CLI).
    const ownFolder = old && path.basename(old.cwd) === old.id;
    // A session in a worktree is followed by one in a worktree of its own, never by a second writer in the same tree.
    const fields: MethodInput<'sessions.create'> = old
      ? { title: old.title, cwd: old.worktree?.repo ?? (ownFolder ? null : old.cwd), model: old.model, permissionPolicy: old.permissionPolicy === 'bypass' ? ('ask' as const) : old.permissionPolicy, ...(old.worktree && !cwd ? { worktree: true, baseBranch: old.worktree.baseBranch } : {}) }
      : this.newSessionFields(chatKey);
    const created = await this.kit.call('sessions.create', { ...fields, ...(cwd ? { cwd } : {}), ...(worktree ? { worktree: true } : {}) }, ctx);
    this.kit.store.bind(chatKey, created.id);
    return created;
  }

  private newSessionFields(chatKey: string): MethodInput<'sessions.create'> {
    const project = this.project(chatKey);
    if (!project) return { title: `${this.kit.facts.label} chat`, permissionPolicy: 'ask' };
    const parent = this.parents.get(chatKey);
    const title = parent ? `#${project.name} › ${this.names.get(chatKey) ?? 'thread'}` : `#${project.name}`;
    return { title, cwd: project.cwd, model: project.model, systemPrompt: project.systemPrompt, allowedTools: project.allowedTools, permissionPolicy: 'ask' };
  }

  /** Folders /folder offered in a chat, for its buttons to name by index. */
  offerFolders(chatKey: string, folders: string[]): void {
    this.offered.set(chatKey, folders);
  }

  offeredFolder(chatKey: string, index: number): string | undefined {
    return this.offered.get(chatKey)?.[index];
  }

  // ── channels bound to projects ────────────────────────────────────────────────────────────────

  /** The project of a channel, or of the channel a thread belongs to; null where the channel has not opted in. */
  project(chatKey: string): ChatChannel | null {
    return this.kit.store.channel(chatKey) ?? this.kit.store.channel(this.parents.get(chatKey) ?? '');
  }

  channels(): { bound: ChatChannel[]; seen: ChatChannelChoice[] } {
    const bound = this.kit.store.channels();
    const keys = new Set(bound.map((c) => c.chatKey));
    const seen = (this.kit.adapter()?.channels() ?? []).map((c) => ({ chatKey: c.key, name: c.name, place: c.place, bound: keys.has(c.key) }));
    return { bound, seen };
  }

  /** Binds (or changes) a channel's project; a session the channel already has takes the new model and prompt at once. */
  async bindChannel(input: MethodInput<'chat.bindChannel'>, ctx: CallContext): Promise<ChatChannel> {
    if (this.kit.facts.groups.kind !== 'bound-channels') throw new AppError('invalid_input', `${this.kit.facts.label} has no channels to bind: every chat is its own conversation.`);
    const bound = this.kit.store.channel(input.chatKey);
    const c: ChatChannel = { ...channelDefaults, ...bound, ...input, surface: this.kit.surface };
    this.kit.store.saveChannel(c);
    const session = this.kit.store.boundSession(c.chatKey);
    if (session) await this.kit.call('sessions.update', { id: session, model: c.model, systemPrompt: c.systemPrompt }, ctx);
    this.kit.accessChanged();
    return this.project(input.chatKey)!;
  }

  unbindChannel(chatKey: string): { removed: boolean } {
    const removed = this.kit.store.removeChannel(chatKey);
    if (removed) this.kit.accessChanged();
    return { removed };
  }
}
