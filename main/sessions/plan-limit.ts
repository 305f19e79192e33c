import type { Clock } from '../clock';

/** No reset time known (the CLI said nothing of it, and no plan figure is at hand): try again after this long. */
export const UNKNOWN_RESET_WAIT_MS = 15 * 60_000;

/**
 * The reset time a CLI's error text names, if any. Measured with 2.1.329 and a subscription credential:
 * "You've hit your 5-hour limit · resets 6:07am (UTC)" (the next such time of day, in the zone it names when
 * that is UTC, else local); older CLIs appended the epoch (`…limit reached|1767225600`). With an API key it
 * says only "API Error: Request rejected (429) · …": then the plan's figures decide, or a retry later.
 */
export function resetFromText(text: string, now: number): number | null {
  const epoch = /\|(\d{10})\b/.exec(text);
  if (epoch) return Number(epoch[1]) * 1000;
  const clock = /resets(?: at)? (\d{1,2})(?::(\d\d))?\s*(am|pm)?(\s*\(UTC\))?/i.exec(text);
  if (!clock) return null;
  let hours = Number(clock[1]);
  const minutes = Number(clock[2] ?? 0);
  const half = clock[3]?.toLowerCase();
  if (half === 'pm' && hours < 12) hours += 12;
  if (half === 'am' && hours === 12) hours = 0;
  if (hours > 23 || minutes > 59) return null;
  const at = new Date(now);
  if (clock[4]) at.setUTCHours(hours, minutes, 0, 0);
  else at.setHours(hours, minutes, 0, 0);
  if (at.getTime() <= now) at.setTime(at.getTime() + 86_400_000);
  return at.getTime();
}

/** Whether a failed turn failed on the plan's (or the API's) rate limit: the CLI's `rate_limit` error or a 429. */
export function isLimitFailure(failure: { rateLimited: boolean; apiErrorStatus: number | null }): boolean {
  return failure.rateLimited || failure.apiErrorStatus === 429;
}

export interface LimitWaiterDeps {
  clock: Clock;
  /** The setting: carry on after the reset (on by default). */
  enabled: () => boolean;
  /** When the plan's window that ran out resets, from its own figures (the CLI's rate_limit_event); null when unknown. */
  planReset: () => number | null;
  /** Wakes one session's waiting turn: it carries on in the same session. */
  continueSession: (sessionId: string) => void;
  /** Runs the jobs held while the limit was reached, in their order. */
  releaseHeld: () => void;
  /** A wait began, or another session joined it: one note per reset, updated (never one per session). */
  onWait: (wait: { until: number; sessionIds: string[] }) => void;
  /** The reset came: the sessions carried on. */
  onReset: (wait: { until: number; sessionIds: string[] }) => void;
  /** A session stopped waiting before the reset (its turn was interrupted). */
  onLeave?: (sessionId: string) => void;
}

/**
 * Turns that failed because the plan's window ran out wait for its reset, then carry on by themselves in
 * the same session, oldest first; held jobs run after them. One timer per reset time; a session waits once.
 */
export class LimitWaiter {
  /** Waiting sessions, in the order their turns hit the limit. */
  private readonly waiting = new Map<string, number>();
  private timer: { until: number; cancel: () => void } | null = null;

  constructor(private readonly deps: LimitWaiterDeps) {}

  /** A turn failed on the limit: until when it waits; null when it should fail as before (the setting is off). */
  wait(sessionId: string, errorText: string): number | null {
    if (!this.deps.enabled()) return null;
    const now = this.deps.clock.now();
    // The plan's own figure (the CLI's rate_limit_event, to the second) first, else what the error says.
    const plan = this.deps.planReset();
    const named = resetFromText(errorText, now);
    const until = [plan, named].find((t): t is number => t !== null && t > now) ?? now + UNKNOWN_RESET_WAIT_MS;
    this.waiting.set(sessionId, until);
    this.arm();
    this.deps.onWait({ until: this.latest(), sessionIds: [...this.waiting.keys()] });
    return until;
  }

  /** Until when the limit holds for new work (jobs are held until then); null when nothing waits. */
  holdUntil(): number | null {
    return this.waiting.size ? this.latest() : null;
  }

  /** The session's turn ended otherwise (interrupted, deleted): it no longer waits. */
  forget(sessionId: string): void {
    if (!this.waiting.delete(sessionId)) return;
    this.deps.onLeave?.(sessionId);
    if (!this.waiting.size) {
      this.timer?.cancel();
      this.timer = null;
    }
  }

  private latest(): number {
    return Math.max(...this.waiting.values());
  }

  private arm(): void {
    const until = this.latest();
    if (this.timer?.until === until) return;
    this.timer?.cancel();
    this.timer = { until, cancel: this.deps.clock.at(until, () => this.reset(until)) };
  }

  /** The window reset: each waiting turn carries on once, in order; then the held jobs. */
  private reset(until: number): void {
    this.timer = null;
    const sessionIds = [...this.waiting.keys()];
    this.waiting.clear();
    for (const id of sessionIds) this.deps.continueSession(id);
    this.deps.releaseHeld();
    this.deps.onReset({ until, sessionIds });
  }
}
