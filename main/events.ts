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

  /** Every event (transports forward them all). Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
