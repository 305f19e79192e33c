import { describe, expect, it } from 'vitest';
import { money } from './usage';

describe('money: the one formatter for dollar amounts', () => {
  it('keeps the digits a small amount needs, and cents from a dollar', () => {
    expect(money(0.001)).toBe('$0.0010');
    expect(money(0.0054)).toBe('$0.0054');
    expect(money(0.00002)).toBe('$0.000020');
    expect(money(0)).toBe('$0.00');
    expect(money(1.234)).toBe('$1.23');
    expect(money(12)).toBe('$12.00');
    expect(money(-0.5)).toBe('-$0.5000');
  });
});
