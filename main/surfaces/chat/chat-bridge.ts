import type { ChatChannel, ChatChannelChoice, ChatStatus, ChatSurface, ChatUser, MethodInput, MethodName, MethodOutput, Result, RunDelivery, ServiceStatus, Task } from '../../../contract';
import { AppError, errorMessage } from '../../errors';
import { DisposableStore, toDisposable } from '../../disposable';
import type { EventBus } from '../../events';
import { callOrThrow, type CallContext, type ContractCaller } from '../../ipc/router';
import type { Service } from '../../lifecycle';
import { log } from '../../log';
import type { SecretStore } from '../../secrets/secret-store';
import type { SendRules } from '../../sendable-file';
import type { SettingsService } from '../../settings/settings-service';
import type { StorageService } from '../../storage/storage-service';
import { ChatAccess, type AccessState } from './access';
import type { AdapterHandlers, ChatAdapter, ChatButton, IncomingMessage } from './adapter';
import { ApprovalCards } from './card-flow';
import { ChatStore } from './chat-store';
import type { CommandContext } from './command-context';
import { chatCommands } from './commands';
import { Conversations } from './conversations';
import { Deliveries } from './deliveries';
import { handleMessage, handlePress, type HandlerParts, type PressParts } from './handlers';
import type { ChatKit } from './kit';
import { Outbox, type OutboxAbout } from './outbox';
import { Replies } from './replies';
import { sendMissedTaskAnswers, taskAnswers } from './task-answers';
import { reviewNotes } from './review';
import { chatAppFacts, type ChatAppFacts } from './surfaces';

export interface ChatBridgeDeps {
  surface: ChatSurface;
  storage: StorageService;
  events: EventBus;
  /** The contract, as every surface reaches it (the router is built after the bridges, so this is a function). */
  router: ContractCaller;
  settings: SettingsService;
  secrets: SecretStore;
  /** The adapter for a token and API root (tests and benchmarks point it at a stand-in); its library may load only now. */
  createAdapter: (token: string, apiRoot: string) => ChatAdapter | Promise<ChatAdapter>;
  /** The token from the environment (headless), which wins over the stored one. */
  envToken?: string | null;
  /** The API root from the environment, which wins over the setting. */
  envApiRoot?: string | null;
  /** Where the window is, for links in notes ("http://127.0.0.1:7345/"); null when unknown. */
  windowUrl: () => string | null;
  /** Edits per chat at most this often (ms); tests and benchmarks keep Telegram's 1 s. */
  editIntervalMs?: number;
  /** What a file sent to a chat is checked against again as it is read (user.notify checked it first). */
  files: SendRules;
}

/**
 * The chat bridge for one chat app, wiring only: the adapter's connection (token, state, commands
 * registered), incoming messages down the handlers (`handlers/`), and the parts that send: replies
 * (`replies.ts`), question cards (`card-flow.ts`), deliveries (`deliveries.ts`), conversations
 * (`conversations.ts`), all through the outbox. It is the parts' `ChatKit`; every action goes through
 * the router as the contract, with the surface and the person who did it.
 */
export class ChatBridge implements Service, ChatKit {
  readonly name: string;
  readonly facts: ChatAppFacts;
  readonly access: ChatAccess;
  readonly store: ChatStore;
  readonly outbox: Outbox;
  private readonly conversations: Conversations;
  private readonly replies: Replies;
  private readonly cards: ApprovalCards;
  private readonly deliveries: Deliveries;
  private readonly handlerParts: HandlerParts;
  private readonly pressParts: PressParts;
  private current: ChatAdapter | null = null;
  private state: Pick<ChatStatus, 'state' | 'account' | 'error'> = { state: 'off', account: null, error: null };
  private problem: { text: string; chatKey: string } | null = null;
  /** What start() opened (event subscriptions): released together by stop(). */
  private opened = new DisposableStore();
  private connecting: Promise<void> | null = null;

  constructor(private readonly deps: ChatBridgeDeps) {
    this.name = deps.surface;
    this.facts = chatAppFacts[deps.surface];
    this.access = new ChatAccess(deps.storage, deps.surface);
    this.store = new ChatStore(deps.storage, deps.surface);
    this.outbox = new Outbox({
      storage: deps.storage,
      surface: deps.surface,
      adapter: () => this.current,
      onSent: (about, id, chatKey) => {
        // The chat that refused a message takes them again (its permission was given back): the problem is gone.
        if (this.problem?.chatKey === chatKey) this.setProblem(null);
        if (about?.kind === 'card') this.cards.sent(about.approvalId, chatKey, id);
        if (about?.kind === 'stop') this.deliveries.stopSent(about.stopId, chatKey, id);
      },
      onDropped: (reason, chatKey) => this.setProblem({ text: reason, chatKey }),
    });
    this.conversations = new Conversations(this);
    this.cards = new ApprovalCards(this);
    this.deliveries = new Deliveries(this);
    this.replies = new Replies(this, { editIntervalMs: deps.editIntervalMs, unshown: (turn) => this.deliveries.doneNote(turn) });
    const commandContext = (chatKey: string, ctx: CallContext) => this.commandContext(chatKey, ctx);
    this.handlerParts = {
      kit: this,
      remember: (m) => this.conversations.remember(m),
      groups: (m) => this.groups(m),
      sessionOf: (chatKey, ctx) => this.conversations.sessionOf(chatKey, ctx),
      commandContext,
      typedAnswer: (m, ctx) => this.cards.typed(m, ctx),
      stopAt: (chatKey, messageId) => this.deliveries.stopAt(chatKey, messageId),
      sentFrom: (turnId, chatKey) => this.replies.sentFrom(turnId, chatKey),
    };
    this.pressParts = { kit: this, permission: (p, ctx, args) => this.cards.pressed(p, ctx, args), option: (p, ctx, args) => this.cards.optionPressed(p, ctx, args), commandContext };
  }

  get surface(): ChatSurface {
    return this.deps.surface;
  }

  get settings(): SettingsService {
    return this.deps.settings;
  }

  get secrets(): SecretStore {
    return this.deps.secrets;
  }

  get events(): EventBus {
    return this.deps.events;
  }

  get files(): SendRules {
    return this.deps.files;
  }

  start(): void {
    const { events } = this.deps;
    this.opened = new DisposableStore();
    this.cards.start();
    const subscriptions = [
      events.on('sessions.stream', ({ sessionId, turnId, item }) => this.replies.onStream(sessionId, turnId, item)),
      events.on('approvals.changed', (approval) => this.cards.onApproval(approval)),
      events.on('system.notification', (note) => this.deliveries.onNotification(note)),
      events.on('user.note', (note) => void this.deliveries.onNote(note).catch((error: unknown) => log.error('a note could not be sent to the chats', error))),
      events.on('hooks.stopped', (stop) => this.deliveries.onTerminalStop(stop)),
      reviewNotes(this, events, (chatKey, turnId) => this.replies.finished(chatKey, turnId)),
      events.on('sessions.removed', ({ id }) => this.store.forgetSession(id)),
      taskAnswers(this, events),
    ];
    for (const off of subscriptions) this.opened.add(toDisposable(off));
    if (this.token() && (this.deps.settings.get(`${this.surface}.enabled`) || this.deps.envToken)) void this.connect();
  }

  async stop(): Promise<void> {
    this.opened.dispose();
    this.cards.stop();
    await this.disconnectAdapter();
  }

  status(): ChatStatus {
    return { surface: this.surface, ...this.state, hasToken: !!this.token(), apiRoot: this.apiRoot(), problem: this.problem?.text ?? null };
  }

  /** The bot's state for the health panel: off, connecting, connected as @name, or the error. */
  connection(): NonNullable<ServiceStatus['connection']> {
    const { state, account, error } = this.state;
    return { state: state === 'starting' ? 'connecting' : state, detail: state === 'connected' ? account : state === 'error' ? error : null };
  }

  /** Stores a new token (a secret) when given, marks the bot on, and (re)connects. */
  async connect(token?: string): Promise<ChatStatus> {
    if (token) this.deps.secrets.set(this.secretName(), token);
    if (!this.token()) throw new AppError('invalid_input', `token: paste the bot token from ${this.facts.tokenHelp} first`);
    this.problem = null;
    this.deps.settings.set({ key: `${this.surface}.enabled`, value: true });
    await this.connecting;
    this.connecting = this.reconnect();
    await this.connecting;
    this.connecting = null;
    return this.status();
  }

  async disconnect(forgetToken: boolean): Promise<ChatStatus> {
    this.deps.settings.set({ key: `${this.surface}.enabled`, value: false });
    if (forgetToken) this.deps.secrets.delete(this.secretName());
    await this.disconnectAdapter();
    return this.status();
  }

  /** A pairing code accepted or refused in the window; the person is told in their chat. */
  answerPairing(code: string, accept: boolean): { user: ChatUser | null } {
    const answered = this.access.answer(code, accept);
    if (!answered) throw new AppError('not_found', `code: no request with code ${code} is waiting (codes expire after an hour)`);
    this.accessChanged();
    this.say(answered.pairing.chatId, accept ? '✅ You are in. Write to talk with Claude; /help lists the commands.' : 'The owner did not accept this request.');
    return { user: answered.user };
  }

  accessChanged(): void {
    this.deps.events.emit('chat.access', { surface: this.surface });
  }

  // ── what the window and the root ask of a chat app ───────────────────────────────────────────

  /** A job's result to the chats it names for this app: whether it went out here. */
  deliverRun(delivery: RunDelivery): Promise<boolean> {
    return this.deliveries.deliverRun(delivery);
  }

  /** A background task's answer and files to the chat that asked for it (/task), once (task-answers.ts). */
  deliverTask(chatKey: string, task: Task): Promise<void> {
    return this.deliveries.deliverTask(chatKey, task);
  }

  /** Whether a note for the user would go out here now. */
  takesNotes(): boolean {
    return this.deliveries.takesNotes();
  }

  channels(): { bound: ChatChannel[]; seen: ChatChannelChoice[] } {
    return this.conversations.channels();
  }

  bindChannel(input: MethodInput<'chat.bindChannel'>, ctx: CallContext): Promise<ChatChannel> {
    return this.conversations.bindChannel(input, ctx);
  }

  unbindChannel(chatKey: string): { removed: boolean } {
    return this.conversations.unbindChannel(chatKey);
  }

  /** A chat continues a session (tests set chats up this way). */
  bind(chatKey: string, sessionId: string): void {
    this.store.bind(chatKey, sessionId);
  }

  /** The chat's session, made when it has none. */
  sessionOf(chatKey: string, ctx: CallContext): Promise<string> {
    return this.conversations.sessionOf(chatKey, ctx);
  }

  // ── connection ────────────────────────────────────────────────────────────────────────────────

  private async reconnect(): Promise<void> {
    await this.disconnectAdapter();
    this.setState({ state: 'starting', account: null, error: null });
    let adapter: ChatAdapter;
    try {
      adapter = await this.deps.createAdapter(this.token()!, this.apiRoot());
    } catch (error) {
      // The chat library itself could not load (a broken install): said in Settings like any other failure.
      const id = log.error(`${this.surface}: the bot could not be loaded`, error);
      return this.setState({ state: 'error', account: null, error: `Switchboard could not load its ${this.facts.label} library: ${errorMessage(error)} (error ${id})` });
    }
    const handlers: AdapterHandlers = {
      message: (m) => this.guard(m.chatKey, () => handleMessage(m, this.caller(m.userId), this.handlerParts)),
      press: (p) => this.guard(p.chatKey, () => handlePress(p, this.pressParts)),
      status: (state, error) => {
        if (this.current !== adapter) return;
        if (state === 'connected' && error) return void log.error(`${this.surface}: handling an update failed`, undefined, { error });
        if (state === 'connected' && this.state.state !== 'connected') this.setState({ state: 'connected', account: this.state.account, error: null });
        if (state === 'error' && error !== this.state.error) {
          const id = log.error(`${this.surface}: ${error}`);
          this.setState({ state: 'error', account: this.state.account, error: `${error} (error ${id})` });
        }
      },
    };
    try {
      this.current = adapter;
      const { account } = await adapter.start(handlers);
      this.setState({ state: 'connected', account, error: null });
      await adapter.setCommands(chatCommands.map(({ name, description, argument, moderated }) => ({ name, description, argument, moderated }))).catch((error) => log.warn(`${this.surface}: could not register commands`, { error: errorMessage(error) }));
      this.outbox.start();
      this.replies.resume();
      void sendMissedTaskAnswers(this).catch((error: unknown) => log.error(`${this.surface}: missed task answers could not be sent`, error));
    } catch (error) {
      // Disconnected while it was connecting: that was the user's word, not a failure.
      if (this.current !== adapter) return;
      this.current = null;
      await adapter.stop().catch(() => {});
      const id = log.error(`${this.surface}: the bot could not start`, error);
      this.setState({ state: 'error', account: null, error: `${errorMessage(error)} (error ${id})` });
    }
  }

  private async disconnectAdapter(): Promise<void> {
    const adapter = this.current;
    this.current = null;
    await this.outbox.stop();
    await this.replies.stop();
    await adapter?.stop();
    if (this.state.state !== 'off') this.setState({ state: 'off', account: null, error: null });
  }

  private setProblem(problem: typeof this.problem): void {
    this.problem = problem;
    this.deps.events.emit('chat.status', this.status());
  }

  private setState(state: typeof this.state): void {
    this.state = state;
    this.deps.events.emit('chat.status', this.status());
  }

  /** A token given in Settings wins; the environment's (headless) is the fallback. */
  private token(): string | null {
    return this.deps.secrets.get(this.secretName()) || this.deps.envToken || null;
  }

  private apiRoot(): string {
    return this.deps.envApiRoot || this.deps.settings.get(`${this.surface}.apiRoot`);
  }

  private secretName(): string {
    return `${this.surface}.token`;
  }

  /** How groups are answered here, for this message's chat (the chat app's policy, read now). */
  private groups(m: IncomingMessage): AccessState['groups'] {
    const policy = this.facts.groups;
    if (policy.kind === 'setting') return { kind: 'setting', on: !!this.deps.settings.get(policy.key) };
    const channel = m.private ? null : this.conversations.project(m.chatKey);
    return { kind: 'bound-channels', channel, threadBound: !!m.parentKey && !!this.store.boundSession(m.chatKey) };
  }

  /** A failure while handling a chat's update is told in that chat with an id the log has, never thrown into the adapter. */
  private async guard(chatKey: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const internal = !(error instanceof AppError) || error.code === 'internal';
      this.warn(chatKey, 'could not handle a message', internal ? 'Switchboard could not do that.' : errorMessage(error), error, internal);
    }
  }

  // ── the kit the parts share ───────────────────────────────────────────────────────────────────

  adapter(): ChatAdapter | null {
    return this.current;
  }

  warn(chatKey: string, what: string, words: string, error: unknown, withStack = false, details: Record<string, unknown> = {}): void {
    const id = log.error(`${this.surface}: ${what}`, withStack ? error : undefined, { chat: chatKey, reason: errorMessage(error), ...details });
    this.say(chatKey, `⚠️ ${words} (error ${id})`);
  }

  caller(userId: string): CallContext {
    return { surface: this.surface, actor: `${this.surface}:${userId}` };
  }

  tryCall<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<Result<MethodOutput<M>>> {
    return this.deps.router.call(method, input, ctx);
  }

  call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<MethodOutput<M>> {
    return callOrThrow(this.deps.router, method, input, ctx);
  }

  say(chatKey: string, markdown: string, buttons?: ChatButton[][]): void {
    if (!this.current) return;
    const parts = this.current.format(markdown);
    this.outbox.enqueue(
      parts.map((text, i) => ({ chatKey, about: { kind: 'answer' }, op: 'send', payload: { text, ...(buttons && i === parts.length - 1 ? { buttons } : {}) }, dedupe: `say:${chatKey}:${Date.now()}:${Math.random()}:${i}` })),
    );
  }

  sayOnce(chatKey: string, markdown: string, about: OutboxAbout, dedupe: string, buttons?: ChatButton[][]): void {
    if (!this.current) return;
    const [text] = this.current.format(markdown);
    this.outbox.enqueue([{ chatKey, about, op: 'send', payload: { text: text!, ...(buttons ? { buttons } : {}) }, dedupe }]);
  }

  link(hash: string): string | null {
    const base = this.deps.windowUrl();
    return base ? `${base.replace(/\/$/, '')}/${hash}` : null;
  }

  windowUrl(): string | null {
    return this.deps.windowUrl();
  }

  ownerChats(): string[] {
    return this.access
      .users()
      .map((u) => u.chatId)
      .filter((c): c is string => !!c);
  }

  private commandContext(chatKey: string, ctx: CallContext): CommandContext {
    return {
      chatKey,
      ctx,
      call: (method, input) => this.call(method, input, ctx),
      reply: (markdown, buttons) => this.say(chatKey, markdown, buttons),
      session: async () => this.call('sessions.get', { id: await this.conversations.sessionOf(chatKey, ctx) }, ctx),
      renew: (cwd, worktree) => this.conversations.renew(chatKey, ctx, cwd, worktree),
      bind: (sessionId) => this.store.bind(chatKey, sessionId),
      offerFolders: (folders) => this.conversations.offerFolders(chatKey, folders),
      offeredFolder: (index) => this.conversations.offeredFolder(chatKey, index),
      deliverTask: (task) => this.deliveries.deliverTask(chatKey, task),
      sendDocument: (fileName, content, about, dedupe) => this.outbox.enqueue([{ chatKey, about, op: 'document', payload: { fileName, content: content.toString('base64') }, dedupe }]),
    };
  }
}
