import { decide } from '../access';
import type { ChatAppFacts } from '../surfaces';
import type { MessageHandler } from './types';

/** What a slash command hears where the bot does not answer. */
function notHere(facts: ChatAppFacts): string {
  return facts.groups.kind === 'bound-channels' ? `I answer only in channels bound to a project. Bind this one in Switchboard → Settings → ${facts.label}.` : 'I do not answer in groups here.';
}

/**
 * The first step: who gets through (`decide`). A dropped message is reported (`chat.ignored`) and a
 * slash command always gets an answer (Discord shows "did not respond" otherwise); a stranger writing
 * in private gets a pairing code; an allowed person's name and private chat are kept up to date.
 */
export const gate: MessageHandler = async ({ message: m }, parts) => {
  const { kit } = parts;
  parts.remember(m);
  const verdict = decide(m, { allowed: kit.access.allowed(m.userId), groups: parts.groups(m) });
  if (verdict.action === 'drop') {
    if (verdict.reason !== 'unaddressed') kit.events.emit('chat.ignored', { surface: kit.surface, chatKey: m.chatKey, chatName: m.chatName ?? null, reason: verdict.reason });
    if (verdict.answer) kit.say(m.chatKey, verdict.reason === 'stranger' ? 'Only people the owner allowed can use me. Write to me in a direct message to ask for access.' : notHere(kit.facts));
    return 'done';
  }
  if (verdict.action === 'pair') {
    const { pairing, fresh } = kit.access.requestPairing(m.userId, m.userName, m.chatKey);
    if (fresh) kit.accessChanged();
    const minutes = Math.max(1, Math.round((pairing.expiresAt - Date.now()) / 60_000));
    kit.say(
      m.chatKey,
      `This bot answers only people its owner allowed.\n\nTo ask for access, give the owner this code: **${pairing.code}**\nThey accept it in Switchboard → Settings → ${kit.facts.label}. It expires in ${minutes} minutes.`,
    );
    return 'done';
  }
  kit.access.seen(m.userId, m.userName, m.private ? m.chatKey : null);
  return 'next';
};
