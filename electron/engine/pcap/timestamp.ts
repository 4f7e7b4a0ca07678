/** Exact conversion of pcapng timestamps (64-bit tick counts) to seconds + nanoseconds. */

const TWO_32 = 4294967296;
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
    const ticks = hi * TWO_32 + lo;
    if (ticks <= Number.MAX_SAFE_INTEGER && this.nsPerTick !== 0) {
      let sec = Math.floor(ticks / this.unitsPerSec);
      let rem = ticks - sec * this.unitsPerSec;
      // float division may be off by one near integer boundaries; fix it exactly
      if (rem < 0) {
        sec -= 1;
        rem += this.unitsPerSec;
      } else if (rem >= this.unitsPerSec) {
        sec += 1;
        rem -= this.unitsPerSec;
      }
      out.tsSec = sec + this.offsetSec;
      out.tsNsec = rem * this.nsPerTick;
      return;
    }
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const u = this.unitsBig;
    out.tsSec = Number(t / u) + this.offsetSec;
    out.tsNsec = Number(((t % u) * 1_000_000_000n) / u);
  }
}

function unitsPerSecBig(units: number): bigint {
  // 10^k above 2^53 is not an exact double; rebuild it exactly
  for (let k = 0; k <= 19; k++) if (10 ** k === units) return 10n ** BigInt(k);
  return BigInt(units);
}
