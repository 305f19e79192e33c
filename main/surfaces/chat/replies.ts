import { toolCallDetail } from '../../../contract';
import type { StreamItem, Turn } from '../../../contract';
import { log } from '../../log';
import type { ChatKit } from './kit';
import type { OutboxEntry } from './outbox';
import { ReplyStream } from './reply-stream';

/** A reply longer than this many messages also arrives as a Markdown file, easier to read and keep. */
const DOCUMENT_AFTER_PARTS = 3;

/** "running Bash: git status": what a tool call is doing, in one line. */
function toolLine(data: unknown): string {
  const { name, input } = (data ?? {}) as { name?: string; input?: Record<string, unknown> };
  const detail = input && (toolCallDetail(input) ?? input.description);
  return `running ${name ?? 'a tool'}${detail ? `: ${String(detail).split('\n')[0]!.slice(0, 80)}` : ''}`;
}

const ended = (turn: Turn) => turn.status !== 'running' && turn.status !== 'queued';

/**
 * A reply's life in every chat showing its session: typing and throttled edits while Claude writes
 * (a `ReplyStream` per chat and turn), then the final text through the outbox (split to fit, the
 * streamed message edited to the first part, a long one also as a file), and after a restart the
 * replies it cut off, finished once.
 */
export class Replies {
  private readonly streams = new Map<string, ReplyStream>();
  /** Turn id → the chat it was sent from (it is not echoed back there). */
  private readonly origins = new Map<string, string>();
  /** Final replies being put in the outbox, by `<chat>|<turn>`: what follows a turn (its changes) waits for them. */
  private readonly finishing = new Map<string, Promise<void>>();

  constructor(
    private readonly kit: ChatKit,
    private readonly options: {
      /** Edits per chat at most this often (ms). */
      editIntervalMs?: number;
      /** A turn of a session no chat here shows: a done note may go out instead. */
      unshown(turn: Turn): void;
    },
  ) {}

  /** A message a chat sent became this turn. */
  sentFrom(turnId: string, chatKey: string): void {
    this.origins.set(turnId, chatKey);
  }

  /** Resolves once a turn's final reply to a chat is in the outbox: a note about the turn comes after it. */
  finished(chatKey: string, turnId: string): Promise<void> {
    return this.finishing.get(`${chatKey}|${turnId}`) ?? Promise.resolve();
  }

  /** The bot disconnects: streams stop where they are (the outbox finishes their replies once it is back). */
  async stop(): Promise<void> {
    for (const stream of this.streams.values()) await stream.finish();
    this.streams.clear();
  }

  onStream(sessionId: string, turnId: string | null, item: StreamItem): void {
    const adapter = this.kit.adapter();
    if (!adapter || !turnId) return;
    const chats = this.kit.store.chatsOf(sessionId);
    if (!chats.length) return void (item.kind === 'turn' && this.options.unshown(item.turn));
    for (const { chatKey } of chats) {
      const key = `${chatKey}|${turnId}`;
      let stream = this.streams.get(key);
      if (item.kind === 'turn' && item.turn.status === 'running' && !stream) {
        this.kit.store.replyStarted(chatKey, turnId);
        // A message from elsewhere (the window, another chat of this session) shows before its answer.
        const origin = this.origins.get(turnId);
        if (item.turn.surface !== this.kit.surface || (origin && origin !== chatKey)) this.echoPrompt(chatKey, item.turn);
        // The streamed message is kept with the reply, so a restart puts the final text in it.
        stream = new ReplyStream(adapter, chatKey, null, this.options.editIntervalMs, (id) => this.kit.store.replyShownIn(chatKey, turnId, id));
        this.streams.set(key, stream);
        continue;
      }
      if (!stream) continue;
      if (item.kind === 'text_delta') stream.delta(item.text);
      else if (item.kind === 'message' && item.message.role === 'assistant' && item.message.kind === 'text') stream.block(item.message.text);
      else if (item.kind === 'message' && item.message.kind === 'tool_use') stream.tool(toolLine(item.message.data));
      else if (item.kind === 'turn' && ended(item.turn)) {
        this.streams.delete(key);
        const finishing = this.finish(chatKey, item.turn, stream).catch((error: unknown) => {
          log.error(`${this.kit.surface}: a reply could not be finished`, error);
        });
        this.finishing.set(key, finishing);
        void finishing.then(() => this.finishing.get(key) === finishing && this.finishing.delete(key));
      }
    }
    if (item.kind === 'turn' && ended(item.turn)) this.origins.delete(turnId);
  }

  /** A message sent from elsewhere (the window, another chat) shows here before its answer. */
  private echoPrompt(chatKey: string, turn: Turn): void {
    const from = turn.surface === this.kit.surface ? 'another chat' : turn.surface === 'desktop' ? 'the desktop app' : turn.surface === 'browser' ? 'a browser' : `the ${turn.surface} surface`;
    this.kit.sayOnce(chatKey, `💬 *From ${from}:*\n\n${turn.prompt}`, { kind: 'prompt', turnId: turn.id }, `prompt:${turn.id}:${chatKey}`);
  }

  /** The final text, through the outbox: the streamed message edited to the first part, the rest as new messages. */
  private async finish(chatKey: string, turn: Turn, stream: ReplyStream | null, shownIn: string | null = null): Promise<void> {
    const messageId = stream ? await stream.finish() : shownIn;
    const text = stream?.text || turn.resultText || '';
    const failed = turn.status !== 'done';
    const markdown = [text, failed ? `⚠️ _The turn ${turn.status}${turn.error ? `: ${turn.error}` : ''}_` : '', !text.trim() && !failed ? '_(Claude finished without text.)_' : '']
      .filter(Boolean)
      .join('\n\n');
    const adapter = this.kit.adapter();
    const parts = adapter ? adapter.format(markdown) : [];
    const about = { kind: 'reply', turnId: turn.id } as const;
    const entries: OutboxEntry[] = parts.map((part, i) => ({
      chatKey,
      about,
      op: i === 0 && messageId ? 'edit' : 'send',
      payload: { text: part, ...(i === 0 && messageId ? { messageId } : {}) },
      dedupe: `final:${turn.id}:${chatKey}:${i}`,
      // The chat's later messages wait behind this one, so the pace holds for all of them.
      ...(i === 0 && stream ? { notBefore: stream.nextEditAt } : {}),
    }));
    if (parts.length > DOCUMENT_AFTER_PARTS) {
      entries.push({ chatKey, about, op: 'document', payload: { fileName: `reply-${turn.id.slice(0, 8)}.md`, content: Buffer.from(markdown).toString('base64'), caption: 'The whole reply as a file' }, dedupe: `final:${turn.id}:${chatKey}:document` });
    }
    this.kit.store.transaction(() => {
      this.kit.outbox.enqueue(entries);
      this.kit.store.replyFinished(chatKey, turn.id, messageId);
    });
  }

  /** Replies a restart cut off: their turn has ended by now (a start marks leftovers failed), so their final text goes out once. */
  resume(): void {
    const bot = this.kit.caller('bot');
    for (const reply of this.kit.store.openReplies()) {
      void (async () => {
        const turn = await this.kit.tryCall('sessions.turn', { turnId: reply.turnId }, bot);
        if (!turn.ok) return void this.kit.store.forgetReply(reply.turnId);
        if (!ended(turn.value)) return;
        const transcript = await this.kit.call('sessions.transcript', { id: turn.value.sessionId, limit: 2000 }, bot);
        const text = transcript.messages.filter((m) => m.turnId === reply.turnId && m.role === 'assistant' && m.kind === 'text').map((m) => m.text).join('\n\n');
        await this.finish(reply.chatKey, { ...turn.value, resultText: text || turn.value.resultText }, null, reply.messageId);
      })().catch((error: unknown) => log.error(`${this.kit.surface}: could not finish a reply after a restart`, error));
    }
  }
}
