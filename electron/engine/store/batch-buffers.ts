/**
 * Where a pass gets the buffers of its batches. A worker's batches are transferred to the session,
 * which merges them and hands the buffers back (see runShardWorkers): reusing them spares the
 * page faults of fresh memory, the unmapping of freed memory, and the session's collections that
 * freed them (the bench capture's pass made ~190 MB of batch buffers).
 */
export interface BatchBuffers {
  /** A buffer of at least `bytes` bytes; its contents are stale. */
  take(bytes: number): ArrayBuffer;
  /** A buffer this pass no longer uses (one it outgrew) may serve a later take. */
  give(buf: ArrayBuffer): void;
}

/** Fresh buffers every time (a pass in the session's own thread: its buffers are never transferred). */
export const FRESH_BUFFERS: BatchBuffers = { take: (bytes) => new ArrayBuffer(bytes), give: () => {} };

/**
 * Buffers handed back, kept for reuse; `refill` is asked for more before each take. `keep`: how
 * many it holds (more are dropped). A pass worker keeps as many as its batches in flight can have
 * (see shard-worker): the session merges in bursts (a range once every worker has sent it), and
 * with 4 kept, ~90 of each worker's ~145 batches came back to be dropped and the next ones were
 * filled in fresh memory (bench pass CPU +0.4 s, in page faults).
 */
export class RecycledBuffers implements BatchBuffers {
  private readonly free: ArrayBuffer[] = [];

  constructor(private readonly refill: (give: (buf: ArrayBuffer) => void) => void, private readonly keep: number) {}

  take(bytes: number): ArrayBuffer {
    this.refill((b) => this.give(b));
    // The smallest that fits: a small batch does not take the buffer a large one needs.
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const n = this.free[i]!.byteLength;
      if (n >= bytes && (best < 0 || n < this.free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new ArrayBuffer(bytes);
    return this.free.splice(best, 1)[0]!;
  }

  give(buf: ArrayBuffer): void {
    if (buf.byteLength === 0) return; // detached
    if (this.free.length < this.keep) this.free.push(buf);
  }
}
