/**
 * Asks V8 for a major collection each time the session has let go of a budget of buffer bytes.
 *
 * Why: the session's thread receives the pass's batches and transaction parts (transferred
 * buffers) and spills its finished chunks; once merged or written they are garbage, but their
 * memory is outside the JS heap, so V8 collects them only when that outside memory has grown by
 * tens of MB since its last full collection — the session's RSS saw-toothed by ~60 MB. A full
 * collection of its small heap (~10 MB) costs a few ms, and asked for as `async` it runs as a task
 * and does not hold up the batch being merged.
 *
 * Needs `gc` exposed (`--expose-gc`, which the engine's processes get: process-env.ts); without it
 * the pacer does nothing and V8's own schedule applies.
 */
export type GcFunction = (options: { type: 'major' | 'minor'; execution: 'async' | 'sync' }) => void;

/**
 * Bytes let go between collections. Bench capture: none → 8 MiB, peak RSS −30 MB for ~0.2 s of CPU
 * per million packets; 8 → 4 MiB, peak 160–168 → 153–165 MB (three alternating runs each) for
 * ~+50 ms of pass time.
 */
export const GC_BUDGET_BYTES = 4 << 20;

export class GcPacer {
  private dropped = 0;
  private droppedYoung = 0;
  /** An async collection was asked for and the event loop has not turned since. */
  private pending = false;
  /** Collections asked for so far. */
  collections = 0;

  /**
   * `turned(f)` runs f once the event loop turns (setImmediate): an async collection runs as a
   * task, so while it has not turned, the one asked for has not run either.
   */
  constructor(
    private readonly gc: GcFunction | null = exposedGc(), private readonly budget = GC_BUDGET_BYTES,
    private readonly turned: (f: () => void) => void = (f) => { setImmediate(f); },
  ) {}

  /**
   * A long synchronous stretch (a deep filter's replay, an export) is about to run: a major
   * collection first (~10 ms), so it starts from the live heap, not from whatever garbage and
   * half-done incremental marking the work before it left; during the stretch no task runs, so the
   * async collections release() asks for wait until it ends. What was measured: the bench
   * capture's deep filter sometimes runs in a collection storm (9–11 s instead of 3.5–4 s, peak
   * +25–45 MB); it came once in ten probe runs without this, and still once in 52 runs with it.
   * So this does not prevent it; it may make it rarer (too few runs to say).
   */
  beforeStretch(): void {
    if (!this.gc) return;
    this.collections++;
    this.dropped = 0;
    this.gc({ type: 'major', execution: 'sync' });
  }

  /**
   * The session let go of `bytes` of buffers it received this very task (a worker's transaction
   * parts, written to the spill at once): their objects are still in the young generation, so a
   * minor collection (~1 ms) frees them, where waiting for a major one (~10 ms each) cost ~0.2 s of
   * the session's thread per million packets. The session's young generation fills slowly, so
   * without asking, V8 scavenged too rarely to free them before its external-memory limit.
   */
  releaseYoung(bytes: number): void {
    if (!this.gc) return;
    this.droppedYoung += bytes;
    if (this.droppedYoung < this.budget) return;
    this.droppedYoung = 0;
    this.collections++;
    this.gc({ type: 'minor', execution: 'async' });
  }

  /** The session let go of `bytes` of buffers (merged, spilled). */
  release(bytes: number): void {
    if (!this.gc) return;
    this.dropped += bytes;
    if (this.dropped < this.budget) return;
    if (!this.pending) {
      this.dropped = 0;
      this.collections++;
      this.pending = true;
      this.turned(() => { this.pending = false; });
      this.gc({ type: 'major', execution: 'async' });
    } else if (this.dropped >= 2 * this.budget) {
      // A synchronous stretch (a filter, an export) lets go of buffers with no task running in
      // between: collect now, or the garbage piles up until V8's own limit (~+40 MB measured).
      this.dropped = 0;
      this.collections++;
      this.gc({ type: 'major', execution: 'sync' });
    }
  }
}

function exposedGc(): GcFunction | null {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as GcFunction) : null;
}
