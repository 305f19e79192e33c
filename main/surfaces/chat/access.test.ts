import { describe, expect, it } from 'vitest';
import { decide, type AccessDecision, type AccessMessage, type AccessState } from './access';

// The message: where it was written, whether it is for the bot.
const dm: AccessMessage = { private: true, addressed: true };
const group: AccessMessage = { private: false, addressed: false };
const mention: AccessMessage = { private: false, addressed: true };
const slash: AccessMessage = { private: false, addressed: false, slash: true };
const inThread: AccessMessage = { private: false, addressed: false, parentKey: 'c1' };

// What the bridge knows: the allowlist, and how groups are answered on this chat app.
const groupsOff: AccessState['groups'] = { kind: 'setting', on: false };
const groupsOn: AccessState['groups'] = { kind: 'setting', on: true };
const unbound: AccessState['groups'] = { kind: 'bound-channels', channel: null, threadBound: false };
const onMention: AccessState['groups'] = { kind: 'bound-channels', channel: { replyTo: 'mention' }, threadBound: false };
const onAll: AccessState['groups'] = { kind: 'bound-channels', channel: { replyTo: 'all' }, threadBound: false };
const threadStarted: AccessState['groups'] = { kind: 'bound-channels', channel: { replyTo: 'mention' }, threadBound: true };

const deliver: AccessDecision = { action: 'deliver' };
const pair: AccessDecision = { action: 'pair' };
const drop = (reason: 'unbound' | 'stranger' | 'unaddressed', answer = false): AccessDecision => ({ action: 'drop', reason, answer });

// One line per case, as the official Discord plugin's test/gate.test.ts: message, allowed, groups → decision.
const cases: [string, AccessMessage, boolean, AccessState['groups'], AccessDecision][] = [
  ['an allowed person in private', dm, true, groupsOff, deliver],
  ['a stranger in private gets a code', dm, false, groupsOff, pair],
  ['a stranger in private on a channel app gets a code', dm, false, unbound, pair],
  ['an allowed person in a private chat, whatever the group policy', dm, true, unbound, deliver],
  ['groups off: a mention is dropped and reported', mention, true, groupsOff, drop('unbound')],
  ['groups off: a message not for the bot is dropped quietly', group, true, groupsOff, drop('unaddressed')],
  ['groups off: a slash command is answered', slash, true, groupsOff, drop('unbound', true)],
  ['groups on: a mention from an allowed person', mention, true, groupsOn, deliver],
  ['groups on: a message not for the bot is dropped quietly', group, true, groupsOn, drop('unaddressed')],
  ['groups on: a stranger mentioning the bot is dropped, no code in a group', mention, false, groupsOn, drop('stranger')],
  ['an unbound channel: a mention is dropped and reported', mention, true, unbound, drop('unbound')],
  ['an unbound channel: a slash command is answered', slash, true, unbound, drop('unbound', true)],
  ['an unbound channel: other messages are dropped quietly', group, true, unbound, drop('unaddressed')],
  ['a bound channel: a mention', mention, true, onMention, deliver],
  ['a bound channel: a slash command', slash, true, onMention, deliver],
  ['a bound channel on mention: other messages are dropped quietly', group, true, onMention, drop('unaddressed')],
  ['a bound channel answering all: every message', group, true, onAll, deliver],
  ['a bound channel: a stranger is dropped, a slash command answered', slash, false, onMention, drop('stranger', true)],
  ['a bound channel answering all: a stranger is dropped', group, false, onAll, drop('stranger')],
  ['a thread with a session: every message', inThread, true, threadStarted, deliver],
  ['a thread without one: only mentions', inThread, true, onMention, drop('unaddressed')],
];

describe('decide: who gets through', () => {
  it.each(cases)('%s', (_, message, allowed, groups, expected) => {
    expect(decide(message, { allowed, groups })).toEqual(expected);
  });
});
