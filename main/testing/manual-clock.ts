import type { Clock } from '../clock';

/** A clock a test moves: time runs on from where it was set, and timers fire when it passes them. */
export class ManualClock implements Clock {
  private offset = 0;
  private readonly timers = new Set<{ time: number; fn: () => void }>();

  now(): number {
    return Date.now() + this.offset;
  }

  at(time: number, fn: () => void): () => void {
    const timer = { time, fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves to `time` (never back) and fires every timer due by then, earliest first. */
  advanceTo(time: number): void {
    this.offset = Math.max(this.offset, time - Date.now());
    const due = [...this.timers].filter((t) => t.time <= this.now()).sort((a, b) => a.time - b.time);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.fn();
    }
  }
}
