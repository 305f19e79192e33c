import { describe, expect, it } from 'vitest';
import { EventBus } from './events';

describe('the event bus', () => {
  it('hands a typed subscriber its event only, and keeps delivering when one subscriber throws', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('a broken subscriber');
    });
    const off = bus.on('memory.removed', ({ id }) => seen.push(`removed ${id}`));
    bus.emit('memory.indexStatus', { provider: 'p', dimensions: 1, ready: true, pending: 0, reindexing: null, error: null });
    bus.emit('memory.removed', { id: 7 });
    off();
    bus.emit('memory.removed', { id: 8 });
    expect(seen).toEqual(['removed 7']);
  });
});
