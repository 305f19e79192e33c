import type { Database, Statement } from 'better-sqlite3';

/** 32-bit population count (SWAR): JavaScript has no popcount instruction. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** How often the window's rows are counted against what is held. */
const RECHECK_MS = 10_000;

/**
 * The sign bits of the newest rows' vectors, held in memory by whoever searches (the search worker):
 * a KNN over the newest window by hamming distance, as sqlite-vec's bit index does it, without its
 * cost. sqlite-vec checks a time bound chunk by chunk over the whole table (a 50,000-row window of a
 * million cost 20-60 ms); this scans the window's 32 bytes a row in about a millisecond.
 * Built from the int8 vectors kept for the rerank (sign = bit), topped up with newer rows on each
 * search and rebuilt when the window's row count changed behind it (deletions, a backfill).
 */
export class RecentBits {
  private ids = new Float64Array(0);
  private bits = new Uint32Array(0);
  private count = 0;
  /** The window this holds: rows with id > after, up to lastId. */
  private after = -1;
  private lastId = 0;
  private checkedAt = -Infinity;
  private readonly words: number;
  private readonly since: Statement;
  private readonly rowsInWindow: Statement;

  constructor(
    db: Database,
    table: string,
    private readonly dimensions: number,
  ) {
    this.words = Math.ceil(dimensions / 32);
    this.since = db.prepare(`SELECT id, embedding FROM ${table} WHERE id > ? ORDER BY id`).raw();
    this.rowsInWindow = db.prepare(`SELECT count(*) FROM ${table} WHERE id > ?`).pluck();
  }

  /** The ids of (about) the `k` rows with id > `after` nearest to `query` by hamming distance, in no order. */
  nearest(query: Float32Array, k: number, after: number): number[] {
    this.refresh(after);
    const q = this.pack(query);
    const n = this.count;
    const words = this.words;
    const distance = new Uint16Array(n);
    const histogram = new Uint32Array(this.dimensions + 1);
    for (let i = 0, o = 0; i < n; i++, o += words) {
      let d = 0;
      for (let w = 0; w < words; w++) d += popcount(this.bits[o + w]! ^ q[w]!);
      distance[i] = d;
      histogram[d]!++;
    }
    // The k-th distance from the histogram, then the rows under it and enough of those at it.
    let cut = 0;
    for (let seen = 0; cut <= this.dimensions; cut++) {
      seen += histogram[cut]!;
      if (seen >= k) break;
    }
    const out: number[] = [];
    for (let i = n - 1; i >= 0; i--) if (distance[i]! < cut) out.push(this.ids[i]!);
    for (let i = n - 1; i >= 0 && out.length < k; i--) if (distance[i] === cut) out.push(this.ids[i]!);
    return out;
  }

  private refresh(after: number): void {
    if (after !== this.after) {
      // The window moved (new rows pushed it) or is asked anew: keep the rows still in it.
      let keep = 0;
      while (keep < this.count && this.ids[keep]! <= after) keep++;
      if (after < this.after) this.reset();
      else if (keep) this.shift(keep);
      this.after = after;
      if (!this.count) this.lastId = after;
    }
    for (const [id, embedding] of this.since.all(Math.max(this.lastId, after)) as [number, Buffer][]) this.append(id, embedding);
    // Vectors filled in for older ids (a backfill) and deleted rows change the count: read the window
    // again. Counting reads the window's pages (2-20 ms), so at most every RECHECK_MS; meanwhile a
    // deleted row drops out in the rerank and a late vector waits for the next check.
    const now = performance.now();
    if (now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    if ((this.rowsInWindow.get(after) as number) !== this.count) {
      this.reset();
      this.after = after;
      this.lastId = after;
      for (const [id, embedding] of this.since.all(after) as [number, Buffer][]) this.append(id, embedding);
    }
  }

  private reset(): void {
    this.count = 0;
    this.lastId = 0;
  }

  private shift(rows: number): void {
    this.ids.copyWithin(0, rows, this.count);
    this.bits.copyWithin(0, rows * this.words, this.count * this.words);
    this.count -= rows;
  }

  private append(id: number, embedding: Buffer): void {
    if (this.count === this.ids.length) {
      const size = Math.max(1024, this.count * 2);
      const ids = new Float64Array(size);
      ids.set(this.ids.subarray(0, this.count));
      const bits = new Uint32Array(size * this.words);
      bits.set(this.bits.subarray(0, this.count * this.words));
      this.ids = ids;
      this.bits = bits;
    }
    const o = this.count * this.words;
    this.bits.fill(0, o, o + this.words);
    // int8 'unit' is trunc(127.5x - 0.5): a bit is set for 0 and up (bytes under 128), i.e. x > -0.004;
    // the query is cut at the same place (pack), so the hamming distance compares like with like.
    for (let b = 0; b < this.dimensions; b++) if (embedding[b]! < 128) this.bits[o + (b >>> 5)]! |= 1 << (b & 31);
    this.ids[this.count++] = id;
    this.lastId = id;
  }

  private pack(vector: Float32Array): Uint32Array {
    const q = new Uint32Array(this.words);
    // The stored bits' threshold (int8 0 and up, i.e. x > -0.5/127.5), so both sides are cut alike.
    for (let b = 0; b < this.dimensions; b++) if (vector[b]! > -0.5 / 127.5) q[b >>> 5]! |= 1 << (b & 31);
    return q;
  }
}
