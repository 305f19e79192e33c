import { describe, expect, it } from 'vitest';
import { money, type SessionSummary, type UsageSummary } from '../../../contract';
import type { CommandContext } from './command-context';
import { chatCommands } from './commands';

// /cost and /status write money as every other screen does (contract/usage.ts), tiny sums included.
const session = { id: 's1', title: 'Chat', status: 'idle', queueLength: 0, model: null, cwd: '/p', permissionPolicy: 'ask', costUsd: 0.00001, lastError: null } as unknown as SessionSummary;
const figures = (costUsd: number) => ({ costUsd });
const usage = {
  today: figures(0.00004),
  week: figures(1234.5),
  month: figures(0.5),
  windows: { fiveHour: { percent: null }, week: { percent: null } },
  budgets: [{ scope: 'day', spentUsd: 0.00002, capUsd: 0.001 }],
} as unknown as UsageSummary;

function context(replies: string[]): CommandContext {
  const answers: Record<string, unknown> = { 'usage.summary': usage, 'sessions.list': [session, { ...session, id: 's2', title: 'Other', status: 'running', costUsd: 0.00003 }] };
  return { session: async () => session, call: async (method: string) => answers[method], reply: (text: string) => replies.push(text) } as unknown as CommandContext;
}

const run = async (name: string) => {
  const replies: string[] = [];
  await chatCommands.find((c) => c.name === name)!.run(context(replies), '');
  return replies.join('\n');
};

describe('money in chat commands', () => {
  it('/cost uses the one money format', async () => {
    const text = await run('cost');
    expect(text).toContain(`This session: ${money(0.00001)}`);
    expect(text).toContain(`Today: ${money(0.00004)} · this week: ${money(1234.5)} · this month: ${money(0.5)}`);
    expect(text).toContain(`${money(0.00002)} of ${money(0.001)}`);
    expect(money(0.00001)).toBe('$0.000010');
  });

  it('/status uses the one money format', async () => {
    const text = await run('status');
    expect(text).toContain(`Cost so far: ${money(0.00001)}`);
    expect(text).toContain(`, ${money(0.00003)}`);
  });
});
