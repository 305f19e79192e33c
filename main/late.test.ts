import { describe, expect, it } from 'vitest';
import { Late } from './late';

describe('Late', () => {
  it('hands back what was set, and refuses a read before the build and a second build', () => {
    const late = new Late<{ a: { n: number }; b: string }>();
    const read = () => late.get('a').n;
    expect(read).toThrow(/a was read before it was built/);
    const a = late.set('a', { n: 1 });
    expect(read()).toBe(1);
    expect(late.get('a')).toBe(a);
    expect(() => late.set('a', { n: 2 })).toThrow(/a was built twice/);
    expect(() => late.get('b')).toThrow(/b was read/);
  });
});
