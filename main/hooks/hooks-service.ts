import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import path from 'node:path';
import { ruleSuggestions } from '../claude/stream-parser';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { DisposableStore, toDisposable } from '../disposable';
import { callOrThrow, type CallContext, type ContractCaller } from '../ipc/router';
import { log } from '../log';
import { RequestStore, withTimeout } from '../request-store';
import type { Notifier } from '../notifier';
import { readBody, type LoopbackServer } from '../server/loopback-server';
import type { SettingsService } from '../settings/settings-service';
import { parseHookInput, type HookInput } from './hook-input';

/** The owner's answer to a terminal's question, as the hook passes it on. */
export type HookAnswer = { allow: true; input: Record<string, unknown> } | { allow: false; message: string };

/** How a hook calls the contract: the hooks surface, the terminal's Claude session as the actor. */
function hookCaller(claudeSessionId: string | undefined): CallContext {
  return { surface: 'hook', actor: `hook:${claudeSessionId ?? 'unknown'}` };
}

const project = (cwd: string | undefined) => (cwd ? path.basename(cwd) || cwd : 'a project');

/**
 * Claude Code sessions that Switchboard did not start (a terminal, an IDE) reach it through the
 * plugin's HTTP hooks, with the hooks token: their permission questions go to the one broker (window
 * and phone, first answer wins, the terminal's own prompt still works), notifications and stops reach
 * the desktop and Telegram, and a reply to a stop can continue the session. Switchboard's own sessions
 * are left alone: they ask over their own channel.
 */
export class HooksService implements Service {
  readonly name = 'hooks';
  /** Stops holding their terminal for a reply, by id: each ends at a reply, the window's end, the terminal leaving, or a stop. */
  private readonly stops = new RequestStore<null, string>();
  /** Questions waiting, by the tool call they are about: the call's result in the transcript means the terminal answered. */
  private readonly byToolUse = new Map<string, { id: string; caller: CallContext }>();
  /** Questions and stops under way that the plugin's hook polls for, by the id it was given. */
  private readonly waiting = new Map<string, Waiting>();
  /** What start() opened and stop() releases. */
  private opened = new DisposableStore();

  constructor(
    private readonly deps: {
      /** The loopback server, when there is one (built after this, with the router: read at start). */
      server: () => LoopbackServer | null;
      /** The contract, which a hook calls as its terminal's session (`hook:<Claude session id>`): questions, and whose session it is. */
      router: ContractCaller;
      events: EventBus;
      notifier: Notifier;
      settings: SettingsService;
    },
  ) {}

  start(): void {
    this.deps.server()?.route({ prefix: '/hooks', scope: 'hooks', handle: (req, res) => this.handle(req, res) });
    this.opened = new DisposableStore();
    // The transcript follower sees the terminal's own answer: the tool ran (or was refused) there.
    this.opened.add(
      toDisposable(
        this.deps.events.on('sessions.stream', ({ item }) => {
          if (item.kind !== 'message' || item.message.kind !== 'tool_result') return;
          const asked = this.byToolUse.get((item.message.data as { toolUseId?: string } | null)?.toolUseId ?? '');
          if (asked) this.withdraw(asked.id, asked.caller, 'Answered in the terminal.');
        }),
      ),
    );
  }

  stop(): void {
    this.opened.dispose();
    // A terminal waiting on a stop goes on as if nobody replied.
    for (const [id] of this.stops.entries()) this.stops.reply(id, '');
    for (const id of [...this.waiting.keys()]) this.forget(id);
  }

  /** A reply to a stopped session, within its window: it goes on with the text as the reason. */
  reply(id: string, text: string): { continued: boolean } {
    if (!this.stops.reply(id, text)) throw new AppError('not_found', 'That session is not waiting any more: its reply window has passed, or it went on.');
    return { continued: true };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const waitFor = /^\/hooks\/wait\/([\w-]{1,100})$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (waitFor) return this.poll(waitFor[1]!, req, res);
    const text = await readBody(req, 1024 * 1024);
    if (text === undefined) return;
    if (text === null) return answer(res, 413, { error: 'the hook body is over 1 MB' });
    const parsed = parseHookInput(text);
    if (!parsed.ok) return answer(res, 400, { error: parsed.error });
    const input: HookInput = parsed.input;
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    // Switchboard's own sessions ask over their own channel: their hooks answer nothing.
    if (input.session_id && (await this.runsHere(input.session_id))) return answer(res, 200, {});
    const waits = route === '/hooks/permission' || route === '/hooks/stop';
    if (!waits) return route === '/hooks/notification' ? answer(res, 200, this.notification(input)) : answer(res, 404, { error: `no hook ${route}` });
    // The plugin's hook polls (it can then tell a waiting Switchboard from a frozen one); an HTTP hook holds its request.
    const polled = req.headers['x-switchboard-poll'] === '1';
    const gone = new AbortController();
    // The response closing before it was answered: the terminal stopped waiting (a listener on the response, not on a kept-alive socket).
    if (!polled) res.once('close', () => res.writableEnded || gone.abort());
    // A stop the hook sent in the background (Reply to continue off where it stands): nobody waits for an answer.
    const detached = new URL(req.url ?? '/', 'http://x').searchParams.get('detached') === '1';
    const work = (route === '/hooks/permission' ? this.permission(input, gone.signal) : this.stopped(input, gone.signal, detached)).catch((error: unknown) => {
      // The terminal goes on as without Switchboard; the log keeps why.
      log.error('hooks: a hook failed', error);
      return {};
    });
    if (!polled) return answer(res, 200, await work);
    const done = await withTimeout(work, FIRST_ANSWER_MS, null);
    if (done) return answer(res, 200, done);
    const id = randomUUID();
    const waiting: Waiting = { work, gone, deadline: setTimeout(() => this.forget(id), POLL_GAP_MS) };
    waiting.deadline.unref();
    this.waiting.set(id, waiting);
    void work.then(() => waiting.deadline.refresh());
    return answer(res, 200, { pending: id });
  }

  /**
   * The plugin's hook asking again for a question or stop under way: the answer once there is one,
   * else `{pending}` after a few seconds. A poll that goes away unanswered, or none for a while, means
   * the terminal stopped waiting (answered at the keyboard, Ctrl-C).
   */
  private async poll(id: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.resume();
    const waiting = this.waiting.get(id);
    // Not known (any more): the terminal decides, as without Switchboard.
    if (!waiting) return answer(res, 200, {});
    waiting.deadline.refresh();
    let closed = false;
    const onClose = () => {
      closed = true;
      if (!res.writableEnded) this.forget(id);
    };
    res.once('close', onClose);
    const done = await withTimeout(waiting.work, POLL_ANSWER_MS, null);
    res.off('close', onClose);
    if (closed) return;
    if (!done) {
      waiting.deadline.refresh();
      return answer(res, 200, { pending: id });
    }
    this.waiting.delete(id);
    clearTimeout(waiting.deadline);
    answer(res, 200, done);
  }

  /** The terminal stopped waiting for this one. */
  private forget(id: string): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    clearTimeout(waiting.deadline);
    waiting.gone.abort();
  }

  /**
   * Claude Code would ask now (it fires this only for what the user's own rules and mode do not allow, in
   * a terminal and, measured with 2.1.329, in `claude -p` too): the window and the phone are asked as
   * well, first answer wins.
   */
  private async permission(input: HookInput, gone: AbortSignal): Promise<object> {
    const reply = await this.ask(input, gone);
    if (!reply) return {};
    const decision = reply.allow ? { behavior: 'allow', ...(input.tool_name === 'AskUserQuestion' ? { updatedInput: reply.input } : {}) } : { behavior: 'deny', message: reply.message };
    return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } };
  }

  private notification(input: HookInput): object {
    const title = `Claude Code · ${project(input.cwd)}`;
    const text = input.message ?? 'Claude Code needs you.';
    this.deps.notifier.notify({ title, body: text });
    this.deps.events.emit('user.note', { title, text, filePath: null, from: `hook:${input.session_id ?? 'unknown'}`, at: Date.now(), notificationType: input.notification_type ?? null });
    return {};
  }

  /**
   * A stop: its last message goes out; a reply within the window (when on) continues the same session.
   * The terminal is held only while the window is on, for the window at most, and never for a stop
   * that follows a continuation (`stop_hook_active`): one reply continues once.
   */
  private async stopped(input: HookInput, gone: AbortSignal, detached = false): Promise<object> {
    const windowMs = input.stop_hook_active || detached ? 0 : this.deps.settings.get('hooks.replyWindowSeconds') * 1000;
    const id = randomUUID();
    const lastMessage = (input.last_assistant_message ?? '').slice(0, 20_000);
    this.deps.notifier.notify({ title: `Claude Code finished · ${project(input.cwd)}`, body: lastMessage.slice(0, 200) });
    this.deps.events.emit('hooks.stopped', {
      id,
      project: project(input.cwd),
      cwd: input.cwd ?? '',
      claudeSessionId: input.session_id ?? '',
      lastMessage,
      replyUntil: windowMs ? Date.now() + windowMs : null,
      at: Date.now(),
    });
    if (!windowMs) return {};
    const replied = this.stops.create(id, null, windowMs, () => this.stops.reply(id, ''));
    // The terminal gave up waiting (Ctrl-C, or the hook's own timeout): nobody continues it any more.
    gone.addEventListener('abort', () => this.stops.reply(id, ''));
    const reply = await replied;
    this.deps.events.emit('hooks.stopEnded', { id, replied: !!reply });
    return reply ? { decision: 'block', reason: reply } : {};
  }

  /** Whether Switchboard itself runs this Claude session (asked through the contract). */
  private async runsHere(claudeSessionId: string): Promise<boolean> {
    const found = await this.deps.router.call('sessions.ofClaude', { claudeSessionId }, hookCaller(claudeSessionId));
    return found.ok && found.value.runsHere;
  }

  /** Takes a question back: the terminal answered first, or stopped waiting. */
  private withdraw(id: string, caller: CallContext, reason: string): void {
    void this.deps.router.call('approvals.withdraw', { id, reason }, caller).then((result) => {
      if (!result.ok && result.error.code !== 'not_found') log.warn('hooks: a question could not be taken back', { id, error: result.error.message });
    });
  }

  /**
   * One question in the broker, for as long as the terminal waits: an answer there wins; the terminal
   * answering first (its request goes away) settles the card everywhere as answered in the terminal.
   */
  private async ask(input: HookInput, gone: AbortSignal): Promise<HookAnswer | null> {
    const caller = hookCaller(input.session_id);
    const toolName = input.tool_name ?? 'a tool';
    const asked = await callOrThrow(
      this.deps.router,
      'approvals.ask',
      {
        toolName,
        input: input.tool_input ?? {},
        // The CLI's narrow suggestion (`Bash(touch a.txt)`); without one, "always" names this very call (defaultRuleFor).
        suggestions: ruleSuggestions(input.permission_suggestions).slice(0, 50),
        description: `Claude Code in ${input.cwd ?? 'a terminal'}${input.tool_input?.description ? `: ${String(input.tool_input.description)}` : ''}`.slice(0, 2000),
      },
      caller,
    );
    // Allowed at once by a saved rule (or this session's).
    if (asked.status === 'allowed') return { allow: true, input: asked.input };
    const { id } = asked;
    if (input.tool_use_id) this.byToolUse.set(input.tool_use_id, { id, caller });
    const left = new Promise<'gone'>((resolve) => (gone.aborted ? resolve('gone') : gone.addEventListener('abort', () => resolve('gone'))));
    // The terminal's own wait: past it, the terminal decides as it would without Switchboard.
    const waitSeconds = this.deps.settings.get('hooks.questionWaitSeconds');
    const reply = await Promise.race([callOrThrow(this.deps.router, 'approvals.wait', { id, timeoutMs: waitSeconds * 1000 }, caller), left]);
    if (input.tool_use_id) this.byToolUse.delete(input.tool_use_id);
    if (reply === 'gone') {
      this.withdraw(id, caller, 'Answered in the terminal.');
      return null;
    }
    if (reply.status === 'pending') {
      this.withdraw(id, caller, `No answer here within ${waitSeconds} s: the terminal decided.`);
      return null;
    }
    if (reply.status === 'allowed') return { allow: true, input: reply.input };
    if (reply.status === 'denied') return { allow: false, message: reply.message };
    // Expired in the broker (nobody answered): the terminal decides, as if Switchboard were not there.
    return null;
  }
}

/** How long the first request of a polled hook waits for an answer before it says `{pending}`; the hook's first request gives up after 3 s. */
const FIRST_ANSWER_MS = 1000;
/** How long a poll waits for the answer; the hook gives up on a poll after 5 s (a frozen Switchboard). */
const POLL_ANSWER_MS = 3000;
/** No poll for this long: the terminal stopped waiting. */
const POLL_GAP_MS = 8000;

interface Waiting {
  work: Promise<object>;
  gone: AbortController;
  deadline: NodeJS.Timeout;
}

function answer(res: http.ServerResponse, status: number, body: object): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
