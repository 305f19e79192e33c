/**
 * The last `capacity` characters of a terminal's output, as chunks: appending never copies what
 * is already kept (a string cut to size on every chunk copied a megabyte each time).
 */
export class OutputRing {
  private chunks: string[] = [];
  private head = 0;
  private length = 0;
  /** Offset of the first kept character in the whole output. */
  start = 0;

  constructor(private readonly capacity: number) {}

  append(data: string): void {
    this.chunks.push(data);
    this.length += data.length;
    while (this.length - this.chunks[this.head]!.length >= this.capacity) {
      const dropped = this.chunks[this.head]!;
      this.head++;
      this.length -= dropped.length;
      this.start += dropped.length;
    }
    if (this.length > this.capacity) {
      const cut = this.length - this.capacity;
      this.chunks[this.head] = this.chunks[this.head]!.slice(cut);
      this.length -= cut;
      this.start += cut;
    }
    // Drop consumed slots now and then, so the array does not grow with the whole output.
    if (this.head > 1024) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  text(): string {
    return this.chunks.slice(this.head).join('');
  }
}
