import { fork, type ChildProcess } from 'node:child_process';
import { FakeTelegram, type FakeUser } from '../main/testing/fake-telegram';
import { checkUntil } from '../main/testing/wait';

/** What the benchmark reads of a call: which chat, when it arrived, how it was answered. */
export interface CallSeen {
  method: string;
  chatId: number;
  at: number;
  status: number;
}

/** A bot message as it shows now. */
export interface MessageSeen {
  messageId: number;
  chatId: number;
  text: string;
}

type FromChild = { ready: { url: string; token: string } } | { calls: CallSeen[]; messages: MessageSeen[] };
type ToChild = { send: { user: FakeUser; text: string } };

/**
 * The Telegram stand-in in a process of its own, as Telegram's servers are: in the benchmark's process
 * its server read each request only once the core's event loop got to it, so a message the core had
 * already written waited behind the core's other work (measured: 20-30 ms of a 25 ms bridge figure).
 * The parent keeps a copy of the calls and of the bot's messages, sent after every call.
 */
export class TelegramProcess {
  readonly calls: CallSeen[] = [];
  url = '';
  token = '';
  private readonly messages = new Map<number, MessageSeen>();
  private readonly listeners = new Set<() => void>();
  private child: ChildProcess | null = null;

  async start(): Promise<this> {
    const child = fork(import.meta.filename, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: FromChild) => {
        if ('ready' in message) {
          ({ url: this.url, token: this.token } = message.ready);
          return resolve();
        }
        this.calls.push(...message.calls);
        for (const m of message.messages) this.messages.set(m.messageId, m);
        for (const listener of [...this.listeners]) listener();
      });
      child.once('exit', (code) => reject(new Error(`the Telegram stand-in exited with ${code}`)));
    });
    return this;
  }

  /** A user writes in their private chat. */
  send(user: FakeUser, text: string): void {
    this.child?.send({ send: { user, text } } satisfies ToChild);
  }

  /** The bot's messages in a chat, oldest first. */
  chat(chatId: number): MessageSeen[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId);
  }

  until<T>(check: () => T | undefined | null | false, ms = 20_000, what = 'the bot'): Promise<T> {
    return checkUntil(this.listeners, check, ms, what);
  }

  stop(): void {
    this.child?.kill();
  }
}

// Run as the child: serve, and tell the parent about every call.
if (process.argv[1] === import.meta.filename) {
  const tg = await new FakeTelegram().start();
  const shown = new Map<number, string>();
  let sent = 0;
  tg.onCall(() => {
    const calls = tg.calls.slice(sent).map((c) => ({ method: c.method, chatId: Number(c.params.chat_id), at: c.at, status: c.status }));
    sent = tg.calls.length;
    const messages = tg.messages
      .filter((m) => m.from_bot && !m.deleted && shown.get(m.message_id) !== m.text)
      .map((m) => (shown.set(m.message_id, m.text), { messageId: m.message_id, chatId: m.chat_id, text: m.text }));
    process.send!({ calls, messages } satisfies FromChild);
  });
  process.on('message', (message: ToChild) => void tg.send(message.send.user, message.send.text));
  process.on('disconnect', () => void tg.stop().then(() => process.exit(0)));
  process.send!({ ready: { url: tg.url, token: tg.token } } satisfies FromChild);
}
