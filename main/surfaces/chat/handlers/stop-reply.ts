import type { MessageHandler } from './types';

/** A reply to a terminal's stop note continues that Claude Code session in the terminal. */
export const stopReply: MessageHandler = async ({ message: m, ctx }, parts) => {
  const stop = m.replyTo ? parts.stopAt(m.chatKey, m.replyTo) : undefined;
  if (!stop || !m.text) return 'next';
  const continued = await parts.kit.tryCall('hooks.reply', { id: stop, text: m.text }, ctx);
  parts.kit.say(m.chatKey, continued.ok ? '↪️ Sent: Claude Code goes on in the terminal.' : `⚠️ ${continued.error.message}`);
  return 'done';
};
