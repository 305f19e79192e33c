import { Worker } from 'node:worker_threads';
import { BuiltinEmbedder } from './embeddings';
import { log } from '../log';

/**
 * One worker thread running the built-in embedder, started on first use and ended when idle. The
 * worker is a separate bundle (dist/main/embed-worker.cjs); without it, embedding stays in-thread.
 */
export class EmbedPool {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  private idleTimer: NodeJS.Timeout | null = null;
  /** Set when the worker could not run: callers embed in-thread from then on. */
  broken: Error | null = null;

  constructor(private readonly script: string) {}

  embed(texts: string[]): Promise<Float32Array[]> {
    if (this.broken) return Promise.reject(this.broken);
    const worker = this.start();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, texts });
    });
  }

  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    void this.worker?.terminate();
    this.worker = null;
    for (const { reject } of this.waiting.values()) reject(new Error('embedding worker stopped'));
    this.waiting.clear();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', ({ id, flat }: { id: number; flat: Float32Array }) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      const d = BuiltinEmbedder.DIMENSIONS;
      waiter?.resolve(Array.from({ length: flat.length / d }, (_, i) => flat.slice(i * d, (i + 1) * d)));
      if (!this.waiting.size) {
        // An idle worker costs memory in a menu-bar app; a new batch starts it again.
        this.idleTimer = setTimeout(() => this.stop(), 30_000);
        this.idleTimer.unref();
      }
    });
    worker.on('error', (error) => {
      this.broken = error;
      log.warn(`the embedding worker failed (${error.message}); embedding on the main thread instead`);
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
      this.worker = null;
    });
    this.worker = worker;
    return worker;
  }
}
