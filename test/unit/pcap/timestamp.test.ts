import { describe, expect, it } from 'vitest';
import { TickConverter, unitsPerSecFromTsresol } from '../../../electron/engine/pcap/timestamp';

/** Reference: Wireshark's formula in exact integer arithmetic. */
function reference(ticks: bigint, units: bigint): [number, number] {
  return [Number(ticks / units), Number(((ticks % units) * 1_000_000_000n) / units)];
}

describe('pcapng timestamp conversion', () => {
  it('maps if_tsresol bytes to units per second', () => {
    expect([0, 3, 6, 9, 12, 0x80, 0x8a, 0x94, 0xbf].map(unitsPerSecFromTsresol)).toEqual([1, 1e3, 1e6, 1e9, 1e12, 1, 1024, 2 ** 20, 2 ** 63]);
    expect(unitsPerSecFromTsresol(20)).toBeNull();
    expect(unitsPerSecFromTsresol(0xc0)).toBeNull();
  });

  it('is exact for 64-bit tick counts at every resolution (fast path and BigInt path)', () => {
    const out = { tsSec: 0, tsNsec: 0 };
    let seed = 12345;
    const rnd32 = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const resolutions = [1, 1e3, 1e6, 1e9, 1e5, 1e8, 1e12, 1e15, 1024, 2 ** 20, 2 ** 30, 2 ** 40];
    const edge = [0n, 1n, 999_999_999n, 1_000_000_000n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n, 1_700_000_000_999_999_999n];
    for (const units of resolutions) {
      const c = new TickConverter(units, 0);
      const ub = BigInt(units);
      const samples = [...edge, ...edge.map((e) => (e * ub) & ((1n << 64n) - 1n)), ...edge.map((e) => (e * ub - 1n) & ((1n << 64n) - 1n))];
      for (let i = 0; i < 2000; i++) samples.push((BigInt(rnd32()) << 32n) | BigInt(rnd32()));
      for (const t of samples) {
        c.convert(Number(t >> 32n), Number(t & 0xffffffffn), out);
        expect([out.tsSec, out.tsNsec], `units ${units} ticks ${t}`).toEqual(reference(t, ub));
      }
    }
  });

  it('adds if_tsoffset seconds', () => {
    const out = { tsSec: 0, tsNsec: 0 };
    new TickConverter(1e6, -3600).convert(0, 5_000_001, out);
    expect(out).toEqual({ tsSec: 5 - 3600, tsNsec: 1000 });
  });
});
