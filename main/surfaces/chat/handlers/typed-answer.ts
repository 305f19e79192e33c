import type { MessageHandler } from './types';

/** A reply to a question card with text is the answer, typed. */
export const typedAnswer: MessageHandler = async ({ message: m, ctx }, parts) => (m.replyTo && m.text && (await parts.typedAnswer(m, ctx)) ? 'done' : 'next');
