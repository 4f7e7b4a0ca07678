/**
 * Wall-clock packet timestamps from the monotonic clock. `cap` gives no timestamp, so each packet
 * is stamped when its callback runs: monotonic (immune to clock steps during a capture), mapped
 * once to wall time at start. Plain number arithmetic and no allocation: this runs once per packet.
 */

/** Tries at calibration; the closest pair of samples around a millisecond edge wins. */
const CALIBRATION_EDGES = 5;

/**
 * Wall time (ns since the epoch) at performance.now() === 0, to about a microsecond.
 * performance.timeOrigin cannot serve: Node samples the wall clock and the monotonic clock for it
 * at different moments of its start-up (measured: 0.74 ms apart, a constant error on every
 * packet). Date.now() is exact at the instant it ticks to a new millisecond, so we watch it tick
 * and read the monotonic clock just before and just after; a few edges, keeping the tightest.
 */
function calibrate(): { sec: number; nsec: number } {
  let best = { width: Infinity, wallMs: 0, monoMs: 0 };
  for (let i = 0; i < CALIBRATION_EDGES; i++) {
    const start = Date.now();
    let before = performance.now(), wall = Date.now();
    // Bounded: Date.now() moves on within a millisecond (the loop guards a frozen clock).
    for (let spins = 0; wall === start && spins < 10_000_000; spins++) { before = performance.now(); wall = Date.now(); }
    const after = performance.now();
    // `before` was read before the Date.now() that saw the new millisecond, `after` after it.
    if (after - before < best.width) best = { width: after - before, wallMs: wall, monoMs: (before + after) / 2 };
  }
  // Split into whole seconds and nanoseconds so no step needs more than 53 bits.
  const monoNs = Math.round(best.monoMs * 1e6);
  let sec = Math.floor(best.wallMs / 1000), nsec = (best.wallMs - sec * 1000) * 1e6 - monoNs;
  sec += Math.floor(nsec / 1e9);
  nsec -= Math.floor(nsec / 1e9) * 1e9;
  return { sec, nsec };
}

export class MonotonicWallClock {
  private readonly baseSec: number;
  private readonly baseNsec: number;
  /** The last stamp taken by stamp(). */
  sec = 0;
  nsec = 0;

  constructor() {
    const { sec, nsec } = calibrate();
    this.baseSec = sec;
    this.baseNsec = nsec;
  }

  /** Stamps now into `sec`/`nsec` (fields rather than an array: no garbage per packet). */
  stamp(): void {
    // performance.now() is the monotonic clock in ms; within days of start it is exact to the ns
    // as an integer count of ns (< 2^53).
    const ns = this.baseNsec + Math.round(performance.now() * 1e6);
    const carry = Math.floor(ns / 1e9);
    this.sec = this.baseSec + carry;
    this.nsec = ns - carry * 1e9;
  }

  /** Now, as [seconds, nanoseconds] since the epoch. */
  now(): [number, number] {
    this.stamp();
    return [this.sec, this.nsec];
  }
}
