import type { MessageHandler } from './types';

/** The last step: what is left goes to the chat's session as the person's message (queued behind a running turn). */
export const ask: MessageHandler = async (incoming, parts) => {
  const { message: m, ctx } = incoming;
  if (!incoming.text.trim()) return 'done';
  const sessionId = await parts.sessionOf(m.chatKey, ctx);
  const turn = await parts.kit.call('sessions.send', { id: sessionId, text: incoming.text }, ctx);
  parts.sentFrom(turn.id, m.chatKey);
  if (turn.status === 'queued') parts.kit.say(m.chatKey, `⏳ Queued: #${turn.position} in line. Answers come in order.`);
  return 'done';
};
