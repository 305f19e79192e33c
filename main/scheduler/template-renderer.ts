import { Worker } from 'node:worker_threads';
import { log } from '../log';
import type { Rendered } from './prompt-template';
import { renderTemplate, type RenderData } from './template-render';

/** How long one render may take in the worker before it is stopped and the run fails, saying so. */
export const TEMPLATE_RENDER_MS = 5_000;
/** The worker's heap: a template that needs more fails (in words) instead of growing Switchboard's memory. */
export const TEMPLATE_WORKER_MB = 256;
/** An idle worker gives its memory back; the next render starts it again (it loads in tens of ms). */
const IDLE_STOP_MS = 60_000;

/** A render that was stopped (too slow, too big): its message says so in the user's words. */
export class TemplateRenderError extends Error {}

interface Waiting {
  data: RenderData;
  resolve: (rendered: Rendered) => void;
  reject: (error: Error) => void;
}

/**
 * Renders template prompts in a worker thread (dist/main/template-worker.cjs), one at a time, each with a
 * hard deadline: past it the worker is terminated (a LiquidJS filter step cannot be interrupted from
 * inside) and the render fails with "the template took longer than N s to render". The event loop never
 * runs a template. Without a worker script (a build that has none) templates render in-thread, as before.
 */
export class TemplateRenderer {
  private worker: Worker | null = null;
  /** The worker has loaded LiquidJS: renders are sent from then on. */
  private ready = false;
  private readonly queue: Waiting[] = [];
  private current: (Waiting & { id: number; timer: NodeJS.Timeout }) | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly deadlineMs: number;
  private readonly memoryMb: number;

  constructor(private readonly options: { script: string | null; deadlineMs?: number; memoryMb?: number }) {
    this.deadlineMs = options.deadlineMs ?? TEMPLATE_RENDER_MS;
    this.memoryMb = options.memoryMb ?? TEMPLATE_WORKER_MB;
  }

  /** The rendered prompt; rejects with a TemplateRenderError when the template was too slow or too big. */
  render(data: RenderData): Promise<Rendered> {
    if (!this.options.script) return renderTemplate(data);
    return new Promise((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      this.pump();
    });
  }

  /** Stops the worker; renders waiting fail. */
  stop(): void {
    this.clearIdle();
    this.kill();
    const waiting = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    if (this.current) clearTimeout(this.current.timer);
    this.current = null;
    for (const w of waiting) w.reject(new TemplateRenderError('Switchboard stopped before the template was rendered'));
  }

  private pump(): void {
    if (this.current) return;
    const next = this.queue.shift();
    if (!next) {
      this.idleTimer ??= setTimeout(() => {
        this.idleTimer = null;
        this.kill();
      }, IDLE_STOP_MS).unref();
      return;
    }
    this.clearIdle();
    const worker = this.start();
    if (!this.ready) {
      this.queue.unshift(next);
      return;
    }
    const id = this.nextId++;
    // The deadline counts from when this render starts, not from when it was queued.
    const timer = setTimeout(() => this.fail(`the template took longer than ${Math.round(this.deadlineMs / 100) / 10} s to render; make it simpler or feed it less`), this.deadlineMs);
    this.current = { ...next, id, timer };
    worker.postMessage({ id, data: next.data });
  }

  /** Ends the current render with `reason`, terminating the worker (the next render gets a fresh one). */
  private fail(reason: string): void {
    const current = this.current;
    this.current = null;
    this.kill();
    if (current) {
      clearTimeout(current.timer);
      current.reject(new TemplateRenderError(reason));
    }
    this.pump();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.script!, { resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: 32 } });
    worker.unref();
    worker.on('message', (message: { id: number; rendered?: Rendered; error?: string } | 'ready') => {
      if (worker !== this.worker) return;
      if (message === 'ready') {
        this.ready = true;
        this.pump();
        return;
      }
      const current = this.current;
      if (!current || current.id !== message.id) return;
      clearTimeout(current.timer);
      this.current = null;
      if (message.rendered) current.resolve(message.rendered);
      else current.reject(new TemplateRenderError(`the template could not be rendered: ${message.error}`));
      this.pump();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (worker !== this.worker) return;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.fail(`the template needed more than ${this.memoryMb} MB of memory to render; make it simpler or feed it less`);
      else {
        const id = log.error('the template worker failed', error);
        this.fail(`the template could not be rendered (an internal error, ${id})`);
      }
    });
    worker.on('exit', () => {
      if (worker === this.worker) this.fail('the template could not be rendered: its worker stopped');
    });
    this.worker = worker;
    this.ready = false;
    return worker;
  }

  private kill(): void {
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
