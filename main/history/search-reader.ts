import { Worker } from 'node:worker_threads';
import type { SearchHit } from '../../contract';
import { log } from '../log';
import type { SearchRequest } from './search-query';

/** An idle reader gives its memory back (a connection and its page cache); the next search starts it again. */
const IDLE_STOP_MS = 60_000;

/**
 * The search worker (dist/main/search-worker.cjs), started on the first search and stopped when idle:
 * searches run there on a read-only connection of their own, so the event loop stays free. Returns
 * null when the worker cannot run, and the caller searches in-thread as before.
 */
export class SearchReader {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (hits: SearchHit[]) => void; reject: (error: Error) => void }>();
  private idleTimer: NodeJS.Timeout | null = null;
  /** Set when the worker failed: searches stay in-thread from then on. */
  broken: Error | null = null;

  constructor(
    private readonly script: string,
    private readonly file: string,
  ) {}

  search(request: SearchRequest): Promise<SearchHit[]> | null {
    if (this.broken) return null;
    const worker = this.start();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    void this.worker?.terminate();
    this.worker = null;
    for (const { reject } of this.waiting.values()) reject(new Error('the search worker stopped'));
    this.waiting.clear();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { file: this.file } });
    worker.unref();
    worker.on('message', (message: { id: number; hits?: SearchHit[]; error?: string }) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.hits ?? []);
      if (!this.waiting.size) {
        this.idleTimer = setTimeout(() => this.stop(), IDLE_STOP_MS);
        this.idleTimer.unref();
      }
    });
    worker.on('error', (error) => {
      this.broken = error;
      log.warn('the search worker failed; searching on the main thread instead', { error: error.message });
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
      this.worker = null;
    });
    this.worker = worker;
    return worker;
  }
}
