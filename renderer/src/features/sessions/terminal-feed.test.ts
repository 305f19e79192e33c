import { describe, expect, it } from 'vitest';
import { TerminalFeed } from './terminal-feed';

function feed() {
  let screen = '';
  const ends: number[] = [];
  const f = new TerminalFeed((data, end) => {
    screen += data;
    ends.push(end);
  });
  return { f, screen: () => screen, ends };
}

describe('TerminalFeed', () => {
  it('writes the scrollback, then live chunks, each character once', () => {
    const { f, screen, ends } = feed();
    expect(f.live('cdef', 2)).toBe('ok'); // arrives before the attach answers: held
    f.attached('abcd', 0);
    expect(f.live('ef', 4)).toBe('ok'); // already had it from the held chunk
    expect(f.live('gh', 6)).toBe('ok');
    expect(screen()).toBe('abcdefgh');
    expect(ends.at(-1)).toBe(8);
  });

  it('reports a gap when output was missed, and a re-attach fills in only what is new', () => {
    const { f, screen } = feed();
    f.attached('abc', 0);
    expect(f.live('xyz', 10)).toBe('gap');
    f.reset();
    f.attached('defghijxyz', 3);
    expect(screen()).toBe('abcdefghijxyz');
  });

  it('marks output that scrolled out of the scrollback before the re-attach', () => {
    const { f, screen } = feed();
    f.attached('abc', 0);
    f.reset();
    f.attached('uvw', 20);
    expect(screen()).toMatch(/^abc\r\n.*output skipped.*\r\nuvw$/);
  });
});
