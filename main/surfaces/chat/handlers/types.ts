import type { CallContext } from '../../../ipc/router';
import type { AccessState } from '../access';
import type { IncomingMessage, IncomingPress } from '../adapter';
import type { CommandContext } from '../command-context';
import type { ChatKit } from '../kit';

/** One message on its way down the handlers: what it is, who sent it, and what will reach Claude. */
export interface Incoming {
  readonly message: IncomingMessage;
  /** The sender as the contract sees them (`telegram:<id>`). */
  readonly ctx: CallContext;
  /** What reaches Claude: the message's words, then a line for each file it brought (the files step adds them). */
  text: string;
}

/** What the handlers may use of the bridge: its kit, and the few things its other parts know. */
export interface HandlerParts {
  kit: ChatKit;
  /** Notes a message's thread and chat name (a new session's title, a thread's project). */
  remember(m: IncomingMessage): void;
  /** How groups are answered here, for this message's chat. */
  groups(m: IncomingMessage): AccessState['groups'];
  sessionOf(chatKey: string, ctx: CallContext): Promise<string>;
  commandContext(chatKey: string, ctx: CallContext): CommandContext;
  /** A reply to a question card answers it; whether it was one. */
  typedAnswer(m: IncomingMessage, ctx: CallContext): Promise<boolean>;
  /** The terminal stop whose note this message is, if any. */
  stopAt(chatKey: string, messageId: string): string | undefined;
  /** The turn a message became, so its answer is not echoed back to where it came from. */
  sentFrom(turnId: string, chatKey: string): void;
}

/** One step: `done` ends the message here, `next` hands it on. */
export type MessageHandler = (incoming: Incoming, parts: HandlerParts) => Promise<'done' | 'next'>;

/** What a button press may use: the kit, the cards' answers, and commands' buttons. */
export interface PressParts {
  kit: ChatKit;
  permission(p: IncomingPress, ctx: CallContext, args: string[]): Promise<void>;
  option(p: IncomingPress, ctx: CallContext, args: string[]): Promise<void>;
  commandContext(chatKey: string, ctx: CallContext): CommandContext;
}
