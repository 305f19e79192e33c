/** What a viewer writes to the screen: the text and the output offset it ends at. */
export type FeedWriter = (data: string, end: number) => void;

/**
 * Orders a terminal's output for one viewer: the scrollback from an attach, then live chunks by
 * offset, each character written once. A live chunk past the end shown means output was missed;
 * the caller attaches again and only what is new is written (with a marker for what the
 * scrollback no longer holds).
 */
export class TerminalFeed {
  /** Offset up to which output is on screen; -1 before the first attach. */
  private shown = -1;
  private attachedNow = false;
  private pending: { data: string; offset: number }[] = [];

  constructor(private readonly write: FeedWriter) {}

  /** Before a (re)attach: live chunks wait until the scrollback is in. */
  reset(): void {
    this.attachedNow = false;
    this.pending = [];
  }

  attached(scrollback: string, offset: number): void {
    if (this.shown >= 0 && offset > this.shown) this.put('\r\n\x1b[2m[output skipped: it scrolled out of the saved scrollback]\x1b[0m\r\n', this.shown);
    this.accept(scrollback, offset);
    this.attachedNow = true;
    for (const chunk of this.pending.splice(0)) this.accept(chunk.data, chunk.offset);
  }

  /** A live chunk; 'gap' when output before it was missed. */
  live(data: string, offset: number): 'ok' | 'gap' {
    if (!this.attachedNow) {
      this.pending.push({ data, offset });
      return 'ok';
    }
    if (offset > this.shown) return 'gap';
    this.accept(data, offset);
    return 'ok';
  }

  private accept(data: string, offset: number): void {
    const end = offset + data.length;
    if (end <= this.shown) return;
    this.put(this.shown > offset ? data.slice(this.shown - offset) : data, end);
  }

  private put(data: string, end: number): void {
    this.shown = Math.max(this.shown, end);
    if (data) this.write(data, this.shown);
  }
}
