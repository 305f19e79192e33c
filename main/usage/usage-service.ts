import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { daysBetween, MAX_USAGE_RANGE_DAYS, money, usageRangeProblem, type Budget, type PlanWindow, type Surface, type SystemFigures, type UsageFigures, type UsageGroup, type UsageSummary, type UsageTurn } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import type { Notifier } from '../notifier';
import type { SettingsService } from '../settings/settings-service';
import { ownSessionFolders, projectFolder } from '../storage/session-folders';
import type { StorageService } from '../storage/storage-service';
import type { HourBucket } from './blocks';
import { planWindows, type StoredRateLimit } from './plan-windows';
import { localDay, UsageStore, type TurnFigures, type UsageEntry, type UsageLookups, type UsageOwner } from './usage-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The plan's own figures, as the CLI reports them in `rate_limit_event` (utilization 0..1, resets in seconds). */
export interface RateLimitInfo {
  status?: string;
  resetsAt?: number;
  rateLimitType?: string;
  unifiedWindows?: Partial<Record<'five_hour' | 'seven_day', { utilization?: number; resetsAt?: number; status?: string }>>;
}


const FIGURES = 'sum(input) AS input, sum(output) AS output, sum(cache_write) AS cacheWrite, sum(cache_read) AS cacheRead, sum(cost_usd) AS costUsd, sum(requests) AS requests';
const empty = (): UsageFigures => ({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0, costUsd: 0, requests: 0 });

const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;
/** The longest range a summary covers (the contract's own limit, kept here too for callers inside the core). */
const MAX_SPAN_DAYS = MAX_USAGE_RANGE_DAYS;

function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return localDay(new Date(y, m - 1, d + n, 12).getTime());
}

/**
 * What Claude cost and how full the plan windows are: counts every answer once (from transcripts, so
 * sessions from outside the app count too), keeps day and hour sums, reads the plan's own figures from
 * the CLI where it reports them, warns once per window, holds scheduled jobs over a threshold and
 * refuses turns past a budget.
 */
export class UsageService implements Service {
  readonly name = 'usage';
  readonly store: UsageStore;
  private changedTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      storage: StorageService;
      settings: SettingsService;
      events: EventBus;
      notifier: Notifier;
      dataDir: string;
      /** Claude processes Switchboard runs now. */
      processes: () => { sessionId: string; title: string; pid: number }[];
      /** Other services' rows, through their owners. */
      lookups: UsageLookups;
      /** Answers were counted to these turns (by session): what shows their cost reads it again. */
      onCounted?: (turns: Map<string, Set<string>>) => void;
      now?: () => number;
    },
  ) {
    this.store = new UsageStore(deps.storage, deps.lookups.turnAt);
  }

  start(): void {}

  stop(): void {
    if (this.changedTimer) clearTimeout(this.changedTimer);
    this.changedTimer = null;
  }

  private get db() {
    return this.deps.storage.db;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  // ── counting ──────────────────────────────────────────────────────────────────────────────────

  /** Answers read from a transcript or a stream; the screen hears of it, and alerts are checked. */
  record(entries: readonly UsageEntry[], owner: UsageOwner): void {
    const touched = new Map<string, Set<string>>();
    // A worktree session's usage is its repository's, not its `<data>/worktrees/<id>` folder's.
    if (!this.store.record(entries, { ...owner, project: projectFolder(this.deps.dataDir, owner.project) }, touched)) return;
    this.changed();
    // Told once the caller's transaction (the importer's chunk) is written.
    if (touched.size && this.deps.onCounted) queueMicrotask(() => this.deps.onCounted!(touched));
  }

  /** A session's cost: the sum of its answers counted here, the one figure every screen shows. */
  sessionCost(sessionId: string): number {
    return this.store.sessionCost(sessionId);
  }

  /** Every session's cost at once, for a list. */
  sessionCosts(): Map<string, number> {
    return this.store.sessionCosts();
  }

  /** The cost and tokens of a session's turns (or one turn), from the same answers. */
  turnFigures(sessionId: string, turnId?: string): Map<string, TurnFigures> {
    return this.store.turnFigures(sessionId, turnId);
  }

  /** The plan's own figures from a `rate_limit_event` of a CLI Switchboard runs. */
  observeRateLimit(info: RateLimitInfo): void {
    const windows: StoredRateLimit['windows'] = {};
    for (const kind of ['five_hour', 'seven_day'] as const) {
      const w = info.unifiedWindows?.[kind];
      if (typeof w?.utilization === 'number' && typeof w.resetsAt === 'number') windows[kind] = { utilization: w.utilization, resetsAt: w.resetsAt, status: w.status ?? null };
    }
    // An older CLI reports only the window it is closest to.
    const kind = info.rateLimitType === 'seven_day' ? 'seven_day' : info.rateLimitType === 'five_hour' ? 'five_hour' : null;
    if (kind && !windows[kind] && typeof info.resetsAt === 'number') windows[kind] = { utilization: info.status === 'rejected' ? 1 : NaN, resetsAt: info.resetsAt, status: info.status ?? null };
    const stored: StoredRateLimit = { observedAt: this.now(), status: info.status ?? null, windows };
    this.setState('rateLimit', stored);
    this.changed();
  }

  private changed(): void {
    if (this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = null;
      this.deps.events.emit('usage.changed', { at: this.now() });
      this.checkAlerts();
    }, 250);
    this.changedTimer.unref();
  }

  // ── the screen ────────────────────────────────────────────────────────────────────────────────

  summary(input: { days: number; from?: string; to?: string }): UsageSummary {
    const today = localDay(this.now());
    const to = input.to ?? today;
    const from = input.from ?? addDays(to, -(Math.max(1, Math.min(input.days, MAX_SPAN_DAYS)) - 1));
    // Bounded whatever reaches here: real days, at most the longest range the screen shows, and a loop that counts days rather than comparing text.
    if (!DAY_TEXT.test(from) || !DAY_TEXT.test(to)) throw new AppError('invalid_input', 'from: a day is written YYYY-MM-DD');
    const problem = usageRangeProblem(from, to);
    if (problem) throw new AppError('invalid_input', problem);
    const perDay = this.db
      .prepare(`SELECT day, surface, ${FIGURES} FROM usage_daily WHERE day BETWEEN ? AND ? GROUP BY day, surface`)
      .all(from, to) as (UsageFigures & { day: string; surface: string })[];
    const days = new Map<string, UsageFigures & { day: string; bySurface: Record<string, number> }>();
    const span = Math.min(daysBetween(from, to) + 1, MAX_SPAN_DAYS);
    for (let i = 0, d = from; i < span; i++, d = addDays(d, 1)) days.set(d, { day: d, ...empty(), bySurface: {} });
    const totals = empty();
    for (const row of perDay) {
      const day = days.get(row.day);
      if (!day) continue;
      for (const k of ['input', 'output', 'cacheWrite', 'cacheRead', 'costUsd', 'requests'] as const) {
        day[k] += row[k];
        totals[k] += row[k];
      }
      day.bySurface[row.surface] = (day.bySurface[row.surface] ?? 0) + row.costUsd;
    }
    const group = (column: string, label: (key: string) => string = (k) => k, params: unknown[] = []) =>
      (
        this.db
          .prepare(`SELECT ${column} AS key, ${FIGURES} FROM usage_daily WHERE day BETWEEN ? AND ? GROUP BY key ORDER BY costUsd DESC, key`)
          .all(...params, from, to) as UsageGroup[]
      ).map((g) => ({ ...g, label: label(g.key) }));
    // Sessions started without a folder each have their own under the data folder: one line for all of them, not one per id.
    const own = ownSessionFolders(this.deps.dataDir);
    const bySession = this.sessionGroups('day BETWEEN ? AND ?', [from, to], 50);
    // Models that used tokens and cost nothing: the price table does not know them (read from the sums, not a million rows).
    const unpriced = this.db
      .prepare(`SELECT model FROM usage_daily WHERE day BETWEEN ? AND ? GROUP BY model HAVING sum(cost_usd) = 0 AND sum(input + output) > 0`)
      .pluck()
      .all(from, to) as string[];
    return {
      from,
      to,
      totals,
      days: [...days.values()],
      bySurface: group('surface'),
      byProject: this.byRepository(
        group('CASE WHEN substr(project, 1, ?) = ? THEN ? ELSE project END', (k) => (k === own ? 'No project folder' : k || '(no folder)'), [own.length + 1, own + path.sep, own]),
      ),
      byModel: group('model'),
      bySession,
      today: this.figures(today, today),
      week: this.figures(addDays(today, -6), today),
      month: this.figures(`${today.slice(0, 8)}01`, today),
      windows: this.windows(),
      budgets: this.budgets(),
      unpriced: unpriced.filter((m) => m !== '<synthetic>'),
    };
  }

  /** Usage counted before worktree folders were mapped to their repository joins the repository's line. */
  private byRepository(groups: UsageGroup[]): UsageGroup[] {
    const merged = new Map<string, UsageGroup>();
    for (const g of groups) {
      const key = projectFolder(this.deps.dataDir, g.key);
      const into = merged.get(key);
      if (!into) {
        merged.set(key, key === g.key ? g : { ...g, key, label: key });
        continue;
      }
      for (const k of Object.keys(g) as (keyof UsageGroup)[]) if (typeof g[k] === 'number') (into[k] as number) += g[k];
    }
    return [...merged.values()].sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key));
  }

  sessions(day: string): (UsageGroup & { surface: Surface | null })[] {
    return this.sessionGroups('day = ?', [day], 500);
  }

  turns(sessionId: string, day?: string): UsageTurn[] {
    const where = day ? 'u.session_id = ? AND u.day = ?' : 'u.session_id = ?';
    const rows = this.db
      .prepare(
        `SELECT u.turn_id AS turnId, CASE WHEN u.turn_id IS NULL THEN u.key ELSE u.turn_id END AS grp, min(u.at) AS at, max(u.model) AS model,
           sum(u.input) AS input, sum(u.output) AS output, sum(u.cache_write) AS cacheWrite, sum(u.cache_read) AS cacheRead, sum(u.cost_usd) AS costUsd, count(*) AS requests
         FROM usage_events u
         WHERE ${where} GROUP BY grp ORDER BY at DESC LIMIT 1000`,
      )
      .all(...(day ? [sessionId, day] : [sessionId])) as (Omit<UsageTurn, 'label'> & { grp: string })[];
    return rows.map(({ grp: _grp, ...r }) => {
      const prompt = r.turnId ? this.deps.lookups.turnPrompt(r.turnId) : null;
      return { ...r, label: prompt ? prompt.split('\n')[0]!.slice(0, 120) : `An answer from ${r.model}` };
    });
  }

  private sessionGroups(where: string, args: unknown[], limit: number): (UsageGroup & { surface: Surface | null })[] {
    const rows = this.db
      .prepare(
        `SELECT d.session_id AS key,
           sum(d.input) AS input, sum(d.output) AS output, sum(d.cache_write) AS cacheWrite, sum(d.cache_read) AS cacheRead, sum(d.cost_usd) AS costUsd, sum(d.requests) AS requests
         FROM usage_daily d
         WHERE ${where.replace(/\bday\b/g, 'd.day')} GROUP BY d.session_id ORDER BY costUsd DESC LIMIT ${limit}`,
      )
      .all(...args) as Omit<UsageGroup, 'label'>[];
    return rows.map(({ key, ...figures }) => {
      const session = this.deps.lookups.session(key);
      return { key, label: session?.title ?? '(a session no longer here)', surface: (session?.surface as Surface | undefined) ?? null, ...figures };
    });
  }

  private figures(from: string, to: string, surface?: string): UsageFigures {
    const row = this.db.prepare(`SELECT ${FIGURES} FROM usage_daily WHERE day BETWEEN ? AND ?${surface ? ' AND surface = ?' : ''}`).get(...(surface ? [from, to, surface] : [from, to])) as UsageFigures;
    return { input: row.input ?? 0, output: row.output ?? 0, cacheWrite: row.cacheWrite ?? 0, cacheRead: row.cacheRead ?? 0, costUsd: row.costUsd ?? 0, requests: row.requests ?? 0 };
  }

  // ── plan windows ──────────────────────────────────────────────────────────────────────────────

  /** The 5-hour window and the week: the plan's figure where it is fresh, else the estimate (plan-windows.ts). */
  windows(): { fiveHour: PlanWindow; week: PlanWindow } {
    return planWindows({
      now: this.now(),
      hours: this.db.prepare('SELECT hour, tokens, cost_usd AS costUsd FROM usage_hourly ORDER BY hour').all() as HourBucket[],
      firstAt: (start) => this.db.prepare('SELECT min(at) FROM usage_events WHERE at >= ?').pluck().get(start) as number | null,
      blockSetting: this.deps.settings.get('usage.windowTokenLimit'),
      weekSetting: this.deps.settings.get('usage.weekTokenLimit'),
      plan: this.state<StoredRateLimit>('rateLimit'),
    });
  }

  // ── budgets, holds and alerts ─────────────────────────────────────────────────────────────────

  budgets(): Budget[] {
    const today = localDay(this.now());
    const budgets: Budget[] = [];
    const daily = this.deps.settings.get('usage.dailyBudgetUsd');
    const monthly = this.deps.settings.get('usage.monthlyBudgetUsd');
    if (daily) budgets.push({ scope: 'day', capUsd: daily, spentUsd: this.figures(today, today).costUsd });
    if (monthly) budgets.push({ scope: 'month', capUsd: monthly, spentUsd: this.figures(`${today.slice(0, 8)}01`, today).costUsd });
    for (const [surface, cap] of this.surfaceCaps()) budgets.push({ scope: `surface:${surface}`, capUsd: cap, spentUsd: this.figures(today, today, surface).costUsd });
    return budgets;
  }

  private surfaceCaps(): [string, number][] {
    return this.deps.settings
      .get('usage.surfaceBudgets')
      .split(',')
      .map((part) => part.split('=').map((x) => x.trim()))
      .filter((p): p is [string, string] => p.length === 2 && !!p[0] && Number(p[1]) > 0)
      .map(([surface, cap]) => [surface, Number(cap)]);
  }

  /** Refuses a new turn past a budget, in words for whoever asked (Telegram included). */
  gate(surface: string): void {
    for (const b of this.budgets()) {
      if (b.spentUsd < b.capUsd) continue;
      if (b.scope.startsWith('surface:') && b.scope !== `surface:${surface}`) continue;
      const what = b.scope === 'day' ? "Today's Claude budget" : b.scope === 'month' ? "This month's Claude budget" : `Today's budget for ${b.scope.slice(8)}`;
      const until = b.scope === 'month' ? 'next month' : 'tomorrow';
      throw new AppError('capacity', `${what} of ${money(b.capUsd)} is spent (${money(b.spentUsd)}). New turns wait until ${until}, or raise it in Settings → Usage.`);
    }
  }

  /** Whether a Claude job must wait: the 5-hour window is over the hold threshold (until it resets), or a budget is spent. */
  hold(): { reason: string; until: number | null } | null {
    try {
      this.gate('schedule');
    } catch (error) {
      return { reason: (error as Error).message, until: null };
    }
    const threshold = this.deps.settings.get('usage.holdJobsAbovePercent');
    if (!threshold) return null;
    const { fiveHour } = this.windows();
    // Jobs wait only for a figure that means something: the plan's own, or one against a limit the user set.
    if (fiveHour.basis === 'history' || fiveHour.percent === null || fiveHour.percent < threshold) return null;
    const at = fiveHour.resetsAt ? new Date(fiveHour.resetsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : 'its reset';
    return {
      reason: `the 5-hour window is at ${Math.round(fiveHour.percent)}% (${fiveHour.source === 'plan' ? "the plan's own figure" : 'estimated'}), over the ${threshold}% hold; it resets at ${at}`,
      until: fiveHour.resetsAt,
    };
  }

  /** Warnings, once per window and threshold (and once a day for spend): on the desktop, and on Telegram through the notification. */
  private checkAlerts(): void {
    const thresholds = this.deps.settings
      .get('usage.alertPercents')
      .split(',')
      .map((x) => Number(x.trim()))
      .filter((x) => x > 0)
      .sort((a, b) => b - a);
    const { fiveHour, week } = this.windows();
    for (const window of [fiveHour, week]) {
      const windowKey = window.resetsAt ?? (window.startedAt === null ? null : localDay(window.startedAt));
      // A window measured against the busiest one seen warns nobody: a new user's first day is always "100%".
      if (window.basis === 'history' || window.percent === null || windowKey === null) continue;
      const crossed = thresholds.find((t) => window.percent! >= t);
      if (crossed === undefined) continue;
      const key = `alert:${window.kind}:${windowKey}:${crossed}`;
      if (this.state(key)) continue;
      // Every lower threshold of this window counts as given: one note for a jump from 50% to 97%.
      for (const t of thresholds.filter((t) => t <= crossed)) this.setState(`alert:${window.kind}:${windowKey}:${t}`, { at: this.now() });
      const name = window.kind === 'five_hour' ? '5-hour window' : 'weekly limit';
      const resets = window.resetsAt
        ? `it resets at ${new Date(window.resetsAt).toLocaleString([], { weekday: window.kind === 'seven_day' ? 'short' : undefined, hour: '2-digit', minute: '2-digit' })}`
        : 'over the last seven days';
      this.deps.notifier.notify({
        title: `Switchboard: Claude's ${name} is at ${Math.round(window.percent)}%`,
        body: `${window.source === 'plan' ? "Your plan's own figure" : 'Estimated from the tokens counted'}; ${resets}.`,
        link: '#/usage',
      });
    }
    const spendAlert = this.deps.settings.get('usage.dailySpendAlertUsd');
    if (spendAlert) {
      const today = localDay(this.now());
      const spent = this.figures(today, today).costUsd;
      if (spent >= spendAlert && !this.state(`alert:spend:${today}`)) {
        this.setState(`alert:spend:${today}`, { at: this.now() });
        this.deps.notifier.notify({ title: `Switchboard: ${money(spent)} spent on Claude today`, body: `Over your warning at ${money(spendAlert)}.`, link: '#/usage' });
      }
    }
    this.db.prepare(`DELETE FROM usage_state WHERE key LIKE 'alert:%' AND json_extract(value, '$.at') < ?`).run(this.now() - 40 * DAY);
  }

  private state<T>(key: string): T | null {
    const raw = this.db.prepare('SELECT value FROM usage_state WHERE key = ?').pluck().get(key) as string | undefined;
    return raw ? (JSON.parse(raw) as T) : null;
  }

  private setState(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO usage_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  // ── the machine ───────────────────────────────────────────────────────────────────────────────

  async system(): Promise<SystemFigures> {
    const cores = os.cpus().length || 1;
    const load1 = os.loadavg()[0] ?? 0;
    // The disk and the processes' memory are asked of the system off the event loop (a network disk can take its time).
    const [disk, claudeProcesses] = await Promise.all([
      fs.promises.statfs(this.deps.dataDir).then(
        (s) => ({ path: this.deps.dataDir, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize }),
        () => null,
      ),
      Promise.all(this.deps.processes().map(async (p) => ({ ...p, rssBytes: await residentBytes(p.pid) }))),
    ]);
    const start = new Date(this.now());
    start.setHours(0, 0, 0, 0);
    const since = start.getTime();
    const counts = this.deps.lookups.counts(since);
    const today = localDay(this.now());
    return {
      cpu: { cores, load1, percent: Math.min(100, (load1 / cores) * 100) },
      memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
      disk,
      claudeProcesses,
      counts: { jobs: counts.jobs, jobsEnabled: counts.jobsEnabled, memories: counts.memories, sessions: counts.sessions },
      today: {
        turns: counts.turnsToday,
        sessions: counts.sessionsToday,
        jobRuns: counts.jobRunsToday,
        costUsd: this.figures(today, today).costUsd,
      },
    };
  }
}

/** A process's resident memory, where the system tells it (Linux /proc); null elsewhere or when it is gone. */
async function residentBytes(pid: number): Promise<number | null> {
  try {
    const status = await fs.promises.readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}
