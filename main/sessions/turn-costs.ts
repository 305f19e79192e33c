import type { SessionCosts, Turn, TurnCost } from '../../contract';

/**
 * Where a turn's and a session's cost are read: the answers Usage counted (from the CLI's transcripts).
 * Handed in by the root (sessions may not import usage), so the header, the transcript, the Sessions
 * list and Usage show one figure; the CLI's own `total_cost_usd` is kept on the turn row but not shown.
 */
export interface CostReader {
  /** One session's cost. */
  session(sessionId: string): number;
  /** Every session's cost, for a list. */
  sessions(): Map<string, number>;
  /** The figures of a session's turns that have answers counted (or of one turn). */
  turns(sessionId: string, turnId?: string): Map<string, { costUsd: number; inputTokens: number; outputTokens: number }>;
}

/**
 * A turn with its figures from its counted answers: none counted yet (they arrive a moment after the
 * turn ends, or there were none) leaves cost and tokens unknown, never a cost beside 0 in / 0 out.
 */
export function withCounted(turn: Turn, figures: ReturnType<CostReader['turns']>): Turn {
  const f = figures.get(turn.id);
  return { ...turn, costUsd: f?.costUsd ?? null, inputTokens: f?.inputTokens ?? null, outputTokens: f?.outputTokens ?? null };
}

/** The event a window follows when a session's answers were counted: its cost and those turns' figures. */
export function sessionCosts(reader: CostReader, sessionId: string, turnIds: Iterable<string>): SessionCosts {
  const figures = reader.turns(sessionId);
  const turns: TurnCost[] = [...turnIds].map((turnId) => {
    const f = figures.get(turnId);
    return { turnId, costUsd: f?.costUsd ?? null, inputTokens: f?.inputTokens ?? null, outputTokens: f?.outputTokens ?? null };
  });
  return { sessionId, costUsd: reader.session(sessionId), turns };
}

/** Answers were counted to these turns: each known session's windows hear its figures; returns those sessions. */
export function announceCounted(reader: CostReader | undefined, touched: Map<string, Set<string>>, known: (sessionId: string) => boolean, tell: (costs: SessionCosts) => void): string[] {
  if (!reader) return [];
  const told = [...touched].filter(([sessionId]) => known(sessionId));
  for (const [sessionId, turnIds] of told) tell(sessionCosts(reader, sessionId, turnIds));
  return told.map(([sessionId]) => sessionId);
}
