import type { ChatSurface, MethodInput, MethodName, MethodOutput, Result } from '../../../contract';
import type { EventBus } from '../../events';
import type { CallContext } from '../../ipc/router';
import type { SecretStore } from '../../secrets/secret-store';
import type { SendRules } from '../../sendable-file';
import type { SettingsService } from '../../settings/settings-service';
import type { ChatAccess } from './access';
import type { ChatAdapter, ChatButton } from './adapter';
import type { ChatStore } from './chat-store';
import type { Outbox, OutboxAbout } from './outbox';
import type { ChatAppFacts } from './surfaces';

/**
 * What the bridge's parts (replies, cards, deliveries, conversations, message handlers) share: the chat
 * app's facts, its store, access and outbox, the contract as the bot or a person, and short answers.
 * The bridge implements it; the parts import only this interface, never the bridge.
 */
export interface ChatKit {
  readonly surface: ChatSurface;
  readonly facts: ChatAppFacts;
  readonly store: ChatStore;
  readonly access: ChatAccess;
  readonly outbox: Outbox;
  readonly settings: SettingsService;
  /** The bot's token and the transcription key. */
  readonly secrets: SecretStore;
  readonly events: EventBus;
  /** What a file sent to a chat is checked against again as it is read. */
  readonly files: SendRules;
  /** The connected adapter; null while the bot is off. */
  adapter(): ChatAdapter | null;
  /** The contract as a person of this chat app (`telegram:<id>`), or the bot itself (`bot`). */
  caller(userId: string): CallContext;
  /** A router call that throws the contract's error (in the user's words). */
  call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<MethodOutput<M>>;
  /** A router call answering a `Result`. */
  tryCall<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<Result<MethodOutput<M>>>;
  /** A short answer in a chat, through the outbox. */
  say(chatKey: string, markdown: string, buttons?: ChatButton[][]): void;
  /** A message sent once under a stable key (an event seen twice is one message). */
  sayOnce(chatKey: string, markdown: string, about: OutboxAbout, dedupe: string, buttons?: ChatButton[][]): void;
  /** A failure told in the chat in words, with an id the log has. */
  warn(chatKey: string, what: string, words: string, error: unknown, withStack?: boolean, details?: Record<string, unknown>): void;
  /** A window address (`#/sessions/<id>`) as a link, or null when the window's address is unknown. */
  link(hash: string): string | null;
  windowUrl(): string | null;
  /** Private chats of the allowed people: where notes go that no chat asked for. */
  ownerChats(): string[];
  /** The allowlist, waiting codes or bound channels changed: Settings reloads them. */
  accessChanged(): void;
}
