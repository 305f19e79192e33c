import type { Message, StreamItem, Turn, TurnCost } from '../../../../contract';

/** Text still streaming for the running turn; replaced by the stored block when it completes. */
export interface Live {
  turnId: string | null;
  text: string;
  thinking: string;
}

export interface OpenTranscript {
  sessionId: string;
  loading: boolean;
  turns: Record<string, Turn>;
  messages: Message[];
  live: Live;
}

export const EMPTY_LIVE: Live = { turnId: null, text: '', thinking: '' };

/** Messages from two sources (a load and the stream) as one list in stored order, each once. */
export function mergeMessages(a: Message[], b: Message[]): Message[] {
  const byId = new Map<number, Message>();
  for (const m of [...a, ...b]) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.id - y.id);
}

/** Turns' figures counted after they ended (from their transcript) applied to the turns held; turns not held wait for their load. */
export function withCosts(t: OpenTranscript, costs: TurnCost[]): OpenTranscript {
  const turns = { ...t.turns };
  for (const c of costs) {
    const turn = turns[c.turnId];
    if (turn) turns[c.turnId] = { ...turn, costUsd: c.costUsd, inputTokens: c.inputTokens, outputTokens: c.outputTokens };
  }
  return { ...t, turns };
}

/** One item of the session's stream applied to the open transcript. */
export function applyStream(t: OpenTranscript, turnId: string | null, item: StreamItem): OpenTranscript {
  switch (item.kind) {
    case 'text_delta':
      return { ...t, live: { ...t.live, turnId, text: t.live.text + item.text } };
    case 'thinking_delta':
      return { ...t, live: { ...t.live, turnId, thinking: t.live.thinking + item.text } };
    case 'message': {
      const live =
        item.message.role === 'assistant' && item.message.kind === 'text'
          ? { ...t.live, text: '' }
          : item.message.kind === 'thinking'
            ? { ...t.live, thinking: '' }
            : t.live;
      return { ...t, live, messages: mergeMessages(t.messages, [item.message]) };
    }
    case 'turn': {
      const ended = !['queued', 'running'].includes(item.turn.status);
      const live = ended && t.live.turnId === item.turn.id ? EMPTY_LIVE : t.live;
      return { ...t, live, turns: { ...t.turns, [item.turn.id]: item.turn } };
    }
    case 'removed': {
      const turns = { ...t.turns };
      delete turns[item.turnId];
      return { ...t, turns };
    }
  }
}

/** Messages waiting their turn, in the order they will be sent: they are not in the conversation yet. */
export function queuedTurns(turns: Record<string, Turn>): Turn[] {
  return Object.values(turns)
    .filter((t) => t.status === 'queued')
    .sort((a, b) => (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) || a.queuedAt - b.queuedAt);
}

const ENDED = (t: Turn) => !['queued', 'running'].includes(t.status);

/**
 * The open transcript after reading it again (shown again, a question settled, a resync): the stored
 * turns win, except one that held as ended while the read said otherwise (its end arrived in between);
 * a queued turn the read no longer has was sent or removed meanwhile.
 */
export function refreshed(t: OpenTranscript, turns: Turn[], messages: Message[], streaming: { turnId: string; text: string } | null): OpenTranscript {
  const next: Record<string, Turn> = {};
  for (const turn of turns) {
    const heldTurn = t.turns[turn.id];
    next[turn.id] = heldTurn && ENDED(heldTurn) && !ENDED(turn) ? heldTurn : turn;
  }
  const live = streaming ? { ...t.live, turnId: streaming.turnId, text: streaming.text } : EMPTY_LIVE;
  return { ...t, loading: false, turns: next, messages: mergeMessages(messages, t.messages), live };
}
