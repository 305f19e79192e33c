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

describe('waiting for the next event', () => {
  it('resolves with what pick finds, with what is true already, or null past its time, and unsubscribes', async () => {
    const bus = new EventBus();
    const found = bus.next('memory.removed', ({ id }) => (id > 1 ? id : undefined), 1000);
    bus.emit('memory.removed', { id: 1 });
    bus.emit('memory.removed', { id: 2 });
    expect(await found).toBe(2);
    expect(await bus.next('memory.removed', () => 'event', 1000, () => 'already')).toBe('already');
    expect(await bus.next('memory.removed', () => 'event', 5)).toBeNull();
    expect((bus as unknown as { listeners: Set<unknown> }).listeners.size).toBe(0);
  });
});
