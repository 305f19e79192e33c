import type { WebSocket } from 'ws';
import type { ServerMessage } from '../../contract';
import { log } from '../log';

/** A browser tab that stops reading (paused, asleep) must not make the server buffer without bound. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** How long a client may stay behind before it is dropped. */
export const LAG_LIMIT_MS = 60_000;
const LAG_CHECK_MS = 200;

/**
 * One client's outgoing stream. Events stop while the client has more than `maxBuffered` bytes
 * unsent. Once it has caught up it gets `system.resync` naming what it missed, so it re-reads
 * instead of showing a hole; one that stays behind past the lag limit is dropped. A client past the
 * limit that asks or is answered is dropped at once: answers are not dropped silently, so it must go.
 */
export class ClientStream {
  private dropped: Set<string> | null = null;
  private laggingSince = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBuffered: number,
    private readonly lagLimitMs: number,
  ) {}

  /**
   * A call's answer. Answers count toward the same limit as events: a client past it when asking, or
   * when its answer is ready, is dropped, so one that never reads cannot make the server hold its
   * answers without bound. Below it, an answer goes out whole, however large.
   */
  reply(message: ServerMessage): void {
    if (this.overLimit('answer')) return;
    this.send(message);
  }

  /** Whether the client is past the limit: then it is dropped (once) and true. */
  overLimit(what: 'call' | 'answer'): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return true;
    if (this.ws.bufferedAmount <= this.maxBuffered) return false;
    log.warn('dropped a client that stopped reading its answers', { bufferedBytes: this.ws.bufferedAmount, at: what });
    this.close();
    this.ws.terminate();
    return true;
  }

  event(event: string, payload: unknown): void {
    if (this.dropped) {
      this.dropped.add(event);
      return;
    }
    if (this.ws.bufferedAmount > this.maxBuffered) {
      this.dropped = new Set([event]);
      this.laggingSince = Date.now();
      this.timer = setInterval(() => this.checkLag(), LAG_CHECK_MS);
      this.timer.unref();
      return;
    }
    this.send({ t: 'event', event, payload });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private checkLag(): void {
    if (this.ws.readyState !== this.ws.OPEN) return this.close();
    if (this.ws.bufferedAmount <= this.maxBuffered / 4) {
      const events = [...(this.dropped ?? [])];
      this.dropped = null;
      this.close();
      this.send({ t: 'event', event: 'system.resync', payload: { events } });
    } else if (Date.now() - this.laggingSince > this.lagLimitMs) {
      log.warn('dropped a client that stopped reading', { bufferedBytes: this.ws.bufferedAmount });
      this.close();
      this.ws.terminate();
    }
  }

  private send(message: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }
}
