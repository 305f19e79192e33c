import type { MethodInput, MethodName, MethodOutput, SessionSummary, Task } from '../../../contract';
import type { CallContext } from '../../ipc/router';
import type { ChatButton } from './adapter';
import type { OutboxAbout } from './outbox';

/**
 * What a command may do, and nothing more: call the contract as the person who typed it, answer, see
 * or change the chat's session, and send what it made. Commands get this, not the whole chat bridge.
 */
export interface CommandContext {
  chatKey: string;
  ctx: CallContext;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  reply(markdown: string, buttons?: ChatButton[][]): void;
  /** The chat's session (made when the chat has none yet). */
  session(): Promise<SessionSummary>;
  /** A fresh session for this chat (in a folder, in a worktree of its own); the old one stays in history. */
  renew(cwd?: string, worktree?: boolean): Promise<SessionSummary>;
  /** This chat continues another session. */
  bind(sessionId: string): void;
  /** Folders offered as buttons, which name them by index. */
  offerFolders(folders: string[]): void;
  offeredFolder(index: number): string | undefined;
  /** A background task's answer and files, here. */
  deliverTask(task: Task): Promise<void>;
  /** A file, through the outbox (sent once under its key). */
  sendDocument(fileName: string, content: Buffer, about: OutboxAbout, dedupe: string): void;
}

/** A chat command: one entry of the table in `commands.ts` (Telegram's menu, Discord's slash commands, /help). */
export interface ChatCommand {
  name: string;
  description: string;
  /** What the command takes after its name (a slash command declares it as an option). */
  argument?: { name: string; description: string };
  /** Only for people who may manage messages where the chat app has such a right (Discord). */
  moderated?: boolean;
  run(c: CommandContext, args: string): Promise<void>;
  /** Buttons this command offers carry `<button>:…`; a press comes back here. */
  button?: string;
  press?(c: CommandContext, args: string[]): Promise<void>;
}
