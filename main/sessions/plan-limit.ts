import fs from 'node:fs';
import type { Clock } from '../clock';
import { log } from '../log';

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
  /** A wait began, or another session joined it: one note per reset, updated (never one per session). `episode` names this run-out of the window (kept across a restart). */
  onWait: (wait: { until: number; sessionIds: string[]; episode: string; first: boolean }) => void;
  /** The reset came: the sessions carried on. */
  onReset: (wait: { until: number; sessionIds: string[]; episode: string }) => void;
  /** A session stopped waiting before the reset (its turn was interrupted). */
  onLeave?: (sessionId: string, episode: string) => void;
  /** Where the waits are kept (0600 JSON in the data folder), so a restart does not lose them; none in unit tests. */
  file?: string;
}

/** One turn waiting for the reset, as kept on disk: the session, the turn (its message is the turn's prompt), until when. */
export interface KeptWait {
  sessionId: string;
  turnId: string;
  until: number;
}

/** The file's shape: this run-out of the window, and its waiting turns in the order they hit the limit. */
interface KeptWaits {
  episode: string | null;
  waits: KeptWait[];
}

/** Reads the kept waits; a missing or damaged file is no wait at all (the turns then end as a restart ends them). */
function readKept(file: string): KeptWaits {
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeptWaits>;
    const waits = (Array.isArray(kept.waits) ? kept.waits : []).filter(
      (w): w is KeptWait => !!w && typeof w.sessionId === 'string' && typeof w.turnId === 'string' && typeof w.until === 'number',
    );
    return { episode: typeof kept.episode === 'string' ? kept.episode : null, waits };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('plan limit: the kept waits could not be read; they are dropped', { error: String(error) });
    return { episode: null, waits: [] };
  }
}

/**
 * Turns that failed because the plan's window ran out wait for its reset, then carry on by themselves in
 * the same session, oldest first; held jobs run after them. One timer per reset time; a session waits once.
 */
export class LimitWaiter {
  /** Waiting sessions, in the order their turns hit the limit: until when, and which turn. */
  private readonly waiting = new Map<string, { until: number; turnId: string }>();
  private timer: { until: number; cancel: () => void } | null = null;
  /** This run-out of the window (one note and one set of inbox items for it), while anything waits. */
  private episode: string | null = null;

  constructor(private readonly deps: LimitWaiterDeps) {}

  /** This run-out of the window while anything waits (its phone note goes out once), else null. */
  get currentEpisode(): string | null {
    return this.episode;
  }

  /** A turn failed on the limit: until when it waits; null when it should fail as before (the setting is off). */
  wait(sessionId: string, errorText: string, turnId = ''): number | null {
    if (!this.deps.enabled()) return null;
    const now = this.deps.clock.now();
    // The plan's own figure (the CLI's rate_limit_event, to the second) first, else what the error says.
    const plan = this.deps.planReset();
    const named = resetFromText(errorText, now);
    const until = [plan, named].find((t): t is number => t !== null && t > now) ?? now + UNKNOWN_RESET_WAIT_MS;
    const first = !this.episode;
    this.episode ??= `limit:${now}`;
    this.waiting.set(sessionId, { until, turnId });
    this.keep();
    this.arm();
    this.deps.onWait({ until: this.latest(), sessionIds: [...this.waiting.keys()], episode: this.episode, first });
    return until;
  }

  /**
   * At start, before the sessions take their turns back: the waits the last run kept (a restart, a crash),
   * armed again for their reset. Returns them, oldest first, so their turns stay current and their queues
   * wait behind them; `keep` says which of them the sessions could take back (the rest are dropped).
   */
  restore(keep: (wait: KeptWait) => boolean): KeptWait[] {
    if (!this.deps.file) return [];
    const kept = readKept(this.deps.file);
    const taken = kept.waits.filter((w) => !this.waiting.has(w.sessionId) && keep(w));
    for (const w of taken) this.waiting.set(w.sessionId, { until: w.until, turnId: w.turnId });
    if (this.waiting.size) {
      this.episode ??= kept.episode ?? `limit:${this.deps.clock.now()}`;
      this.arm();
    }
    this.keep();
    return taken;
  }

  /** Switchboard stops: the reset's timer goes, the waits stay kept on disk (`restore` takes them back at the next start). */
  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Until when the limit holds for new work (jobs are held until then); null when nothing waits. */
  holdUntil(): number | null {
    return this.waiting.size ? this.latest() : null;
  }

  /** The session's turn ended otherwise (interrupted, deleted): it no longer waits. */
  forget(sessionId: string): void {
    if (!this.waiting.delete(sessionId)) return;
    const episode = this.episode ?? '';
    if (!this.waiting.size) {
      this.timer?.cancel();
      this.timer = null;
      this.episode = null;
    }
    this.keep();
    this.deps.onLeave?.(sessionId, episode);
  }

  private latest(): number {
    return Math.max(...[...this.waiting.values()].map((w) => w.until));
  }

  /** Writes what waits now (a temporary file renamed over the old one, 0600), or removes the file when nothing does. */
  private keep(): void {
    const file = this.deps.file;
    if (!file) return;
    try {
      if (!this.waiting.size) {
        fs.rmSync(file, { force: true });
        return;
      }
      const kept: KeptWaits = { episode: this.episode, waits: [...this.waiting].map(([sessionId, w]) => ({ sessionId, turnId: w.turnId, until: w.until })) };
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(kept), { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    } catch (error) {
      // The wait goes on in memory; only a restart before the reset would lose it.
      log.error('plan limit: the waiting turns could not be kept on disk', error);
    }
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
    const episode = this.episode ?? '';
    this.waiting.clear();
    this.episode = null;
    // Kept as done before anything carries on: a restart from here on never continues them twice.
    this.keep();
    for (const id of sessionIds) this.deps.continueSession(id);
    this.deps.releaseHeld();
    this.deps.onReset({ until, sessionIds, episode });
  }
}
