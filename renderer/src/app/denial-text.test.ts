import { describe, expect, it } from 'vitest';
import { denialText } from './messages';

describe('what the transcript says of a call that did not run', () => {
  it('names what happened and who did it', () => {
    expect(denialText({ reason: 'timeout', via: null })).toBe('not run: no answer in time');
    expect(denialText({ reason: 'plan', via: 'desktop' })).toBe('sent back to planning by you');
    expect(denialText({ reason: 'user', via: 'telegram' })).toBe('denied by you on Telegram');
    expect(denialText({ reason: 'user', via: 'browser' })).toBe('denied by you');
    expect(denialText({ reason: 'cancelled', via: null })).toBe('not run: the turn ended first');
    // Stored before the reason was kept: no claim about who.
    expect(denialText(null)).toBe('denied');
  });
});
