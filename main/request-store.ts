/**
 * Waiting for a reply with a deadline, written once (VS Code's RequestStore is the example): the
 * approval broker's questions, a stopped terminal's reply window, `sessions.ask`, `user.ask` and the
 * hooks each waited with their own timer, listener and clean-up, and each could leak one of the three.
 */

/** A request waiting for its reply, its timeout, or the store's end. */
interface Open<Q, R> {
  data: Q;
  resolve: (reply: R) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * Requests by id, each ending once: at its reply, or past its time (`onTimeout` decides what that means,
 * usually by replying). The timers do not keep the process alive.
 */
export class RequestStore<Q, R> {
  private readonly open = new Map<string, Open<Q, R>>();

  /**
   * Opens request `id` carrying `data`; resolves with its reply. Past `timeoutMs` (null: never),
   * `onTimeout(id)` runs while the request is still open.
   */
  create(id: string, data: Q, timeoutMs: number | null, onTimeout: (id: string) => void): Promise<R> {
    if (this.open.has(id)) throw new Error(`request ${id} is open already`);
    return new Promise<R>((resolve) => {
      const timer = timeoutMs === null ? null : setTimeout(() => this.open.has(id) && onTimeout(id), Math.max(0, timeoutMs));
      timer?.unref();
      this.open.set(id, { data, resolve, timer });
    });
  }

  /** The data of an open request. */
  get(id: string): Q | undefined {
    return this.open.get(id)?.data;
  }

  has(id: string): boolean {
    return this.open.has(id);
  }

  /** The open requests, in the order they were made. */
  entries(): [string, Q][] {
    return [...this.open].map(([id, o]) => [id, o.data]);
  }

  /** Ends a request with its reply; false when it was not open (answered already, or timed out). */
  reply(id: string, reply: R): boolean {
    const found = this.open.get(id);
    if (!found) return false;
    this.open.delete(id);
    if (found.timer) clearTimeout(found.timer);
    found.resolve(reply);
    return true;
  }

  /** Forgets a request without replying: whoever waits on it is gone (a question kept over a restart). */
  drop(id: string): void {
    const found = this.open.get(id);
    if (found?.timer) clearTimeout(found.timer);
    this.open.delete(id);
  }
}

/** The promise's value if it settles within `ms`, else `fallback` (the work goes on); the timer is always cleared. */
export async function withTimeout<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
