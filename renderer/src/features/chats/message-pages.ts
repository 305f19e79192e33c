import type { Message } from '../../../../contract';

/** Messages a conversation page holds: a page is read per call, so a long conversation arrives in several. */
export const PAGE_SIZE = 2000;

/**
 * Adds messages (a page, or one that streamed in live) to a conversation, kept in id order without
 * doubles, whichever arrived first. The common case, all newer than what is there, is a plain append.
 */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (!incoming.length) return current;
  const last = current.at(-1)?.id ?? -1;
  if (incoming.every((m, i) => m.id > (i ? incoming[i - 1]!.id : last))) return current.concat(incoming);
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
