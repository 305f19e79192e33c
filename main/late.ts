/**
 * The composition root's one way of wiring a dependency that is built after someone who needs it.
 * Where a cycle is real (sessions ask usage for the gate and usage counts the sessions' processes; the
 * bridges call the router that serves them), the earlier service gets a function that reads the later
 * one from this holder when it is called, never while it is built. Each is set once, right after it is
 * built; reading one that is not built yet is a wiring bug and says which.
 */
export class Late<T extends object> {
  private readonly values: Partial<T> = {};

  /** Keeps `value` as the one `key`, and hands it back, so a build reads `const x = late.set('x', new X())`. */
  set<K extends keyof T>(key: K, value: T[K]): T[K] {
    if (key in this.values) throw new Error(`core wiring: ${String(key)} was built twice`);
    this.values[key] = value;
    return value;
  }

  /** The `key` built since; throws (a wiring bug) when read before it was built. */
  get<K extends keyof T>(key: K): T[K] {
    if (!(key in this.values)) throw new Error(`core wiring: ${String(key)} was read before it was built`);
    return this.values[key] as T[K];
  }
}
