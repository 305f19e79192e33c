/**
 * Disposables, as VS Code keeps them: whatever a service opens (an event subscription, a timer) is
 * registered once where it is opened, and released together when the service stops, instead of a
 * field per timer and a hand-written line per field in `stop()`. A store that is disposed releases
 * anything added to it later at once, so a timer armed by work finishing after `stop()` cannot outlive it.
 */

/** Something to release once: an unsubscribe, a timer, a child resource. */
export interface IDisposable {
  dispose(): void;
}

/** A function as a disposable, called at most once. */
export function toDisposable(release: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      release();
    },
  };
}

/** A set of disposables released together; once disposed, whatever is added is released at once. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  get size(): number {
    return this.items.size;
  }

  /** Keeps `item` until the store is disposed (or releases it now, when it already is); returns it. */
  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  /** Releases one item now and forgets it. */
  delete(item: IDisposable): void {
    if (this.items.delete(item)) item.dispose();
  }

  /** Forgets an item without releasing it (it released itself: a timer that fired). */
  forget(item: IDisposable): void {
    this.items.delete(item);
  }

  dispose(): void {
    this.disposed = true;
    const items = [...this.items];
    this.items.clear();
    for (const item of items) item.dispose();
  }
}

/** A base for classes that own disposables: `this._register(...)` where they are opened, `dispose()` once. */
export abstract class Disposable implements IDisposable {
  protected readonly _store = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  dispose(): void {
    this._store.dispose();
  }
}

/**
 * A timer as a disposable that does not keep the process alive; kept in `store` until it fires or is
 * released. Added to a disposed store it never fires.
 */
export function disposableTimeout(run: () => void, ms: number, store?: DisposableStore): IDisposable {
  const timer = setTimeout(() => {
    if (store) store.forget(handle);
    run();
  }, Math.max(0, ms));
  timer.unref();
  const handle = toDisposable(() => clearTimeout(timer));
  store?.add(handle);
  return handle;
}

/** An interval as a disposable that does not keep the process alive. */
export function disposableInterval(run: () => void, ms: number): IDisposable {
  const timer = setInterval(run, ms);
  timer.unref();
  return toDisposable(() => clearInterval(timer));
}
