import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../contract';
import { mergeMessages } from './message-pages';

const message = (id: number): Message => ({ id, sessionId: 's', turnId: null, role: 'user', kind: 'text', text: `m${id}`, data: null, surface: 'external', createdAt: id });
const ids = (messages: Message[]) => messages.map((m) => m.id);

describe('mergeMessages', () => {
  it('appends a page that follows what is there', () => {
    expect(ids(mergeMessages([1, 2].map(message), [3, 4].map(message)))).toEqual([1, 2, 3, 4]);
  });

  it('puts a page behind a message that streamed in live before it, without doubles', () => {
    // Message 9 arrived live while the pages 3-4 and 5-9 were still being read.
    const live = mergeMessages([1, 2].map(message), [message(9)]);
    const afterPage = mergeMessages(live, [3, 4].map(message));
    expect(ids(mergeMessages(afterPage, [5, 6, 7, 8, 9].map(message)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps the same array when nothing arrives', () => {
    const current = [message(1)];
    expect(mergeMessages(current, [])).toBe(current);
  });
});
