/**
 * Wall-clock packet timestamps from the monotonic clock. `cap` gives no timestamp, so each packet
 * is stamped when its callback runs: monotonic (immune to clock steps during a capture), mapped
 * once to wall time at start. Plain number arithmetic: this runs once per packet.
 */
export class MonotonicWallClock {
  private readonly baseSec: number;
  private readonly baseNsec: number;

  constructor() {
    // performance.timeOrigin + performance.now() is wall time with µs precision, taken from the
    // same monotonic clock as hrtime; sample both back to back.
    const [hs, hn] = process.hrtime();
    const wallMs = performance.timeOrigin + performance.now();
    const wallSec = Math.floor(wallMs / 1000);
    const wallNsec = Math.round((wallMs - wallSec * 1000) * 1e6);
    let s = wallSec - hs, n = wallNsec - hn;
    if (n < 0) { s -= 1; n += 1e9; }
    this.baseSec = s;
    this.baseNsec = n;
  }

  /** Now, as [seconds, nanoseconds] since the epoch. */
  now(): [number, number] {
    const [hs, hn] = process.hrtime();
    let s = this.baseSec + hs, n = this.baseNsec + hn;
    if (n >= 1e9) { s += 1; n -= 1e9; }
    return [s, n];
  }
}
