import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Health } from '../../contract';
import { disposableInterval, type IDisposable } from '../disposable';
import { log } from '../log';

/** How often a running Switchboard checks its file again. */
const RECHECK_MS = 24 * 3600 * 1000;

export type IntegrityState = Health['database']['integrity'];

type WorkerAnswer = { rows: string[] } | { error: string; code: string };

function isCorruptCode(code: string): boolean {
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/**
 * The check a fast start skipped: after start and then daily, quick_check runs on its own
 * connection in a worker thread. A failure stops all writes to the file (query_only), is logged
 * and reported, and the file is never marked clean again, so the next start checks it first.
 */
export class IntegrityMonitor {
  private status: IntegrityState = { state: 'unchecked', checkedAt: null };
  private timer: IDisposable | null = null;
  private running: Promise<void> | null = null;
  private worker: Worker | null = null;
  private stopped = false;

  constructor(
    private readonly options: {
      file: string;
      db: () => Database;
      /** The worker's script (its bundle, or the source file in tests); without one the check runs in-thread. */
      script: string | null;
      onCorrupt: (detail: string) => void;
    },
  ) {}

  get state(): IntegrityState {
    return this.status;
  }

  get corrupt(): boolean {
    return this.status.state === 'corrupt';
  }

  /** Checks right after start when the open skipped it, then once a day. */
  start(checkNow: boolean): void {
    this.stopped = false;
    if (checkNow) setImmediate(() => void this.check());
    else this.status = { state: 'ok', checkedAt: Date.now() };
    this.timer = disposableInterval(() => void this.check(), RECHECK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.dispose();
    this.timer = null;
    await this.worker?.terminate();
    await this.running;
  }

  /** Runs one check now (or joins the one under way). */
  check(): Promise<void> {
    if (this.stopped || this.status.state === 'corrupt') return Promise.resolve();
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    this.status = { state: 'checking', checkedAt: this.status.checkedAt };
    const started = performance.now();
    const answer = this.options.script ? await this.inWorker(this.options.script) : this.inThread();
    if (answer === null || this.stopped) {
      this.status = { state: 'unchecked', checkedAt: this.status.checkedAt };
      return;
    }
    const now = Date.now();
    let detail: string | null = null;
    if ('error' in answer) {
      if (!isCorruptCode(answer.code)) {
        log.warn('the background integrity check could not run', { error: answer.error });
        this.status = { state: 'unchecked', checkedAt: this.status.checkedAt };
        return;
      }
      detail = answer.error;
    } else if (answer.rows.length !== 1 || answer.rows[0] !== 'ok') {
      detail = answer.rows.slice(0, 3).join('; ');
    }
    if (detail === null) {
      this.status = { state: 'ok', checkedAt: now };
      log.info('database integrity check passed', { ms: Math.round(performance.now() - started) });
      return;
    }
    this.status = { state: 'corrupt', checkedAt: now, detail };
    try {
      this.options.db().pragma('query_only = ON');
    } catch {
      // Closed meanwhile: nothing more will be written either way.
    }
    const id = log.error('the database failed its integrity check; writes are stopped', undefined, { file: this.options.file, detail });
    this.options.onCorrupt(`${detail} (error ${id})`);
  }

  private inWorker(script: string): Promise<WorkerAnswer | null> {
    return new Promise((resolve) => {
      const worker = new Worker(script, { workerData: { file: this.options.file } });
      this.worker = worker;
      worker.unref();
      let answered = false;
      worker.once('message', (answer: WorkerAnswer) => {
        answered = true;
        resolve(answer);
      });
      worker.once('error', (error) => {
        log.warn('the integrity check worker failed', { error: error.message });
        answered = true;
        resolve(null);
      });
      worker.once('exit', () => {
        this.worker = null;
        if (!answered) resolve(null);
      });
    });
  }

  private inThread(): WorkerAnswer {
    try {
      return { rows: (this.options.db().pragma('quick_check') as Record<string, string>[]).map((r) => Object.values(r)[0] ?? '') };
    } catch (error) {
      return { error: (error as Error).message, code: String((error as { code?: unknown }).code ?? '') };
    }
  }
}
