import * as z from 'zod';
import { field } from './fields';
import { tool, limit, more, clip, type Tool } from './tool';

/** The user's tools: notes, the inbox, questions, health and usage. */
export const userTools: Tool[] = [
  tool({
    name: 'notify_user',
    title: 'Notify the user',
    method: 'user.notify',
    description: 'Tell the user something now: a desktop notification and a message in their chat with each connected bot, Telegram and Discord (with a file, when `file_path` is given).',
    input: z.object({ text: field('user.notify', 'text'), title: field('user.notify', 'title'), file_path: field('user.notify', 'filePath').describe('An absolute path of a regular file to send along, at most 50 MB; never one in Switchboard\'s data folder or Claude Code\'s credentials.') }),
    output: z.object({ delivered: z.array(z.string()).describe('The surfaces that took the note (desktop, telegram, discord); empty when none could.') }),
    hints: {},
    async run(call, { text, title, file_path }) {
      return call('user.notify', { text, ...(title ? { title } : {}), ...(file_path ? { filePath: file_path } : {}) });
    },
  }),
  tool({
    name: 'inbox',
    title: 'Read the inbox',
    method: 'inbox.list',
    description:
      "What the user was told or is asked, newest first: questions waiting for them, Claude Code sessions stopped for a reply, notes (notify_user), finished long turns, job results and failures, usage alerts. Use it to know what the user has already been told before telling them again. `filter`: open (not yet settled or put away, the default), needs_you (waits for their answer), unread, or all.",
    input: z.object({ filter: z.enum(['open', 'needs_you', 'unread', 'all']).default('open'), limit: limit(20, 100) }),
    output: z.object({
      items: z.array(
        z.object({
          id: z.number(),
          kind: z.string(),
          title: z.string(),
          text: z.string(),
          state: z.string().describe('open, settled (answered or over elsewhere), or dismissed'),
          read: z.boolean(),
          outcome: z.string().nullable(),
          sessionId: z.string().nullable(),
          createdAt: z.number(),
        }),
      ),
      needsYou: z.number().describe('Open items waiting for the user.'),
      unread: z.number(),
      more,
    }),
    hints: { readOnlyHint: true },
    async run(call, { filter, limit }) {
      const page = await call('inbox.list', { filter, limit });
      const items = page.items.map((i) => ({ id: i.id, kind: i.kind, title: i.title, text: clip(i.text, 500) ?? '', state: i.state, read: i.read, outcome: i.outcome, sessionId: i.sessionId, createdAt: i.createdAt }));
      return { items, needsYou: page.counts.needsYou, unread: page.counts.unread, more: page.next ? 'More older items: raise limit.' : null };
    },
  }),
  tool({
    name: 'ask_user',
    title: 'Ask the user',
    method: 'user.ask',
    description: 'Ask the user a question and wait for the answer (in the Switchboard window, and on Telegram and Discord where connected). Give `choices` for buttons; without them they type an answer. Null when nobody answered within `timeout_seconds`.',
    input: z.object({ question: field('user.ask', 'question'), choices: field('user.ask', 'choices'), timeout_seconds: field('user.ask', 'timeoutSeconds') }),
    output: z.object({ answer: z.string().nullable(), timedOut: z.boolean(), answeredBy: z.string().nullable(), via: z.string().nullable() }),
    // Not read-only: it puts a question in front of the user, on their desktop and phone.
    hints: {},
    async run(call, { question, choices, timeout_seconds }) {
      return call('user.ask', { question, choices, timeoutSeconds: timeout_seconds });
    },
  }),

  // ── system ──
  tool({
    name: 'health',
    title: 'Switchboard health',
    method: 'system.health',
    description: 'Whether Switchboard and its services run, the Claude CLI it found, and the database’s state.',
    input: z.object({}),
    output: z.object({ version: z.string(), services: z.array(z.object({ name: z.string(), state: z.string() })), claude: z.string().nullable() }),
    hints: { readOnlyHint: true },
    async run(call) {
      const health = await call('system.health', {});
      return { version: health.app.version, services: health.services.map((s) => ({ name: s.name, state: s.state })), claude: health.claude.version ?? health.claude.error ?? null };
    },
  }),
  tool({
    name: 'usage',
    title: 'What Claude cost and how full the plan windows are',
    method: 'usage.summary',
    description:
      "What Claude cost and used on this machine (Switchboard's sessions and Claude Code sessions from outside it, each API answer counted once): totals for the last N days, today, this week and month, by surface and model, the costliest sessions, the 5-hour and weekly plan windows (the plan's own figure where the CLI reported it, else an estimate) and budgets.",
    input: z.object({ days: z.number().int().min(1).max(366).default(7).describe('How many days back, today included') }),
    output: z.object({
      totalUsd: z.number(),
      tokens: z.object({ input: z.number(), output: z.number(), cacheWrite: z.number(), cacheRead: z.number() }),
      todayUsd: z.number(),
      weekUsd: z.number(),
      monthUsd: z.number(),
      bySurface: z.record(z.string(), z.number()),
      byModel: z.record(z.string(), z.number()),
      topSessions: z.array(z.object({ id: z.string(), title: z.string(), costUsd: z.number() })),
      windows: z.array(z.object({ kind: z.string(), source: z.string(), percent: z.number().nullable(), resetsAt: z.string().nullable() })),
      budgets: z.array(z.object({ scope: z.string(), capUsd: z.number(), spentUsd: z.number() })),
    }),
    hints: { readOnlyHint: true },
    async run(call, { days }) {
      const u = await call('usage.summary', { days });
      const sums = (groups: { key: string; costUsd: number }[]) => Object.fromEntries(groups.map((g) => [g.key, Math.round(g.costUsd * 10_000) / 10_000]));
      return {
        totalUsd: u.totals.costUsd,
        tokens: { input: u.totals.input, output: u.totals.output, cacheWrite: u.totals.cacheWrite, cacheRead: u.totals.cacheRead },
        todayUsd: u.today.costUsd,
        weekUsd: u.week.costUsd,
        monthUsd: u.month.costUsd,
        bySurface: sums(u.bySurface),
        byModel: sums(u.byModel),
        topSessions: u.bySession.slice(0, 5).map((x) => ({ id: x.key, title: x.label, costUsd: x.costUsd })),
        windows: [u.windows.fiveHour, u.windows.week].map((w) => ({ kind: w.kind, source: w.source, percent: w.percent === null ? null : Math.round(w.percent), resetsAt: w.resetsAt ? new Date(w.resetsAt).toISOString() : null })),
        budgets: u.budgets,
      };
    },
  }),
];
