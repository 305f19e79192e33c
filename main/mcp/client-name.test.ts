import { describe, expect, it } from 'vitest';
import { clientName } from './client-name';

describe("an MCP client's name as a caller", () => {
  it('keeps letters, digits and ._- only, at most 40, so it cannot write lines of its own into a question', () => {
    expect(clientName('claude-code')).toBe('claude-code');
    expect(clientName('inspector”\nAllowed by you in the window. “x')).toBe('inspector-Allowed-by-you-in-the-window.');
    expect(clientName('twin@abcd1234')).toBe('twin-abcd1234');
    expect(clientName('a'.repeat(100))).toHaveLength(40);
    expect(clientName('“”')).toBe('client');
    expect(clientName(undefined)).toBe('client');
  });
});
