/**
 * Time as the services that wait for a moment see it: the real clock, or one a test moves (waiting for a
 * plan's limit to reset is hours of real time).
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once at `time` (on this clock); returns the cancel function. */
  at(time: number, fn: () => void): () => void;
}

/** The real clock: timers that do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  at(time, fn) {
    const timer = setTimeout(fn, Math.max(0, time - Date.now()));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
