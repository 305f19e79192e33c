import { describe, expect, it } from 'vitest';
import { chatTarget, withChatTarget } from './chat-targets';

const delivery = { desktop: true, email: [], chats: [{ surface: 'telegram' as const, target: 'owner' }] };

describe("a job's chat targets in the editor", () => {
  it('reads each chat app’s target, empty where it has none', () => {
    expect(chatTarget(delivery, 'telegram')).toBe('owner');
    expect(chatTarget(delivery, 'discord')).toBe('');
  });

  it('sets one app’s target, keeps the others, and removes it with an empty choice', () => {
    const both = withChatTarget(delivery, 'discord', '1234');
    expect(both.chats).toEqual([
      { surface: 'telegram', target: 'owner' },
      { surface: 'discord', target: '1234' },
    ]);
    expect(withChatTarget(both, 'discord', '5678').chats).toEqual([
      { surface: 'telegram', target: 'owner' },
      { surface: 'discord', target: '5678' },
    ]);
    expect(withChatTarget(both, 'telegram', '')).toEqual({ desktop: true, email: [], chats: [{ surface: 'discord', target: '1234' }] });
  });
});
