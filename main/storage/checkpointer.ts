import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { log } from '../log';

/** How often the worker copies the log into the file. */
const EVERY_MS = 1000;

/**
 * Runs WAL checkpoints in a worker thread with its own connection and turns SQLite's automatic
 * ones off on the main connection. If the worker cannot run or dies, automatic checkpoints come
 * back, so the log never grows without bound.
 */
export class Checkpointer {
  private worker: Worker | null = null;

  constructor(private readonly options: { file: string; db: () => Database; script: string | null }) {}

  /** Starts the worker without waiting for it (a start must stay fast); SQLite's own checkpoints run until it is ready. */
  start(): void {
    if (!this.options.script) return;
    const worker = new Worker(this.options.script, { workerData: { file: this.options.file, everyMs: EVERY_MS } });
    worker.unref();
    this.worker = worker;
    worker.on('message', (m: { ready?: boolean; error?: string }) => {
      if (m.ready && this.worker === worker) {
        try {
          this.options.db().pragma('wal_autocheckpoint = 0');
        } catch {
          // Stopped meanwhile.
        }
      }
      if (m.error) log.warn('a background checkpoint failed', { error: m.error });
    });
    worker.on('error', (error) => this.worker === worker && this.fallBack(`the checkpoint worker failed: ${error.message}`));
    worker.on('exit', () => this.worker === worker && this.fallBack('the checkpoint worker ended'));
  }

  /** Closes the worker's connection first, so the main connection's close is the last and checkpoints all. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      worker.on('message', (m: { closed?: boolean }) => m.closed && done());
      worker.once('exit', done);
      worker.postMessage('close');
      setTimeout(done, 2000).unref();
    });
    await worker.terminate();
  }

  private fallBack(why: string): void {
    this.worker = null;
    log.warn(`${why}; SQLite checkpoints on the main thread again`);
    try {
      this.options.db().pragma('wal_autocheckpoint = 1000');
    } catch {
      // Closed meanwhile.
    }
  }
}
