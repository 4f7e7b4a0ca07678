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
export type GcFunction = (options: { type: 'major'; execution: 'async' }) => void;

/** Bytes let go between collections (bench capture: 8 MiB → peak RSS −30 MB for ~0.2 s of CPU per million packets). */
export const GC_BUDGET_BYTES = 8 << 20;

export class GcPacer {
  private dropped = 0;
  /** Collections asked for so far. */
  collections = 0;

  constructor(private readonly gc: GcFunction | null = exposedGc(), private readonly budget = GC_BUDGET_BYTES) {}

  /** The session let go of `bytes` of buffers (merged, spilled). */
  release(bytes: number): void {
    if (!this.gc) return;
    this.dropped += bytes;
    if (this.dropped < this.budget) return;
    this.dropped = 0;
    this.collections++;
    this.gc({ type: 'major', execution: 'async' });
  }
}

function exposedGc(): GcFunction | null {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as GcFunction) : null;
}
