import fs from 'node:fs';
import path from 'node:path';
import { channelDefaults, toolCallDetail } from '../../../contract';
import type { Approval, ChatChannel, ChatChannelChoice, ChatStatus, ChatSurface, ChatUser, ClaudeQuestion, MethodInput, RunDelivery, MethodName, MethodOutput, Result, SessionSummary, StreamItem, Task, TerminalStop, Turn, UserNote, UserNotification } from '../../../contract';
import { AppError, errorMessage } from '../../errors';
import type { EventBus } from '../../events';
import { callOrThrow, type CallContext, type ContractCaller } from '../../ipc/router';
import type { Service } from '../../lifecycle';
import { log } from '../../log';
import type { SecretStore } from '../../secrets/secret-store';
import { readSendable, type SendRules } from '../../sendable-file';
import type { SettingsService } from '../../settings/settings-service';
import type { StorageService } from '../../storage/storage-service';
import { ChatAccess } from './access';
import type { AdapterHandlers, ChatAdapter, ChatButton, IncomingMessage, IncomingPress } from './adapter';
import { chatCommands, type CommandContext } from './commands';
import { approvalCard, settledCard } from './cards';
import { Outbox, type OutboxEntry } from './outbox';
import { sendMissedTaskAnswers, taskAnswers } from './task-answers';
import { ReplyStream } from './reply-stream';
import { runDeliveryEntries, taskDeliveryEntries } from './run-delivery';
import { reviewNotes } from './review';
import { transcribe } from './voice';

/** A reply longer than this many messages also arrives as a Markdown file, easier to read and keep. */
const DOCUMENT_AFTER_PARTS = 3;

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
  /** Channels answer only once bound to a project in the window (Discord); otherwise groups follow a setting (Telegram). */
  channelsOptIn?: boolean;
  /** What a file sent to a chat is checked against again as it is read (user.notify checked it first). */
  files: SendRules;
}

interface ChannelRow {
  chat_key: string;
  name: string;
  place: string;
  cwd: string | null;
  model: string | null;
  allowed_tools: string;
  system_prompt: string | null;
  reply_to: ChatChannel['replyTo'];
}

const toChannel = (surface: ChatSurface, r: ChannelRow): ChatChannel => ({
  surface,
  chatKey: r.chat_key,
  name: r.name,
  place: r.place,
  cwd: r.cwd,
  model: r.model,
  allowedTools: JSON.parse(r.allowed_tools) as string[],
  systemPrompt: r.system_prompt,
  replyTo: r.reply_to,
});

/** Which chats show a session, and which chat a turn came from (it is not echoed back there). */
interface Binding {
  chatKey: string;
  sessionId: string;
}

/**
 * The chat bridge: everything Telegram and Discord share, written once. A conversation per chat or
 * topic (bound to a session), streaming by throttled edits then a final message through the outbox,
 * approvals and Claude's questions as buttons, commands from one table, access by allowlist and
 * pairing, and delivery of job results and notes. The adapter does transport only; every action goes
 * through the router as the contract, with the surface and the person who did it.
 */
export class ChatBridge implements Service {
  readonly name: string;
  readonly access: ChatAccess;
  readonly outbox: Outbox;
  private adapter: ChatAdapter | null = null;
  private state: Pick<ChatStatus, 'state' | 'account' | 'error'> = { state: 'off', account: null, error: null };
  private problem: { text: string; chatKey: string } | null = null;
  /** Threads and the channel each belongs to (its project), and chats' names, as messages show them. */
  private readonly parents = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private readonly streams = new Map<string, ReplyStream>();
  /** Turn id → the chat it was sent from. */
  private readonly origins = new Map<string, string>();
  private readonly offs: (() => void)[] = [];
  private readonly cardTimers = new Map<string, NodeJS.Timeout>();
  /** Answers chosen so far for a question card with several questions, by approval id. */
  private readonly choices = new Map<string, Record<string, string>>();
  /** Folders offered by /folder, by chat: buttons carry the index (a path can pass Telegram's 64 bytes). */
  readonly offeredFolders = new Map<string, string[]>();
  /** Stop notes of terminal sessions, by `<chat>:<message>`: a reply to one continues that session. */
  private readonly stopMessages = new Map<string, string>();
  private connecting: Promise<void> | null = null;
  /** chat_bindings by session, read once and dropped on every change. */
  private bindings: Map<string, Binding[]> | null = null;
  /** Final replies being put in the outbox, by `<chat>|<turn>`: what follows a turn (its changes) waits for them. */
  private readonly finishing = new Map<string, Promise<void>>();

  constructor(private readonly deps: ChatBridgeDeps) {
    this.name = deps.surface;
    this.access = new ChatAccess(deps.storage, deps.surface);
    this.outbox = new Outbox({
      storage: deps.storage,
      surface: deps.surface,
      adapter: () => this.adapter,
      onSent: (dedupe, id, chatKey) => {
        // The chat that refused a message takes them again (its permission was given back): the problem is gone.
        if (this.problem?.chatKey === chatKey) this.setProblem(null);
        this.sent(dedupe, id);
      },
      onDropped: (reason, chatKey) => this.setProblem({ text: reason, chatKey }),
    });
  }

  get surface(): ChatSurface {
    return this.deps.surface;
  }

  private get db() {
    return this.deps.storage.db;
  }

  start(): void {
    const { events } = this.deps;
    this.offs.push(
      events.on('sessions.stream', ({ sessionId, turnId, item }) => this.onStream(sessionId, turnId, item)),
      events.on('approvals.changed', (approval) => this.onApproval(approval)),
      events.on('system.notification', (note) => this.onNotification(note)),
      events.on('user.note', (note) => void this.onNote(note).catch((error: unknown) => log.error('a note could not be sent to the chats', error))),
      events.on('hooks.stopped', (stop) => this.onTerminalStop(stop)),
      reviewNotes(this, events),
      taskAnswers(this, events),
      events.on('sessions.removed', ({ id }) => {
        this.db.prepare('DELETE FROM chat_bindings WHERE session_id = ?').run(id);
        this.bindings = null;
      }),
    );
    if (this.token() && (this.deps.settings.get(this.settingKey('enabled')) || this.deps.envToken)) void this.connect();
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    for (const timer of this.cardTimers.values()) clearTimeout(timer);
    this.cardTimers.clear();
    await this.disconnectAdapter();
  }

  status(): ChatStatus {
    return { surface: this.surface, ...this.state, hasToken: !!this.token(), apiRoot: this.apiRoot(), problem: this.problem?.text ?? null };
  }

  /** Stores a new token (a secret) when given, marks the bot on, and (re)connects. */
  async connect(token?: string): Promise<ChatStatus> {
    if (token) this.deps.secrets.set(this.secretName(), token);
    if (!this.token()) throw new AppError('invalid_input', `token: paste the bot token from ${this.surface === 'telegram' ? '@BotFather' : 'the Discord developer portal (Bot → Reset Token)'} first`);
    this.problem = null;
    this.deps.settings.set({ key: this.settingKey('enabled'), value: true });
    await this.connecting;
    this.connecting = this.reconnect();
    await this.connecting;
    this.connecting = null;
    return this.status();
  }

  async disconnect(forgetToken: boolean): Promise<ChatStatus> {
    this.deps.settings.set({ key: this.settingKey('enabled'), value: false });
    if (forgetToken) this.deps.secrets.delete(this.secretName());
    await this.disconnectAdapter();
    return this.status();
  }

  /** A pairing code accepted or refused in the window; the person is told in their chat. */
  answerPairing(code: string, accept: boolean): { user: ChatUser | null } {
    const answered = this.access.answer(code, accept);
    if (!answered) throw new AppError('not_found', `code: no request with code ${code} is waiting (codes expire after an hour)`);
    this.accessChanged();
    this.say(
      answered.pairing.chatId,
      accept ? '✅ You are in. Write to talk with Claude; /help lists the commands.' : 'The owner did not accept this request.',
    );
    return { user: answered.user };
  }

  accessChanged(): void {
    this.deps.events.emit('chat.access', { surface: this.surface });
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
      return this.setState({ state: 'error', account: null, error: `Switchboard could not load its ${this.surfaceLabel()} library: ${errorMessage(error)} (error ${id})` });
    }
    const handlers: AdapterHandlers = {
      message: (m) => this.guard(m.chatKey, () => this.onMessage(m)),
      press: (p) => this.guard(p.chatKey, () => this.onPress(p)),
      status: (state, error) => {
        if (this.adapter !== adapter) return;
        if (state === 'connected' && error) return void log.error(`${this.surface}: handling an update failed`, undefined, { error });
        if (state === 'connected' && this.state.state !== 'connected') this.setState({ state: 'connected', account: this.state.account, error: null });
        if (state === 'error' && error !== this.state.error) {
          const id = log.error(`${this.surface}: ${error}`);
          this.setState({ state: 'error', account: this.state.account, error: `${error} (error ${id})` });
        }
      },
    };
    try {
      this.adapter = adapter;
      const { account } = await adapter.start(handlers);
      this.setState({ state: 'connected', account, error: null });
      await adapter.setCommands(chatCommands.map(({ name, description, argument, moderated }) => ({ name, description, argument, moderated }))).catch((error) => log.warn(`${this.surface}: could not register commands`, { error: errorMessage(error) }));
      this.outbox.start();
      this.resumeReplies();
      void sendMissedTaskAnswers(this).catch((error: unknown) => log.error(`${this.surface}: missed task answers could not be sent`, error));
    } catch (error) {
      // Disconnected while it was connecting: that was the user's word, not a failure.
      if (this.adapter !== adapter) return;
      this.adapter = null;
      await adapter.stop().catch(() => {});
      const id = log.error(`${this.surface}: the bot could not start`, error);
      this.setState({ state: 'error', account: null, error: `${errorMessage(error)} (error ${id})` });
    }
  }

  private async disconnectAdapter(): Promise<void> {
    const adapter = this.adapter;
    this.adapter = null;
    await this.outbox.stop();
    for (const stream of this.streams.values()) await stream.finish();
    this.streams.clear();
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
    return this.deps.envApiRoot || this.deps.settings.get(this.settingKey('apiRoot'));
  }

  private secretName(): string {
    return `${this.surface}.token`;
  }

  private settingKey<K extends 'enabled' | 'apiRoot' | 'questionDelaySeconds' | 'doneNotes'>(key: K) {
    return `${this.surface}.${key}` as const;
  }

  // ── incoming ──────────────────────────────────────────────────────────────────────────────────

  private ignored(m: IncomingMessage, reason: 'unbound' | 'stranger'): void {
    this.deps.events.emit('chat.ignored', { surface: this.surface, chatKey: m.chatKey, chatName: m.chatName ?? null, reason });
  }

  /** Whether a message in a group or channel is for the bot: bound channel and mention (or every message), or the group setting. */
  private answersIn(m: IncomingMessage): boolean {
    if (!this.deps.channelsOptIn) return this.surface === 'telegram' && this.deps.settings.get('telegram.allowGroups') && m.addressed;
    const project = this.project(m.chatKey);
    if (!project) return false;
    // A thread where the bot was called once is a conversation with it: every message there is answered.
    const threadStarted = !!m.parentKey && !!this.boundSession(m.chatKey);
    return !!m.slash || m.addressed || project.replyTo === 'all' || threadStarted;
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

  /** A failure told in the chat in words, with an id the log has (with the stack when `withStack`, for what we did not expect). */
  private warn(chatKey: string, what: string, words: string, error: unknown, withStack = false, details: Record<string, unknown> = {}): void {
    const id = log.error(`${this.surface}: ${what}`, withStack ? error : undefined, { chat: chatKey, reason: errorMessage(error), ...details });
    this.say(chatKey, `⚠️ ${words} (error ${id})`);
  }

  private async onMessage(m: IncomingMessage): Promise<void> {
    if (m.parentKey) this.parents.set(m.chatKey, m.parentKey);
    if (m.chatName) this.names.set(m.chatKey, m.chatName);
    if (!m.private && !this.answersIn(m)) {
      if (m.addressed || m.slash) this.ignored(m, 'unbound');
      // A slash command always gets an answer (Discord shows "did not respond" otherwise); a message here none.
      if (m.slash) this.say(m.chatKey, this.deps.channelsOptIn ? `I answer only in channels bound to a project. Bind this one in Switchboard → Settings → ${this.surfaceLabel()}.` : 'I do not answer in groups here.');
      return;
    }
    if (!this.access.allowed(m.userId)) {
      // Strangers get a code in private only; in a group they are not answered at all (a command, briefly).
      if (!m.private) {
        this.ignored(m, 'stranger');
        if (m.slash) this.say(m.chatKey, 'Only people the owner allowed can use me. Write to me in a direct message to ask for access.');
        return;
      }
      const { pairing, fresh } = this.access.requestPairing(m.userId, m.userName, m.chatKey);
      if (fresh) this.accessChanged();
      const minutes = Math.max(1, Math.round((pairing.expiresAt - Date.now()) / 60_000));
      this.say(
        m.chatKey,
        `This bot answers only people its owner allowed.\n\nTo ask for access, give the owner this code: **${pairing.code}**\nThey accept it in Switchboard → Settings → ${this.surface === 'telegram' ? 'Telegram' : 'Discord'}. It expires in ${minutes} minutes.`,
      );
      return;
    }
    this.access.seen(m.userId, m.userName, m.private ? m.chatKey : null);
    const ctx = this.caller(m.userId);
    const command = /^\/([a-z_]+)(?:@\S+)?\s*([\s\S]*)$/i.exec(m.text);
    if (command && !m.files.length) {
      const found = chatCommands.find((c) => c.name === command[1]!.toLowerCase());
      if (found) return found.run(this.commandContext(m.chatKey, ctx), command[2]!.trim());
      return this.say(m.chatKey, `There is no /${command[1]} here. /help lists what there is.`);
    }
    if (m.replyTo && m.text && (await this.typedAnswer(m, ctx))) return;
    const stop = m.replyTo ? this.stopMessages.get(`${m.chatKey}:${m.replyTo}`) : undefined;
    if (stop && m.text) {
      const continued = await this.tryCall('hooks.reply', { id: stop, text: m.text }, ctx);
      return this.say(m.chatKey, continued.ok ? '↪️ Sent: Claude Code goes on in the terminal.' : `⚠️ ${continued.error.message}`);
    }
    let text = m.text;
    if (m.files.length) text = await this.withFiles(m, ctx);
    if (!text.trim()) return;
    const sessionId = await this.sessionOf(m.chatKey, ctx);
    const turn = await this.call('sessions.send', { id: sessionId, text }, ctx);
    this.origins.set(turn.id, m.chatKey);
    if (turn.status === 'queued') this.say(m.chatKey, `⏳ Queued: #${turn.position} in line. Answers come in order.`);
  }

  private async onPress(p: IncomingPress): Promise<void> {
    if (!this.access.allowed(p.userId)) return p.acknowledge('Only people allowed in Switchboard can answer.');
    const ctx = this.caller(p.userId);
    const [kind, ...rest] = p.data.split(':');
    if (kind === 'ap') {
      const [id, code] = rest;
      const decision = ({ o: 'once', s: 'session', a: 'always', d: 'deny' } as const)[code as 'o' | 's' | 'a' | 'd'];
      if (!id || !decision) return p.acknowledge('That button is from an older Switchboard.');
      const result = await this.tryCall('approvals.answer', { id, decision, ...(decision === 'deny' ? { message: `Denied by ${p.userName} on ${this.surfaceLabel()}` } : {}) }, ctx);
      return p.acknowledge(result.ok ? 'Answered' : result.error.message.slice(0, 180));
    }
    if (kind === 'aq') return this.answerQuestion(p, ctx, rest);
    return this.runCommandButton(p, ctx, kind!, rest);
  }

  /** A reply to a question card with text: the answer, typed (for a question without choices, or another answer). */
  private async typedAnswer(m: IncomingMessage, ctx: CallContext): Promise<boolean> {
    const approvalId = this.db
      .prepare('SELECT approval_id FROM chat_cards WHERE surface = ? AND chat_key = ? AND message_id = ? AND settled = 0')
      .pluck()
      .get(this.surface, m.chatKey, m.replyTo) as string | undefined;
    if (!approvalId) return false;
    const approval = await this.pending(approvalId, ctx);
    if (approval?.toolName !== 'AskUserQuestion') return false;
    const questions = ((approval.input as { questions?: ClaudeQuestion[] }).questions ?? []) as ClaudeQuestion[];
    const chosen = { ...this.choices.get(approvalId) };
    const next = questions.find((q) => !chosen[q.question]);
    if (next) chosen[next.question] = m.text;
    if (questions.some((q) => !chosen[q.question])) {
      this.choices.set(approvalId, chosen);
      return true;
    }
    this.choices.delete(approvalId);
    await this.call('approvals.answer', { id: approvalId, decision: 'once', answers: chosen }, ctx);
    return true;
  }

  /** One option of Claude's question pressed: with every question answered, the answers go back to Claude. */
  private async answerQuestion(p: IncomingPress, ctx: CallContext, [id, qi, oi]: string[]): Promise<void> {
    const approval = await this.pending(id!, ctx);
    if (!approval) return p.acknowledge('This question was already answered.');
    if (approval.toolName === 'ExitPlanMode') {
      const approve = oi === '0';
      const result = await this.tryCall('approvals.answer', approve ? { id: id!, decision: 'once' } : { id: id!, decision: 'deny', message: `Keep planning (${p.userName} on ${this.surfaceLabel()})` }, ctx);
      return p.acknowledge(result.ok ? (approve ? 'Plan approved' : 'Sent back') : result.error.message.slice(0, 180));
    }
    const questions = ((approval.input as { questions?: ClaudeQuestion[] }).questions ?? []) as ClaudeQuestion[];
    const question = questions[Number(qi)];
    const option = question?.options[Number(oi)];
    if (!question || !option) return p.acknowledge('That option is not there any more.');
    const chosen = { ...this.choices.get(id!), [question.question]: option.label };
    this.choices.set(id!, chosen);
    if (questions.some((q) => !chosen[q.question])) return p.acknowledge(`${option.label}: now the next question`);
    this.choices.delete(id!);
    const result = await this.tryCall('approvals.answer', { id: id!, decision: 'once', answers: chosen }, ctx);
    return p.acknowledge(result.ok ? 'Answered' : result.error.message.slice(0, 180));
  }

  private async runCommandButton(p: IncomingPress, ctx: CallContext, kind: string, args: string[]): Promise<void> {
    const command = chatCommands.find((c) => c.button === kind);
    if (!command?.press) return p.acknowledge('That button is from an older Switchboard.');
    await p.acknowledge();
    await command.press(this.commandContext(p.chatKey, ctx), args);
  }

  /** Files are saved into the session's folder and handed to Claude by path; voice notes are also transcribed where set up. */
  private async withFiles(m: IncomingMessage, ctx: CallContext): Promise<string> {
    const sessionId = await this.sessionOf(m.chatKey, ctx);
    const session = await this.call('sessions.get', { id: sessionId }, ctx);
    const folder = path.join(session.cwd, `${this.surface}-files`);
    await fs.promises.mkdir(folder, { recursive: true });
    const lines: string[] = [];
    for (const file of m.files) {
      // A file that cannot be fetched (too big for a bot, gone) is told; the words with it still reach Claude.
      const content = await this.adapter!.download(file).catch((error: unknown) => {
        const rest = m.text.trim() ? 'Your words went to Claude without it.' : 'Nothing was sent to Claude.';
        this.warn(m.chatKey, 'could not download a file', `I could not fetch ${file.name}: ${downloadFailure(error)}. ${rest}`, error, false, { file: file.name });
        return null;
      });
      if (!content) continue;
      const what = file.kind === 'voice' ? 'A voice note' : file.kind === 'photo' ? 'A photo' : 'A file';
      const name = `${Date.now()}-${file.name.replace(/[^\w.-]+/g, '_').slice(-100)}`;
      const target = path.join(folder, name);
      await fs.promises.writeFile(target, content, { mode: 0o600 });
      lines.push(`[${what} from ${m.userName}, saved at ${target}${file.mime ? ` (${file.mime})` : ''}]`);
      if (file.kind === 'voice') {
        // A failed transcription is told, and Claude still gets the recording: the message is not lost.
        const heard = await transcribe(content, file.name, this.deps).catch((error: unknown) => {
          this.warn(m.chatKey, 'could not transcribe a voice note', `I could not transcribe the voice note: ${errorMessage(error)}. Claude gets the recording as a file.`, error);
          return null;
        });
        if (heard) {
          lines.push(`Transcription of the voice note: ${heard}`);
          this.say(m.chatKey, `🎙 I heard: “${heard}”`);
        }
      }
    }
    return [m.text, ...lines].filter(Boolean).join('\n\n');
  }

  // ── conversations ─────────────────────────────────────────────────────────────────────────────

  /** The chat's session: the one it is bound to, or a new one (kept across restarts), with its channel's project. */
  async sessionOf(chatKey: string, ctx: CallContext): Promise<string> {
    const bound = this.boundSession(chatKey);
    if (bound) return bound;
    const created = await this.call('sessions.create', this.newSessionFields(chatKey), ctx);
    this.bind(chatKey, created.id);
    return created.id;
  }

  /** A fresh session for the chat (/new, /folder): its channel's project, or like the last one; the old one stays in history. */
  async renew(chatKey: string, ctx: CallContext, cwd?: string, worktree = false): Promise<SessionSummary> {
    const bound = this.boundSession(chatKey);
    const old = !this.project(chatKey) && bound ? await this.call('sessions.get', { id: bound }, ctx) : null;
    // A session's own folder is named by its id: a new one gets its own fresh folder (and can take the warm spare CLI).
    const ownFolder = old && path.basename(old.cwd) === old.id;
    // A session in a worktree is followed by one in a worktree of its own, never by a second writer in the same tree.
    const fields: MethodInput<'sessions.create'> = old
      ? { title: old.title, cwd: old.worktree?.repo ?? (ownFolder ? null : old.cwd), model: old.model, permissionPolicy: old.permissionPolicy === 'bypass' ? ('ask' as const) : old.permissionPolicy, ...(old.worktree && !cwd ? { worktree: true, baseBranch: old.worktree.baseBranch } : {}) }
      : this.newSessionFields(chatKey);
    const created = await this.call('sessions.create', { ...fields, ...(cwd ? { cwd } : {}), ...(worktree ? { worktree: true } : {}) }, ctx);
    this.bind(chatKey, created.id);
    return created;
  }

  private newSessionFields(chatKey: string): MethodInput<'sessions.create'> {
    const project = this.project(chatKey);
    if (!project) return { title: `${this.surfaceLabel()} chat`, permissionPolicy: 'ask' };
    const parent = this.parents.get(chatKey);
    const title = parent ? `#${project.name} › ${this.names.get(chatKey) ?? 'thread'}` : `#${project.name}`;
    return { title, cwd: project.cwd, model: project.model, systemPrompt: project.systemPrompt, allowedTools: project.allowedTools, permissionPolicy: 'ask' };
  }

  private boundSession(chatKey: string): string | undefined {
    return this.db.prepare('SELECT session_id FROM chat_bindings WHERE surface = ? AND chat_key = ?').pluck().get(this.surface, chatKey) as string | undefined;
  }

  // ── channels bound to projects ────────────────────────────────────────────────────────────────

  /** The project of a channel, or of the channel a thread belongs to; null where the channel has not opted in. */
  project(chatKey: string): ChatChannel | null {
    const row = this.db.prepare('SELECT * FROM chat_channels WHERE surface = ? AND chat_key = ?');
    const found = (row.get(this.surface, chatKey) ?? row.get(this.surface, this.parents.get(chatKey) ?? '')) as ChannelRow | undefined;
    return found ? toChannel(this.surface, found) : null;
  }

  channels(): { bound: ChatChannel[]; seen: ChatChannelChoice[] } {
    const bound = (this.db.prepare('SELECT * FROM chat_channels WHERE surface = ? ORDER BY place, name').all(this.surface) as ChannelRow[]).map((r) => toChannel(this.surface, r));
    const keys = new Set(bound.map((c) => c.chatKey));
    const seen = (this.adapter?.channels() ?? []).map((c) => ({ chatKey: c.key, name: c.name, place: c.place, bound: keys.has(c.key) }));
    return { bound, seen };
  }

  /** Binds (or changes) a channel's project; a session the channel already has takes the new model and prompt at once. */
  async bindChannel(input: MethodInput<'chat.bindChannel'>, ctx: CallContext): Promise<ChatChannel> {
    if (!this.deps.channelsOptIn) throw new AppError('invalid_input', `${this.surfaceLabel()} has no channels to bind: every chat is its own conversation.`);
    const bound = this.db.prepare('SELECT * FROM chat_channels WHERE surface = ? AND chat_key = ?').get(this.surface, input.chatKey) as ChannelRow | undefined;
    const c: ChatChannel = { ...channelDefaults, ...(bound && toChannel(this.surface, bound)), ...input, surface: this.surface };
    this.db
      .prepare(
        `INSERT INTO chat_channels (surface, chat_key, name, place, cwd, model, allowed_tools, system_prompt, reply_to, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (surface, chat_key) DO UPDATE SET name = excluded.name, place = excluded.place, cwd = excluded.cwd, model = excluded.model,
           allowed_tools = excluded.allowed_tools, system_prompt = excluded.system_prompt, reply_to = excluded.reply_to, updated_at = excluded.updated_at`,
      )
      .run(this.surface, c.chatKey, c.name, c.place, c.cwd, c.model, JSON.stringify(c.allowedTools), c.systemPrompt, c.replyTo, Date.now());
    const session = this.boundSession(c.chatKey);
    if (session) await this.call('sessions.update', { id: session, model: c.model, systemPrompt: c.systemPrompt }, ctx);
    this.accessChanged();
    return this.project(input.chatKey)!;
  }

  unbindChannel(chatKey: string): { removed: boolean } {
    const removed = this.db.prepare('DELETE FROM chat_channels WHERE surface = ? AND chat_key = ?').run(this.surface, chatKey).changes > 0;
    if (removed) this.accessChanged();
    return { removed };
  }

  bind(chatKey: string, sessionId: string): void {
    this.db
      .prepare('INSERT INTO chat_bindings (surface, chat_key, session_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (surface, chat_key) DO UPDATE SET session_id = excluded.session_id, updated_at = excluded.updated_at')
      .run(this.surface, chatKey, sessionId, Date.now());
    this.bindings = null;
  }

  /** The chats showing a session. Asked for every streamed delta of every session, so read from memory. */
  private chatsOf(sessionId: string): Binding[] {
    if (!this.bindings) {
      this.bindings = new Map();
      for (const b of this.db.prepare('SELECT chat_key AS chatKey, session_id AS sessionId FROM chat_bindings WHERE surface = ?').all(this.surface) as Binding[]) {
        this.bindings.set(b.sessionId, [...(this.bindings.get(b.sessionId) ?? []), b]);
      }
    }
    return this.bindings.get(sessionId) ?? [];
  }

  // ── replies ───────────────────────────────────────────────────────────────────────────────────

  private onStream(sessionId: string, turnId: string | null, item: StreamItem): void {
    if (!this.adapter || !turnId) return;
    const chats = this.chatsOf(sessionId);
    if (!chats.length) return void (item.kind === 'turn' && this.doneNote(item.turn));
    for (const { chatKey } of chats) {
      const key = `${chatKey}|${turnId}`;
      let stream = this.streams.get(key);
      if (item.kind === 'turn' && item.turn.status === 'running' && !stream) {
        this.db.prepare('INSERT OR IGNORE INTO chat_replies (surface, chat_key, turn_id, created_at) VALUES (?, ?, ?, ?)').run(this.surface, chatKey, turnId, Date.now());
        // A message from elsewhere (the window, another chat of this session) shows before its answer.
        const origin = this.origins.get(turnId);
        if (item.turn.surface !== this.surface || (origin && origin !== chatKey)) this.echoPrompt(chatKey, item.turn);
        // The streamed message is kept with the reply, so a restart puts the final text in it.
        stream = new ReplyStream(this.adapter, chatKey, null, this.deps.editIntervalMs, (id) =>
          this.db.prepare('UPDATE chat_replies SET message_id = ? WHERE surface = ? AND chat_key = ? AND turn_id = ?').run(id, this.surface, chatKey, turnId),
        );
        this.streams.set(key, stream);
        continue;
      }
      if (!stream) continue;
      if (item.kind === 'text_delta') stream.delta(item.text);
      else if (item.kind === 'message' && item.message.role === 'assistant' && item.message.kind === 'text') stream.block(item.message.text);
      else if (item.kind === 'message' && item.message.kind === 'tool_use') stream.tool(toolLine(item.message.data));
      else if (item.kind === 'turn' && item.turn.status !== 'running' && item.turn.status !== 'queued') {
        this.streams.delete(key);
        const finishing = this.finishReply(chatKey, item.turn, stream).catch((error: unknown) => {
          log.error(`${this.surface}: a reply could not be finished`, error);
        });
        this.finishing.set(key, finishing);
        void finishing.then(() => this.finishing.get(key) === finishing && this.finishing.delete(key));
      }
    }
    if (item.kind === 'turn' && item.turn.status !== 'running' && item.turn.status !== 'queued') this.origins.delete(turnId);
  }

  /** A message sent from elsewhere (the window, another chat) shows here before its answer. */
  private echoPrompt(chatKey: string, turn: Turn): void {
    const from = turn.surface === this.surface ? 'another chat' : turn.surface === 'desktop' ? 'the desktop app' : turn.surface === 'browser' ? 'a browser' : `the ${turn.surface} surface`;
    this.outbox.enqueue([{ chatKey, op: 'send', payload: { text: this.adapter!.format(`💬 *From ${from}:*\n\n${turn.prompt}`)[0] }, dedupe: `prompt:${turn.id}:${chatKey}` }]);
  }

  /** The final text, through the outbox: the streamed message edited to the first part, the rest as new messages. */
  private async finishReply(chatKey: string, turn: Turn, stream: ReplyStream | null, shownIn: string | null = null): Promise<void> {
    const messageId = stream ? await stream.finish() : shownIn;
    const text = stream?.text || turn.resultText || '';
    const failed = turn.status !== 'done';
    const markdown = [text, failed ? `⚠️ _The turn ${turn.status}${turn.error ? `: ${turn.error}` : ''}_` : '', !text.trim() && !failed ? '_(Claude finished without text.)_' : '']
      .filter(Boolean)
      .join('\n\n');
    const parts = this.adapter ? this.adapter.format(markdown) : [];
    const entries: OutboxEntry[] = parts.map((part, i) => ({
      chatKey,
      op: i === 0 && messageId ? 'edit' : 'send',
      payload: { text: part, ...(i === 0 && messageId ? { messageId } : {}) },
      dedupe: `final:${turn.id}:${chatKey}:${i}`,
      // The chat's later messages wait behind this one, so the pace holds for all of them.
      ...(i === 0 && stream ? { notBefore: stream.nextEditAt } : {}),
    }));
    if (parts.length > DOCUMENT_AFTER_PARTS) {
      entries.push({ chatKey, op: 'document', payload: { fileName: `reply-${turn.id.slice(0, 8)}.md`, content: Buffer.from(markdown).toString('base64'), caption: 'The whole reply as a file' }, dedupe: `final:${turn.id}:${chatKey}:document` });
    }
    this.db.transaction(() => {
      this.outbox.enqueue(entries);
      this.db.prepare('UPDATE chat_replies SET finished = 1, message_id = ? WHERE surface = ? AND chat_key = ? AND turn_id = ?').run(messageId, this.surface, chatKey, turn.id);
    })();
  }

  /** Replies a restart cut off: their turn has ended by now (a start marks leftovers failed), so their final text goes out once. */
  private resumeReplies(): void {
    this.db.prepare('DELETE FROM chat_replies WHERE surface = ? AND finished = 1').run(this.surface);
    this.db.prepare('DELETE FROM chat_cards WHERE surface = ? AND settled = 1').run(this.surface);
    const open = this.db.prepare('SELECT chat_key, turn_id, message_id FROM chat_replies WHERE surface = ? AND finished = 0').all(this.surface) as { chat_key: string; turn_id: string; message_id: string | null }[];
    for (const reply of open) {
      void (async () => {
        const turn = await this.tryCall('sessions.turn', { turnId: reply.turn_id }, this.caller('bot'));
        if (!turn.ok) return void this.db.prepare('DELETE FROM chat_replies WHERE surface = ? AND turn_id = ?').run(this.surface, reply.turn_id);
        if (turn.value.status === 'running' || turn.value.status === 'queued') return;
        const transcript = await this.call('sessions.transcript', { id: turn.value.sessionId, limit: 2000 }, this.caller('bot'));
        const text = transcript.messages.filter((m) => m.turnId === reply.turn_id && m.role === 'assistant' && m.kind === 'text').map((m) => m.text).join('\n\n');
        await this.finishReply(reply.chat_key, { ...turn.value, resultText: text || turn.value.resultText }, null, reply.message_id);
      })().catch((error) => log.error(`${this.surface}: could not finish a reply after a restart`, error));
    }
  }

  // ── approvals ─────────────────────────────────────────────────────────────────────────────────

  private onApproval(approval: Approval): void {
    if (!this.adapter) return;
    if (approval.status !== 'pending') return this.settleCards(approval);
    const chats = approval.sessionId ? this.chatsOf(approval.sessionId).map((b) => b.chatKey) : [];
    if (chats.length) return this.sendCards(approval, chats);
    // Asked of the person directly (ask_user from Claude Code or a script): now, to their private chat.
    if (approval.source !== 'session' && approval.source !== 'hook') return this.sendCards(approval, this.ownerChats());
    // From a desk session or a terminal: only once it has waited, so answering at the keyboard sends nothing.
    const delay = (approval.source === 'hook' ? this.deps.settings.get('hooks.phoneDelaySeconds') : this.deps.settings.get(this.settingKey('questionDelaySeconds'))) * 1000;
    const timer = setTimeout(() => {
      this.cardTimers.delete(approval.id);
      void this.pending(approval.id, this.caller('bot')).then((still) => {
        if (still) this.sendCards(still, this.ownerChats());
      });
    }, delay);
    timer.unref();
    this.cardTimers.set(approval.id, timer);
  }

  private sendCards(approval: Approval, chats: string[]): void {
    const card = approvalCard(approval, this.deps.windowUrl());
    const insert = this.db.prepare('INSERT OR IGNORE INTO chat_cards (surface, approval_id, chat_key) VALUES (?, ?, ?)');
    for (const chatKey of chats) insert.run(this.surface, approval.id, chatKey);
    this.outbox.enqueue(chats.map((chatKey) => ({ chatKey, op: 'send', payload: { text: this.adapter!.format(card.markdown)[0], buttons: card.buttons }, dedupe: `card:${approval.id}:${chatKey}` })));
  }

  private settleCards(approval: Approval): void {
    const timer = this.cardTimers.get(approval.id);
    if (timer) clearTimeout(timer);
    this.cardTimers.delete(approval.id);
    this.choices.delete(approval.id);
    const cards = this.db.prepare('SELECT chat_key, message_id FROM chat_cards WHERE surface = ? AND approval_id = ? AND settled = 0').all(this.surface, approval.id) as { chat_key: string; message_id: string | null }[];
    if (!cards.length) return;
    this.db.prepare('UPDATE chat_cards SET settled = 1 WHERE surface = ? AND approval_id = ?').run(this.surface, approval.id);
    const text = this.adapter!.format(settledCard(approval, (actor) => this.actorName(actor)))[0]!;
    // A card still on its way is edited once it is sent (see `sent`).
    this.outbox.enqueue(cards.filter((c) => c.message_id).map((c) => ({ chatKey: c.chat_key, op: 'edit', payload: { text, messageId: c.message_id! }, dedupe: `settled:${approval.id}:${c.chat_key}` })));
  }

  private sent(dedupe: string, remoteId: string): void {
    const stop = /^stop:([^:]+):(.+)$/.exec(dedupe);
    if (stop) return void this.stopMessages.set(`${stop[2]}:${remoteId}`, stop[1]!);
    const card = /^card:([^:]+):(.+)$/.exec(dedupe);
    if (!card) return;
    const [, approvalId, chatKey] = card;
    this.db.prepare('UPDATE chat_cards SET message_id = ? WHERE surface = ? AND approval_id = ? AND chat_key = ?').run(remoteId, this.surface, approvalId, chatKey);
    const settled = this.db.prepare('SELECT settled FROM chat_cards WHERE surface = ? AND approval_id = ? AND chat_key = ?').pluck().get(this.surface, approvalId, chatKey);
    if (!settled) return;
    void this.tryCall('approvals.get', { id: approvalId! }, this.caller('bot')).then((r) => {
      const approval = r.ok && r.value;
      if (approval && this.adapter) {
        const text = this.adapter.format(settledCard(approval, (actor) => this.actorName(actor)))[0]!;
        this.outbox.enqueue([{ chatKey: chatKey!, op: 'edit', payload: { text, messageId: remoteId }, dedupe: `settled:${approvalId}:${chatKey}` }]);
      }
    });
  }

  /** Who answered, in words: a person's name from the allowlist, the window, a rule. */
  private actorName(actor: string | null): string {
    if (!actor) return 'someone';
    const [surface, id] = actor.split(':');
    if (surface === this.surface && id) return this.access.user(id)?.name ?? `a ${this.surfaceLabel()} user`;
    if (actor === 'desktop') return 'you in the desktop app';
    if (surface === 'browser' || surface === 'api') return 'you in a browser';
    if (actor === 'rule') return 'a saved rule';
    if (actor === 'system') return 'Switchboard';
    return actor;
  }

  // ── deliveries ────────────────────────────────────────────────────────────────────────────────

  /** Private chats of the allowed people: where notes go that no chat asked for. */
  private ownerChats(): string[] {
    return this.access
      .users()
      .map((u) => u.chatId)
      .filter((c): c is string => !!c);
  }

  /**
   * A job's result (its after-run deliver step), with its files as documents, to the chat the job names
   * or the owner's: whether it went out here.
   */
  async deliverRun(delivery: RunDelivery): Promise<boolean> {
    const { job, run } = delivery;
    const target = this.surface === 'telegram' ? job.delivery.telegramChatId : job.delivery.discordChannelId;
    if (!this.adapter || !target || !this.deps.settings.get(this.settingKey('doneNotes'))) return false;
    // Only to chats Switchboard knows as the owner's: an allowed person's, or a channel bound in the window.
    const known = target === 'owner' || this.ownerChats().includes(target) || !!this.project(target);
    if (!known) {
      log.warn(`${this.surface}: a job's result was not sent to a chat nobody allowed`, { jobId: job.id, chat: target });
      return false;
    }
    const chats = target === 'owner' ? this.ownerChats() : [target];
    if (!chats.length) return false;
    const adapter = this.adapter;
    const link = this.link(`#/schedules/${job.id}/runs/${run.id}`);
    this.outbox.enqueue(await runDeliveryEntries({ delivery, chats, surface: this.surface, format: (m) => adapter.format(m), link, files: this.deps.files }));
    return true;
  }

  /** A background task's answer and files to the chat that asked for it (/task). */
  async deliverTask(chatKey: string, task: Task): Promise<void> {
    const adapter = this.adapter;
    if (!adapter) return;
    this.outbox.enqueue(await taskDeliveryEntries({ task, chats: [chatKey], surface: this.surface, format: (m) => adapter.format(m), link: this.link(`#/tasks/${task.id}`), files: this.deps.files }));
  }

  /** A long turn of a session no chat shows ended: a short note, as the desktop app notifies. */
  private doneNote(turn: Turn): void {
    if (turn.status === 'running' || turn.status === 'queued' || !turn.startedAt || !turn.endedAt) return;
    // Asked from this app in a session no chat shows: a /task, whose answer goes to the chat that asked.
    if (turn.surface === this.surface) return;
    if (!this.deps.settings.get(this.settingKey('doneNotes')) || turn.surface === 'schedule') return;
    if (turn.endedAt - turn.startedAt < this.deps.settings.get('sessions.notifyAfterSeconds') * 1000) return;
    const link = this.link(`#/sessions/${turn.sessionId}`);
    const markdown = `${turn.status === 'done' ? '✅ Claude finished' : `⚠️ Claude's turn ${turn.status}`}: _${turn.prompt.split('\n')[0]!.slice(0, 80)}_\n\n${(turn.resultText ?? turn.error ?? '').slice(0, 1500)}${link ? `\n\n[Open in Switchboard](${link})` : ''}`;
    this.outbox.enqueue(this.ownerChats().map((chatKey) => ({ chatKey, op: 'send', payload: { text: this.adapter!.format(markdown)[0] }, dedupe: `done:${turn.id}:${chatKey}` })));
  }

  /** A note Claude or a script sent the user (notify_user): text, and the file when there is one. */
  /** Whether a note for the user would go out here now: connected, with the owner's chat to send it to. */
  takesNotes(): boolean {
    return !!this.adapter && this.ownerChats().length > 0;
  }

  private async onNote(note: UserNote): Promise<void> {
    if (!this.adapter) return;
    // Read once, off the event loop, by the same rules user.notify checked (a file swapped since is not sent).
    let content: string | null = null;
    let refused: string | null = null;
    if (note.filePath) {
      try {
        content = (await readSendable(note.filePath, this.deps.files)).toString('base64');
      } catch (error) {
        refused = errorMessage(error);
        log.warn('a note’s file was not sent', { file: note.filePath, reason: refused });
      }
    }
    if (!this.adapter) return;
    const markdown = `📝 *${note.title}*\n\n${note.text}${refused ? `\n\n_The file was not sent: ${refused}_` : ''}`;
    const entries: OutboxEntry[] = [];
    for (const chatKey of this.ownerChats()) {
      entries.push({ chatKey, op: 'send', payload: { text: this.adapter.format(markdown)[0] }, dedupe: `usernote:${note.at}:${chatKey}` });
      if (note.filePath && content !== null) {
        entries.push({ chatKey, op: 'document', payload: { fileName: path.basename(note.filePath), content }, dedupe: `usernote:${note.at}:${chatKey}:file` });
      }
    }
    this.outbox.enqueue(entries);
  }

  /** A Claude Code session in a terminal stopped: its last message, and (when replies are on) how to continue it. */
  private onTerminalStop(stop: TerminalStop): void {
    if (!this.adapter || !this.deps.settings.get(this.settingKey('doneNotes'))) return;
    const seconds = stop.replyUntil ? Math.round((stop.replyUntil - Date.now()) / 1000) : 0;
    const markdown = `🏁 *Claude Code finished* in \`${stop.project}\`\n\n${stop.lastMessage.slice(0, 3000) || '_(no text)_'}${seconds > 0 ? `\n\n_Reply to this message within ${seconds} s to continue the session._` : ''}`;
    this.outbox.enqueue(this.ownerChats().map((chatKey) => ({ chatKey, op: 'send', payload: { text: this.adapter!.format(markdown)[0] }, dedupe: `stop:${stop.id}:${chatKey}` })));
  }

  /** Notes the core raises for the user that no other path brings here (a database problem, say). */
  private onNotification(note: UserNotification): void {
    if (!this.adapter || !note.title.startsWith('Switchboard')) return;
    const markdown = `🔔 *${note.title}*\n\n${note.body}`;
    this.outbox.enqueue(this.ownerChats().map((chatKey) => ({ chatKey, op: 'send', payload: { text: this.adapter!.format(markdown)[0] }, dedupe: `note:${note.at}:${chatKey}` })));
  }

  private link(hash: string): string | null {
    const base = this.deps.windowUrl();
    return base ? `${base.replace(/\/$/, '')}/${hash}` : null;
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────────

  private caller(userId: string): CallContext {
    return { surface: this.surface, actor: `${this.surface}:${userId}` };
  }

  private surfaceLabel(): string {
    return this.surface === 'telegram' ? 'Telegram' : 'Discord';
  }

  /** A question still waiting for its answer, or null (answered, expired, or unknown). */
  private async pending(id: string, ctx: CallContext): Promise<Approval | null> {
    const found = await this.tryCall('approvals.get', { id }, ctx);
    return found.ok && found.value.status === 'pending' ? found.value : null;
  }

  /** A router call, typed by the contract. */
  private tryCall<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<Result<MethodOutput<M>>> {
    return this.deps.router.call(method, input, ctx);
  }

  /** A router call that throws the contract's error (in the user's words) instead of returning it. */
  call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<MethodOutput<M>> {
    return callOrThrow(this.deps.router, method, input, ctx);
  }

  /** A short answer in a chat, through the outbox so it survives a rate limit. */
  say(chatKey: string, markdown: string, buttons?: ChatButton[][]): void {
    if (!this.adapter) return;
    const parts = this.adapter.format(markdown);
    this.outbox.enqueue(
      parts.map((text, i) => ({ chatKey, op: 'send', payload: { text, ...(buttons && i === parts.length - 1 ? { buttons } : {}) }, dedupe: `say:${chatKey}:${Date.now()}:${Math.random()}:${i}` })),
    );
  }

  /** The chats a session is bound to here (the turn's changes line goes to them). */
  chatsFor(sessionId: string): string[] {
    return this.adapter ? this.chatsOf(sessionId).map((b) => b.chatKey) : [];
  }

  /** Resolves once a turn's final reply to a chat is in the outbox: a note about the turn comes after it. */
  replyFinished(chatKey: string, turnId: string): Promise<void> {
    return this.finishing.get(`${chatKey}|${turnId}`) ?? Promise.resolve();
  }

  /** A file for a chat, through the outbox (sent once, retried on rate limits). */
  sendDocument(chatKey: string, fileName: string, content: Buffer, dedupe: string): void {
    this.outbox.enqueue([{ chatKey, op: 'document', payload: { fileName, content: content.toString('base64') }, dedupe }]);
  }

  /** A message through the outbox with a stable dedupe key, so an event seen twice is sent once. */
  sayOnce(chatKey: string, markdown: string, dedupe: string, buttons?: ChatButton[][]): void {
    if (!this.adapter) return;
    const [text] = this.adapter.format(markdown);
    this.outbox.enqueue([{ chatKey, op: 'send', payload: { text: text!, ...(buttons ? { buttons } : {}) }, dedupe }]);
  }

  private commandContext(chatKey: string, ctx: CallContext): CommandContext {
    return {
      chatKey,
      ctx,
      bridge: this,
      call: (method, input) => this.call(method, input, ctx),
      reply: (markdown, buttons) => this.say(chatKey, markdown, buttons),
      session: async () => {
        const id = await this.sessionOf(chatKey, ctx);
        return this.call('sessions.get', { id }, ctx);
      },
    };
  }
}

/** Why a file could not be fetched, in words: Telegram lets bots download 20 MB at most. */
function downloadFailure(error: unknown): string {
  const message = errorMessage(error);
  if (/file is too big|over 20 MB/i.test(message)) return 'it is larger than the 20 MB a bot may download';
  return message;
}

/** "running Bash: git status": what a tool call is doing, in one line. */
function toolLine(data: unknown): string {
  const { name, input } = (data ?? {}) as { name?: string; input?: Record<string, unknown> };
  const detail = input && (toolCallDetail(input) ?? input.description);
  return `running ${name ?? 'a tool'}${detail ? `: ${String(detail).split('\n')[0]!.slice(0, 80)}` : ''}`;
}
