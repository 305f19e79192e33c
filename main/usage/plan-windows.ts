import type { PlanWindow } from '../../contract';
import { busiestSpan, fiveHourBlocks, type HourBucket } from './blocks';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The plan's own figures as last reported (`rate_limit_event`), kept in the usage state. */
export interface StoredRateLimit {
  observedAt: number;
  status: string | null;
  windows: Partial<Record<'five_hour' | 'seven_day', { utilization: number; resetsAt: number; status: string | null }>>;
}

/**
 * The 5-hour window and the week from the hourly sums: the plan's own figure where it is fresh (it wins
 * until its window resets), else the estimate against the limit set or the busiest span before.
 */
export function planWindows(input: {
  now: number;
  hours: HourBucket[];
  /** When the first answer of the window that began at `start` came. */
  firstAt: (start: number) => number | null;
  blockSetting: number;
  weekSetting: number;
  plan: StoredRateLimit | null;
}): { fiveHour: PlanWindow; week: PlanWindow } {
  const { now, hours, blockSetting, weekSetting, plan } = input;
  const blocks = fiveHourBlocks(hours);
  const current = blocks.at(-1) && blocks.at(-1)!.end > now ? blocks.at(-1)! : null;
  const past = current ? blocks.slice(0, -1) : blocks;
  // Against the limit set, else the largest window before this one (none yet: no estimate).
  const blockLimit = blockSetting || Math.max(0, ...past.map((b) => b.tokens));

  const firstAt = current ? (input.firstAt(current.start) ?? current.start) : null;
  const minutes = firstAt ? Math.max(1, (now - firstAt) / 60_000) : 0;
  const burn = current ? current.tokens / minutes : 0;
  const fiveHour: PlanWindow = {
    kind: 'five_hour',
    source: 'estimate',
    percent: current && blockLimit ? Math.min(100, (current.tokens / blockLimit) * 100) : current ? null : 0,
    startedAt: current?.start ?? null,
    resetsAt: current?.end ?? null,
    tokens: current?.tokens ?? 0,
    costUsd: current?.costUsd ?? 0,
    burnTokensPerMin: burn,
    costPerHour: current ? (current.costUsd / minutes) * 60 : 0,
    projectedFullAt: current && blockLimit && burn > 0 && current.tokens < blockLimit ? Math.round(now + ((blockLimit - current.tokens) / burn) * 60_000) : null,
    status: null,
    observedAt: null,
    basis: blockSetting ? 'setting' : blockLimit ? 'history' : null,
  };
  if (fiveHour.projectedFullAt && current && fiveHour.projectedFullAt > current.end) fiveHour.projectedFullAt = null;

  const weekHours = hours.filter((h) => h.hour * HOUR > now - 7 * DAY);
  const weekTokens = weekHours.reduce((sum, h) => sum + h.tokens, 0);
  const weekCost = weekHours.reduce((sum, h) => sum + h.costUsd, 0);
  const weekLimit = weekSetting || busiestSpan(hours.filter((h) => h.hour * HOUR <= now - 7 * DAY), 7 * 24);
  const weekFirst = weekHours[0] ? weekHours[0].hour * HOUR : null;
  const weekMinutes = weekFirst ? Math.max(1, (now - weekFirst) / 60_000) : 0;
  const week: PlanWindow = {
    kind: 'seven_day',
    source: 'estimate',
    percent: weekLimit ? Math.min(100, (weekTokens / weekLimit) * 100) : null,
    // The estimate is a rolling seven days: it has no reset of its own (the plan's figure says when).
    startedAt: weekFirst,
    resetsAt: null,
    tokens: weekTokens,
    costUsd: weekCost,
    burnTokensPerMin: weekMinutes ? weekTokens / weekMinutes : 0,
    costPerHour: weekMinutes ? (weekCost / weekMinutes) * 60 : 0,
    projectedFullAt: null,
    status: null,
    observedAt: null,
    basis: weekSetting ? 'setting' : weekLimit ? 'history' : null,
  };
  for (const [window, kind] of [
    [fiveHour, 'five_hour'],
    [week, 'seven_day'],
  ] as const) {
    const reported = plan?.windows[kind];
    // The plan's own figure wins while its window has not reset.
    if (reported && reported.resetsAt * 1000 > now) {
      Object.assign(window, {
        source: 'plan',
        percent: Number.isNaN(reported.utilization) ? window.percent : Math.min(100, reported.utilization * 100),
        resetsAt: reported.resetsAt * 1000,
        status: reported.status,
        observedAt: plan!.observedAt,
        basis: 'plan',
      });
      if (kind === 'five_hour') window.startedAt = reported.resetsAt * 1000 - 5 * HOUR;
      const used = window.percent ?? 0;
      const elapsed = window.startedAt ? Math.max(1, (Math.min(now, window.resetsAt!) - window.startedAt) / 60_000) : 0;
      window.projectedFullAt = used > 0 && used < 100 && elapsed ? Math.round(now + ((100 - used) / (used / elapsed)) * 60_000) : null;
      if (window.projectedFullAt && window.projectedFullAt > window.resetsAt!) window.projectedFullAt = null;
    }
  }
  return { fiveHour, week };
}
