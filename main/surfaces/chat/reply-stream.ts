import type { ChatAdapter } from './adapter';
import { SendFailure } from './adapter';

/** At most one edit a chat per this long: Telegram allows about one a second per chat (Discord five in five seconds), and a little over keeps two out of any one second. */
export const EDIT_INTERVAL_MS = 1050;

/**
 * One reply being written into one chat: the first text goes out as a message at once, then that
 * message is edited while text arrives, at most once per interval, each edit carrying everything so
 * far (so edits held back by a rate limit coalesce). The final text is not sent here: `finish` hands
 * back the message to put it in, and the outbox sends it exactly once.
 */
export class ReplyStream {
  private readonly blocks: string[] = [];
  private current = '';
  private activity: string | null = null;
  private shown = '';
  private lastEdit = 0;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private dirty = false;
  /** A flush is due as soon as the current work ends (see schedule). */
  private queued = false;
  private finished = false;
  private readonly typing: NodeJS.Timeout;

  constructor(
    private readonly adapter: ChatAdapter,
    readonly chatKey: string,
    /** The message already showing this reply (after a restart), if any. */
    public messageId: string | null,
    private readonly interval = EDIT_INTERVAL_MS,
    private readonly onMessage: (messageId: string) => void = () => {},
  ) {
    // After the work in hand (the CLIs' lines among it, see ClaudeProcess): the indicator can wait a
    // moment, the CLI that writes the reply should not.
    setImmediate(() => void adapter.typing(chatKey));
    this.typing = setInterval(() => void adapter.typing(chatKey), adapter.typingMs - 500);
    this.typing.unref();
  }

  /** Text streamed of the block being written. */
  delta(text: string): void {
    this.current += text;
    this.activity = null;
    this.schedule();
  }

  /** A block of text is complete (it may differ from what streamed: it is the stored text). */
  block(text: string): void {
    this.blocks.push(text);
    this.current = '';
    this.schedule();
  }

  /** Claude is using a tool: shown briefly under the text until more text comes. */
  tool(line: string): void {
    this.activity = line;
    this.schedule();
  }

  /** When the next edit of this chat may go out, at the earliest. */
  get nextEditAt(): number {
    return this.lastEdit + this.interval;
  }

  /** Everything written so far, as Markdown. */
  get text(): string {
    return [...this.blocks, this.current].filter((t) => t.trim()).join('\n\n');
  }

  /** Stops streaming; resolves once no edit is in flight, with the message the final text belongs in. */
  async finish(): Promise<string | null> {
    this.finished = true;
    clearInterval(this.typing);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
    return this.messageId;
  }

  private schedule(): void {
    if (this.finished) return;
    if (this.timer || this.inflight || this.queued) {
      this.dirty = true;
      return;
    }
    const wait = this.lastEdit + this.interval - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.flush(), wait);
      return;
    }
    // Due now (the first text, or an edit after a pause): right after the text that arrived with it
    // (the rest of that output chunk coalesces), not behind a timer turn of a busy event loop.
    this.queued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.timer = null;
    this.queued = false;
    this.dirty = false;
    const markdown = this.activity ? `${this.text}\n\n_${this.activity}_` : this.text;
    // While streaming, the first message's worth shows; the rest arrives with the final text.
    const view = markdown.trim() ? this.adapter.format(markdown)[0] : undefined;
    if (!view || view === this.shown || this.finished) return;
    this.lastEdit = Date.now();
    this.inflight = this.show(view).finally(() => {
      this.inflight = null;
      if (this.dirty) this.schedule();
    });
  }

  private async show(view: string): Promise<void> {
    try {
      if (this.messageId) await this.adapter.edit(this.chatKey, this.messageId, view);
      else {
        this.messageId = await this.adapter.send(this.chatKey, view);
        this.onMessage(this.messageId);
      }
      this.shown = view;
      // Paced from when the call came back too: a call slow to leave (a busy machine) and the next one on
      // time would otherwise reach the chat app closer together than its limit.
      this.lastEdit = Math.max(this.lastEdit, Date.now());
    } catch (error) {
      // A streamed view is only a preview: a failure (a rate limit, a parse error of half-written
      // Markdown) waits for the next edit or the final text, which the outbox guarantees.
      if (error instanceof SendFailure && error.kind === 'rate_limited') this.lastEdit = Date.now() + error.retryAfterMs - this.interval;
    }
  }
}
