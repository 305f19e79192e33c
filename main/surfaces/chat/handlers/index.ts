import type { CallContext } from '../../../ipc/router';
import type { IncomingMessage } from '../adapter';
import { ask } from './ask';
import { command } from './command';
import { files } from './files';
import { gate } from './gate';
import { stopReply } from './stop-reply';
import { typedAnswer } from './typed-answer';
import type { HandlerParts, MessageHandler } from './types';

export { handlePress } from './press';
export type { HandlerParts, PressParts } from './types';

/**
 * An incoming message walks these in order until one is `done` (as grammY composes middleware): who
 * gets through, a command, a typed answer to a question card, a reply to a terminal's stop note, the
 * files it brought, and what is left goes to the chat's session.
 */
export const messageHandlers: readonly MessageHandler[] = [gate, command, typedAnswer, stopReply, files, ask];

/** One message, down the handlers. */
export async function handleMessage(message: IncomingMessage, ctx: CallContext, parts: HandlerParts): Promise<void> {
  const incoming = { message, ctx, text: message.text };
  for (const handler of messageHandlers) {
    if ((await handler(incoming, parts)) === 'done') return;
  }
}
