import * as z from 'zod';
import { event, method } from './define';
import { calendarDay, daysBetween } from './fields';

export { daysBetween };
import type { Surface } from './sessions';

/**
 * A dollar amount as every screen and message shows it: the one money formatter, so a budget of
 * $0.001 never reads "$0.00 is spent ($0.01)". Cents from $1, four decimals below it, and an amount
 * smaller still keeps two significant digits rather than rounding to zero.
 */
export function money(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const a = Math.abs(usd);
  if (a === 0 || a >= 1) return `${sign}$${a.toFixed(2)}`;
  if (a >= 0.0001) return `${sign}$${a.toFixed(4)}`;
  return `${sign}$${a.toPrecision(2)}`;
}

/** Tokens of the four kinds the API bills, and what they cost. */
export interface UsageFigures {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  costUsd: number;
  /** API answers counted (each once, however often its line was written). */
  requests: number;
}

export interface UsageGroup extends UsageFigures {
  key: string;
  /** What a person reads: the session's title, the folder, the model. */
  label: string;
}

/**
 * A plan window (the 5-hour block, or the week): how full it is and when it runs out. `source` says
 * whose figure it is: the plan's own (the CLI's rate_limit_event, from Anthropic's headers) or
 * Switchboard's estimate from the tokens it counted against the largest window seen.
 */
export interface PlanWindow {
  kind: 'five_hour' | 'seven_day';
  source: 'plan' | 'estimate';
  /** 0..100; null when nothing is known yet. */
  percent: number | null;
  startedAt: number | null;
  resetsAt: number | null;
  tokens: number;
  costUsd: number;
  /** Tokens per minute over the window so far (estimate), and when the window fills at that pace. */
  burnTokensPerMin: number;
  costPerHour: number;
  projectedFullAt: number | null;
  /** The plan's own status (`allowed`, `allowed_warning`, `rejected`) when it reported one. */
  status: string | null;
  /** When the plan's figure was read (a figure older than its window is not shown). */
  observedAt: number | null;
  /**
   * What the percentage is of: the plan's own figure, a limit set in Settings, or the busiest window
   * seen before this one (shown, but it neither warns nor holds jobs). Null: nothing to measure against yet.
   */
  basis: 'plan' | 'setting' | 'history' | null;
}

export interface Budget {
  scope: 'day' | 'month' | `surface:${string}`;
  capUsd: number;
  spentUsd: number;
}

export interface UsageSummary {
  from: string;
  to: string;
  totals: UsageFigures;
  /** One entry per day of the range, empty days included, oldest first. */
  days: (UsageFigures & { day: string; bySurface: Record<string, number> })[];
  bySurface: UsageGroup[];
  byProject: UsageGroup[];
  byModel: UsageGroup[];
  /** The costliest sessions of the range (50 at most). */
  bySession: (UsageGroup & { surface: Surface | null })[];
  today: UsageFigures;
  week: UsageFigures;
  month: UsageFigures;
  windows: { fiveHour: PlanWindow; week: PlanWindow };
  budgets: Budget[];
  /** Models whose answers had no cost and no price in the table: their cost counts as 0. */
  unpriced: string[];
}

export interface UsageTurn extends UsageFigures {
  /** The turn (Switchboard's sessions), or null: one API answer of a session from outside. */
  turnId: string | null;
  at: number;
  label: string;
  model: string;
}

export interface SystemFigures {
  cpu: { cores: number; load1: number; percent: number };
  memory: { totalBytes: number; freeBytes: number };
  disk: { path: string; totalBytes: number; freeBytes: number } | null;
  claudeProcesses: { sessionId: string; title: string; pid: number; rssBytes: number | null }[];
  counts: { jobs: number; jobsEnabled: number; memories: number; sessions: number };
  /** Turns started, sessions active and job runs since midnight. */
  today: { turns: number; sessions: number; jobRuns: number; costUsd: number };
}

const day = calendarDay;

/** The longest range the Usage screen asks for at once (its longest choice is a year): a bounded query, whatever is asked. */
export const MAX_USAGE_RANGE_DAYS = 400;

/** What a range too long is told, in the contract and in the service (which knows today for a half-given range). */
export function usageRangeProblem(from: string, to: string): string | null {
  const span = daysBetween(from, to) + 1;
  if (span < 1) return 'from: the first day comes after the last';
  if (span > MAX_USAGE_RANGE_DAYS) return `from: the range is ${span} days; at most ${MAX_USAGE_RANGE_DAYS} days are shown at once`;
  return null;
}

export const usageMethods = {
  'usage.summary': method<UsageSummary>()(
    z
      .object({
        /** The last N days up to today, or from..to. */
        days: z.number().int().min(1).max(MAX_USAGE_RANGE_DAYS).default(30),
        from: day.optional(),
        to: day.optional(),
      })
      .strict()
      .superRefine((input, ctx) => {
        const problem = input.from && input.to ? usageRangeProblem(input.from, input.to) : null;
        if (problem) ctx.addIssue({ code: 'custom', path: ['from'], message: problem.slice('from: '.length) });
      }),
    "What Claude cost and used: totals, by day, surface, project, model and session, today/week/month, the plan windows (the plan's own figures where the CLI reported them, else an estimate) and budgets.",
  ),
  'usage.sessions': method<(UsageGroup & { surface: Surface | null })[]>()(
    z.object({ day }).strict(),
    'The sessions that used Claude on a day, costliest first.',
  ),
  'usage.turns': method<UsageTurn[]>()(
    z.object({ sessionId: z.string().min(1).max(100), day: day.optional() }).strict(),
    "A session's usage by turn (Switchboard's sessions) or by API answer (sessions from outside), newest first.",
  ),
  'usage.windows': method<{ fiveHour: PlanWindow; week: PlanWindow }>()(z.object({}).strict(), 'The two plan windows alone (the sidebar meter): how full, whose figure, when they reset.'),
  'usage.system': method<SystemFigures>()(z.object({}).strict(), 'The machine (CPU, memory, disk), Claude processes and their memory, jobs, memories and today’s activity.'),
};

export const usageEvents = {
  'usage.changed': event<{ at: number }>('New usage was counted, or the plan reported its figures (at most a few times a second).'),
};
