/**
 * How many of a pass worker's batches may be sent and not yet merged. The session merges a range of
 * frames once every shard has sent it, so a worker that ran ahead of the others had its batches
 * wait, unmerged, in the session, and filled each next batch in fresh memory, as none came back to
 * reuse (bench capture: up to 20 batches of 8192 frames, ~1.5 MB each, early in the pass, when the
 * shards' loads drift apart before they even out). A worker a window ahead now waits; its core goes
 * to the others.
 *
 * One counter in shared memory per worker: the session adds each merged batch, the worker blocks
 * on it (Atomics.wait) while it is a window ahead. It cannot deadlock: a range is merged once all
 * shards sent it, and the shard that is behind on a range is never a window ahead of it.
 */

/**
 * Batches (of 8192 frames, see batchEnd) a worker may have unmerged. Bench capture, waits per
 * worker: window 3, 200–330 ms (pass +0.15 s); 8, 10–220 ms; 16, 0–125 ms (pass 2.94–3.16 →
 * 2.89–2.99 s against 8, peak RSS 127–131 → 130–136 MB). Once the session's thread stopped
 * running major collections during the pass (it merges sooner), 10 against 16: peak RSS −5 MB
 * (145 → 140 MB, six alternating runs each), pass +2% (2.72 → 2.77 s, within the runs' spread).
 */
export const BATCH_WINDOW = 10;

/** Far above any count of batches: `open()` lets every waiting worker go. */
const OPEN = 0x3fffffff;

/** The session's side: counts a worker's merged batches. */
export class BatchWindowCounter {
  /** Shared with the worker (in its workerData). */
  readonly shared = new SharedArrayBuffer(4);
  private readonly merged = new Int32Array(this.shared);

  /** One more of the worker's batches is merged. */
  add(): void {
    Atomics.add(this.merged, 0, 1);
    Atomics.notify(this.merged, 0);
  }

  /** No more waiting (the pass is cancelled: a waiting worker must run on to be terminated). */
  open(): void {
    Atomics.store(this.merged, 0, OPEN);
    Atomics.notify(this.merged, 0);
  }
}

/** The worker's side: waits before filling a batch while `window` sent ones are unmerged. */
export class BatchWindow {
  private readonly merged: Int32Array;
  private sent = 0;

  constructor(shared: SharedArrayBuffer, private readonly window = BATCH_WINDOW) {
    this.merged = new Int32Array(shared);
  }

  /** A batch was sent. */
  sentOne(): void {
    this.sent++;
  }

  /** Blocks this thread until fewer than `window` sent batches are unmerged. */
  wait(): void {
    for (let m = Atomics.load(this.merged, 0); this.sent - m >= this.window; m = Atomics.load(this.merged, 0)) {
      Atomics.wait(this.merged, 0, m);
    }
  }
}
