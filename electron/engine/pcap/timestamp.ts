/** Exact conversion of pcapng timestamps (64-bit tick counts) to seconds + nanoseconds. */

const NS_PER_SEC = 1_000_000_000;

/** Units per second for an if_tsresol byte: MSB clear → 10^-v, set → 2^-v. null when finer
 *  than one tick per 2^-63 / 10^-19 s (no timestamp could be represented anyway). */
export function unitsPerSecFromTsresol(b: number): number | null {
  const v = b & 0x7f;
  if (b & 0x80) return v <= 63 ? 2 ** v : null;
  return v <= 19 ? 10 ** v : null;
}

/** Conversion for one interface, with its fast paths precomputed. */
export class TickConverter {
  /** nanoseconds per tick when it is a whole number (decimal resolutions up to 1 ns), else 0. */
  private readonly nsPerTick: number;
  private readonly unitsBig: bigint;

  constructor(
    readonly unitsPerSec: number,
    readonly offsetSec: number,
  ) {
    this.nsPerTick = unitsPerSec <= NS_PER_SEC && NS_PER_SEC % unitsPerSec === 0 ? NS_PER_SEC / unitsPerSec : 0;
    this.unitsBig = unitsPerSecBig(unitsPerSec);
  }

  /** Writes seconds/nanoseconds into `out` (avoids an object per packet). Like Wireshark:
   *  secs = ticks / units, nsecs = (ticks % units) * 1e9 / units, both truncated. */
  convert(hi: number, lo: number, out: { tsSec: number; tsNsec: number }): void {
    const u = this.unitsPerSec;
    if (this.nsPerTick !== 0) {
      // exact long division of the 64-bit tick count in 16-bit digits: every intermediate stays
      // below 2^53, so ns timestamps (≈1.7e18 ticks) need no BigInt
      let rem = 0;
      let sec = 0;
      for (const d of [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff]) {
        const cur = rem * 65536 + d;
        let q = Math.floor(cur / u);
        rem = cur - q * u;
        if (rem < 0) {
          q -= 1;
          rem += u;
        } else if (rem >= u) {
          q += 1;
          rem -= u;
        }
        sec = sec * 65536 + q;
      }
      out.tsSec = sec + this.offsetSec;
      out.tsNsec = rem * this.nsPerTick;
      return;
    }
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const big = this.unitsBig;
    out.tsSec = Number(t / big) + this.offsetSec;
    out.tsNsec = Number(((t % big) * 1_000_000_000n) / big);
  }
}

function unitsPerSecBig(units: number): bigint {
  // 10^k above 2^53 is not an exact double; rebuild it exactly
  for (let k = 0; k <= 19; k++) if (10 ** k === units) return 10n ** BigInt(k);
  return BigInt(units);
}
