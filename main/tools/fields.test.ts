import type * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { methods } from '../../contract';
import { field } from './fields';
import { tools } from './registry';

describe('tool inputs from the contract', () => {
  it('hands out the contract’s own field schema, so a tool validates as the contract does', () => {
    expect(field('sessions.create', 'title')).toBe((methods['sessions.create'].input as unknown as z.ZodObject).shape.title);
    expect(field('memory.add', 'text').safeParse('x'.repeat(20_001)).success).toBe(false);
    expect(() => field('sessions.create', 'nope' as 'title')).toThrow(/no input field nope/);
  });

  it('a tool built from them refuses what its method would refuse', () => {
    const remember = tools.find((t) => t.name === 'remember')!;
    expect(remember.input.safeParse({ text: '   ' }).success).toBe(false);
    expect(remember.input.safeParse({ text: 'the deploy key is in 1Password' }).success).toBe(true);
  });
});
