import type { Database, Statement } from 'better-sqlite3';
import type { StorageService } from '../storage/storage-service';
import { costOf, type Tokens } from './prices';

/** One API answer as a transcript (or the CLI's stream) reports it. */
export interface UsageEntry extends Tokens {
  /** The answer's message id (else its request id, else the line's id): the same answer counts once. */
  key: string;
  at: number;
  model: string;
  /** The cost written with it, when the CLI wrote one; else the price table's. */
  costUsd: number | null;
}

/** What the answers counted to one turn add up to. */
export interface TurnFigures {
  turnId: string;
  costUsd: number;
  /** Every token the model read: new input, cache written and cache read. */
  inputTokens: number;
  outputTokens: number;
  /** API answers counted. */
  requests: number;
}

/** Whose usage it is: a session here (Switchboard's or one imported from outside), its surface and folder. */
export interface UsageOwner {
  sessionId: string | null;
  surface: string;
  project: string;
  /** Switchboard's own sessions: answers are matched to the turn they belong to. */
  ours: boolean;
}

interface EventRow extends Tokens {
  day: string;
  session_id: string;
  turn_id: string | null;
  surface: string;
  project: string;
  model: string;
  cost_usd: number;
}

/**
 * What usage reads of tables other services own (sessions, turns, jobs, memories), through their owners:
 * the root hands it in, so usage runs SQL on its own tables only.
 */
export interface UsageLookups {
  /** The turn of one of Switchboard's sessions under way at `at` (the last one started by then). */
  turnAt(sessionId: string, at: number): { id: string; surface: string } | null;
  /** A session's title and surface, for the list by session; null once it is gone. */
  session(id: string): { title: string; surface: string } | null;
  /** A turn's prompt, for the list by turn; null once it is gone. */
  turnPrompt(id: string): string | null;
  /** What the machine panel counts: jobs, memories, sessions, and today's turns, sessions and runs. */
  counts(since: number): { jobs: number; jobsEnabled: number; memories: number; sessions: number; turnsToday: number; sessionsToday: number; jobRunsToday: number };
}

/** The local calendar day of a time: what "today" means to the person at the machine. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Counts API answers once each and keeps the sums the Usage screen reads. An answer seen again (a
 * line written twice, a subagent's copy in its parent's transcript, a later line of the same answer
 * with its final output count) keeps the larger count of each kind, and the sums move by the change.
 */
export class UsageStore {
  private prepared: Record<'find' | 'insert' | 'update' | 'daily' | 'hourly', Statement> | null = null;

  constructor(
    private readonly storage: StorageService,
    private readonly turnAt: UsageLookups['turnAt'],
  ) {}

  private get db(): Database {
    return this.storage.db;
  }

  /** Prepared once the database is open (the store exists before storage starts). */
  private get statements() {
    const db = this.db;
    this.prepared ??= {
      find: db.prepare('SELECT day, session_id, turn_id, surface, project, model, input, output, cache_write AS cacheWrite, cache_read AS cacheRead, cost_usd FROM usage_events WHERE key = ?'),
      insert: db.prepare(
        `INSERT INTO usage_events (key, at, day, session_id, turn_id, surface, project, model, input, output, cache_write, cache_read, cost_usd, priced)
         VALUES (@key, @at, @day, @session, @turn, @surface, @project, @model, @input, @output, @cacheWrite, @cacheRead, @cost, @priced)`,
      ),
      update: db.prepare('UPDATE usage_events SET input = @input, output = @output, cache_write = @cacheWrite, cache_read = @cacheRead, cost_usd = @cost WHERE key = @key'),
      daily: db.prepare(
        `INSERT INTO usage_daily (day, surface, project, model, session_id, input, output, cache_write, cache_read, cost_usd, requests)
         VALUES (@day, @surface, @project, @model, @session, @input, @output, @cacheWrite, @cacheRead, @cost, @requests)
         ON CONFLICT DO UPDATE SET input = input + excluded.input, output = output + excluded.output, cache_write = cache_write + excluded.cache_write,
           cache_read = cache_read + excluded.cache_read, cost_usd = cost_usd + excluded.cost_usd, requests = requests + excluded.requests`,
      ),
      hourly: db.prepare(
        `INSERT INTO usage_hourly (hour, tokens, cost_usd) VALUES (?, ?, ?)
         ON CONFLICT DO UPDATE SET tokens = tokens + excluded.tokens, cost_usd = cost_usd + excluded.cost_usd`,
      ),
    };
    return this.prepared;
  }

  /**
   * Counts answers (in the caller's transaction, or its own); returns how many changed a figure, and the
   * turns whose figures changed (by session), so what shows a turn's or a session's cost can follow.
   */
  record(entries: readonly UsageEntry[], owner: UsageOwner, touched?: Map<string, Set<string>>): number {
    if (!entries.length) return 0;
    let changed = 0;
    const touch = (session: string, turn: string | null) => {
      if (!touched || !session || !turn) return;
      let turns = touched.get(session);
      if (!turns) touched.set(session, (turns = new Set()));
      turns.add(turn);
    };
    const s = this.statements;
    this.db.transaction(() => {
      for (const e of entries) {
        const old = s.find.get(e.key) as EventRow | undefined;
        if (old) {
          const tokens = { input: Math.max(old.input, e.input), output: Math.max(old.output, e.output), cacheWrite: Math.max(old.cacheWrite, e.cacheWrite), cacheRead: Math.max(old.cacheRead, e.cacheRead) };
          const cost = Math.max(old.cost_usd, e.costUsd ?? costOf(old.model, tokens) ?? 0);
          const delta = { input: tokens.input - old.input, output: tokens.output - old.output, cacheWrite: tokens.cacheWrite - old.cacheWrite, cacheRead: tokens.cacheRead - old.cacheRead };
          if (!delta.input && !delta.output && !delta.cacheWrite && !delta.cacheRead && cost === old.cost_usd) continue;
          s.update.run({ key: e.key, ...tokens, cost });
          touch(old.session_id, old.turn_id);
          this.add(old.day, { surface: old.surface, project: old.project, model: old.model, session: old.session_id }, delta, cost - old.cost_usd, 0, e.at);
        } else {
          const table = costOf(e.model, e);
          const cost = e.costUsd ?? table ?? 0;
          const session = owner.sessionId ?? '';
          // A turn counts for the surface that sent it: a desk session continued from Telegram spends Telegram's budget.
          const turn = owner.ours && owner.sessionId ? this.turnAt(owner.sessionId, e.at) : null;
          const surface = turn?.surface ?? owner.surface;
          const day = localDay(e.at);
          s.insert.run({ ...e, day, session, turn: turn?.id ?? null, surface, project: owner.project, cost, priced: e.costUsd === null ? 1 : 0 });
          touch(session, turn?.id ?? null);
          this.add(day, { surface, project: owner.project, model: e.model, session }, e, cost, 1, e.at);
        }
        changed++;
      }
    })();
    return changed;
  }

  /** What one session's answers cost: the figure Sessions shows, the same sum Usage's list by session reads. */
  sessionCost(sessionId: string): number {
    return (this.db.prepare('SELECT coalesce(sum(cost_usd), 0) FROM usage_events WHERE session_id = ?').pluck().get(sessionId) as number) ?? 0;
  }

  /** Every session's cost at once (the Sessions list), from the day sums: thousands of rows, not every answer. */
  sessionCosts(): Map<string, number> {
    const rows = this.db.prepare(`SELECT session_id AS id, sum(cost_usd) AS cost FROM usage_daily WHERE session_id != '' GROUP BY session_id`).all() as { id: string; cost: number }[];
    return new Map(rows.map((r) => [r.id, r.cost]));
  }

  /**
   * The answers counted to each turn of a session: what a turn shows as its cost and tokens, so the two
   * always come from the same answers (input counts every token the model read: new, cache written, cache read).
   */
  turnFigures(sessionId: string, turnId?: string): Map<string, TurnFigures> {
    const rows = this.db
      .prepare(
        `SELECT turn_id AS turnId, sum(cost_usd) AS costUsd, sum(input + cache_write + cache_read) AS inputTokens, sum(output) AS outputTokens, count(*) AS requests
         FROM usage_events WHERE session_id = ? AND ${turnId ? 'turn_id = ?' : 'turn_id IS NOT NULL'} GROUP BY turn_id`,
      )
      .all(...(turnId ? [sessionId, turnId] : [sessionId])) as TurnFigures[];
    return new Map(rows.map((r) => [r.turnId, r]));
  }

  private add(day: string, group: { surface: string; project: string; model: string; session: string }, t: Tokens, cost: number, requests: number, at: number): void {
    this.statements.daily.run({ day, ...group, input: t.input, output: t.output, cacheWrite: t.cacheWrite, cacheRead: t.cacheRead, cost, requests });
    this.statements.hourly.run(Math.floor(at / 3_600_000), t.input + t.output + t.cacheWrite + t.cacheRead, cost);
  }
}
