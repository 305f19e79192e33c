import type { ChatSurface, MethodInput, MethodName, MethodOutput, Task } from '../../../contract';
import type { EventBus } from '../../events';
import type { CallContext } from '../../ipc/router';
import { log } from '../../log';
import type { Outbox } from './outbox';

/** What answering tasks needs of a chat app's bridge. */
interface ChatBridge {
  readonly surface: ChatSurface;
  readonly outbox: Outbox;
  call<M extends MethodName>(method: M, input: MethodInput<M>, ctx: CallContext): Promise<MethodOutput<M>>;
  deliverTask(chatKey: string, task: Task): Promise<void>;
}

/** How far back a missed answer is still sent: inside the outbox's week of memory, so never twice. */
const CATCH_UP_MS = 6 * 86_400_000;

const ended = (task: Task) => task.status !== 'queued' && task.status !== 'running';

/** The answer of a task asked for in one of this app's chats: to that chat, once (the outbox's key). */
function deliver(bridge: ChatBridge, task: Task): void {
  const to = task.replyTo;
  if (!to || to.surface !== bridge.surface || !ended(task)) return;
  if (bridge.outbox.has(`task:${task.id}:${to.chatKey}`)) return;
  void bridge.deliverTask(to.chatKey, task).catch((error: unknown) => log.error(`${bridge.surface}: a task's answer could not be sent`, error, { taskId: task.id }));
}

/**
 * A background task's answer (/task) goes back to the chat that asked when it ends, wherever it was
 * started from and across restarts: nothing waits in memory for it. Returns the unsubscribe function.
 */
export function taskAnswers(bridge: ChatBridge, events: EventBus): () => void {
  return events.on('tasks.changed', (task) => deliver(bridge, task));
}

/** Answers that ended while the bot was off or Switchboard was stopped: sent once it is connected. */
export async function sendMissedTaskAnswers(bridge: ChatBridge): Promise<void> {
  const tasks = await bridge.call('tasks.list', { limit: 500 }, { surface: bridge.surface, actor: `${bridge.surface}:bot` });
  const since = Date.now() - CATCH_UP_MS;
  for (const task of tasks) if ((task.endedAt ?? 0) > since) deliver(bridge, task);
}
