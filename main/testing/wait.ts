import type { EventName, EventPayload } from '../../contract';
import type { EventBus } from '../events';

/**
 * The one waiter for tests: resolves with the first value `register` hands over, or rejects after
 * `ms`. `register` may return an unsubscribe function, called once the wait is over either way.
 */
export function waitFor<T>(register: (resolve: (value: T) => void) => (() => void) | void, ms = 5000, what = 'an event'): Promise<T> {
  return new Promise((resolve, reject) => {
    let off: (() => void) | void = undefined;
    const timer = setTimeout(() => {
      off?.();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    off = register((value) => {
      clearTimeout(timer);
      off?.();
      resolve(value);
    });
  });
}

/** The first payload of `name` on the core's bus that passes `match`. */
export function nextEvent<E extends EventName>(events: EventBus, name: E, match: (payload: EventPayload<E>) => boolean = () => true, timeoutMs = 30_000): Promise<EventPayload<E>> {
  return waitFor<EventPayload<E>>((resolve) => events.on(name, (payload) => match(payload) && resolve(payload)), timeoutMs, `${name}`);
}

/** Resolves once `check` returns a value, checked now and whenever `listeners` are called (a stand-in calls them on every request). */
export function checkUntil<T>(listeners: Set<() => void>, check: () => T | undefined | null | false, ms: number, what: string): Promise<T> {
  const first = check();
  if (first) return Promise.resolve(first);
  return waitFor<T>(
    (resolve) => {
      const listener = () => {
        const value = check();
        if (value) resolve(value);
      };
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ms,
    what,
  );
}
