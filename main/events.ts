import type { EventName, EventPayload } from '../contract';
import { log } from './log';

type Listener = (name: EventName, payload: unknown) => void;

/** The core's one event stream; transports subscribe and forward to their clients. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload);
      } catch (error) {
        // One broken subscriber must not stop delivery to the others.
        log.error(`event listener failed on ${name}`, error);
      }
    }
  }

  /** One event, its payload typed from the contract's event map. Returns the unsubscribe function. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.subscribe((event, payload) => {
      if (event === name) listener(payload as EventPayload<E>);
    });
  }

  /**
   * The first value `pick` finds in an event (or, checked once subscribed, in `current`: what is true
   * already), or null past `timeoutMs`; the listener and the timer are released either way.
   */
  next<E extends EventName, T>(name: E, pick: (payload: EventPayload<E>) => T | undefined, timeoutMs: number, current?: () => T | undefined): Promise<T | null> {
    return new Promise<T | null>((resolve) => {
      const end = (value: T | null) => {
        clearTimeout(timer);
        off();
        resolve(value);
      };
      const timer = setTimeout(() => end(null), Math.max(0, timeoutMs));
      const off = this.on(name, (payload) => {
        const value = pick(payload);
        if (value !== undefined) end(value);
      });
      const now = current?.();
      if (now !== undefined) end(now);
    });
  }

  /** Every event (transports forward them all). Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
