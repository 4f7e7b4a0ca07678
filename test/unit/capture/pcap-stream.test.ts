// The streaming pcap/pcapng parser: any chunking gives the same frames as one push; both byte
// orders, µs/ns pcap, pcapng timestamp resolutions, interface stats; garbage is an error.
import { describe, expect, it } from 'vitest';
import { CaptureStreamError, CaptureStreamParser, type StreamFrame } from '../../../electron/capture/pcap-stream';
import { concat, epb, ethFrame, idb, isb, pcapFile, shb, spb, tsresolOpt } from '../pcap/build';

type Plain = Omit<StreamFrame, 'data'> & { data: number[] };

function parseChunks(bytes: Uint8Array, cuts: number[]): { frames: Plain[]; parser: CaptureStreamParser } {
  const parser = new CaptureStreamParser();
  const frames: Plain[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    parser.push(bytes.slice(at, c), (f) => frames.push({ ...f, data: [...f.data] }));
    at = c;
  }
  return { frames, parser };
}

function everySplit(bytes: Uint8Array): void {
  const whole = parseChunks(bytes, []).frames;
  for (let cut = 1; cut < bytes.length; cut++) expect(parseChunks(bytes, [cut]).frames).toEqual(whole);
  const bytewise = parseChunks(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
  expect(bytewise.frames).toEqual(whole);
  expect(bytewise.parser.buffered).toBe(0);
}

describe('CaptureStreamParser', () => {
  for (const le of [true, false]) {
    it(`pcap (${le ? 'little' : 'big'}-endian, µs and ns)`, () => {
      const a = ethFrame(60, 1), b = ethFrame(90, 2);
      const us = pcapFile({ le, linkField: 1 }, [{ sec: 1700000000, frac: 123456, data: a }, { sec: 1700000001, frac: 5, data: b, origLen: 1500 }]);
      const { frames } = parseChunks(us, []);
      expect(frames.map((f) => [f.tsSec, f.tsNsec, f.capLen, f.origLen, f.linkType])).toEqual([
        [1700000000, 123456000, 60, 60, 1], [1700000001, 5000, 90, 1500, 1],
      ]);
      expect(frames[1]!.data).toEqual([...b]);
      everySplit(us);
      const ns = pcapFile({ le, ns: true, linkField: 113 }, [{ sec: 5, frac: 999999999, data: a }]);
      expect(parseChunks(ns, []).frames.map((f) => [f.tsSec, f.tsNsec, f.linkType])).toEqual([[5, 999999999, 113]]);
    });

    it(`pcapng (${le ? 'little' : 'big'}-endian): interfaces, resolutions, simple packets, statistics block`, () => {
      const a = ethFrame(61, 3), b = ethFrame(70, 4);
      const file = concat([
        shb(le),
        idb(le, 1, 65535, [[2, 'eth0']]),
        idb(le, 101, 262144, [tsresolOpt(9)]),
        idb(le, 1, 128, [tsresolOpt(0x80 | 20)]),
        epb(le, { iface: 0, ticks: 1700000000_123456n, data: a }),
        epb(le, { iface: 1, ticks: 1700000000_000000007n, data: b, origLen: 200 }),
        epb(le, { iface: 2, ticks: (3n << 20n) + (1n << 19n), data: a }),
        isb(le, 0),
      ]);
      const { frames, parser } = parseChunks(file, []);
      expect(frames.map((f) => [f.iface, f.linkType, f.tsSec, f.tsNsec, f.capLen, f.origLen])).toEqual([
        [0, 1, 1700000000, 123456000, 61, 61], [1, 101, 1700000000, 7, 70, 200], [2, 1, 3, 500000000, 61, 61],
      ]);
      expect(parser.interfaces.map((i) => i.name)).toEqual(['eth0', undefined, undefined]);
      everySplit(file);
      const simple = concat([shb(le), idb(le, 1, 64), spb(le, 100, ethFrame(100, 5))]);
      expect(parseChunks(simple, []).frames.map((f) => [f.capLen, f.origLen])).toEqual([[64, 100]]);
    });
  }

  it('µs and ns timestamps are exact across the whole 64-bit range they can take', () => {
    // The µs/ns path avoids BigInt; compare it with BigInt arithmetic, including the extremes.
    const ticks = [0n, 1n, 999_999n, 1_000_000n, 0xffffffffn, 0x100000000n, 1700000000_999999n, 1700000000_999999999n, (1n << 64n) - 1n];
    for (let i = 0; i < 200; i++) ticks.push(BigInt(Math.floor(Math.random() * 2 ** 32)) << 32n | BigInt(Math.floor(Math.random() * 2 ** 32)));
    for (const res of [6, 9]) {
      const units = 10n ** BigInt(res);
      const file = concat([shb(true), idb(true, 1, 0, [tsresolOpt(res)]), ...ticks.map((t) => epb(true, { iface: 0, ticks: t, data: ethFrame(60) }))]);
      expect(parseChunks(file, []).frames.map((f) => [f.tsSec, f.tsNsec])).toEqual(ticks.map((t) => [Number(t / units), Number(((t % units) * 1_000_000_000n) / units)]));
    }
  });

  it('a second section restarts the interface numbering', () => {
    const file = concat([shb(true), idb(true, 1, 0), epb(true, { iface: 0, ticks: 1n, data: ethFrame(60) }),
      shb(false), idb(false, 113, 0), epb(false, { iface: 0, ticks: 2n, data: ethFrame(60) })]);
    expect(parseChunks(file, []).frames.map((f) => [f.iface, f.linkType])).toEqual([[0, 1], [1, 113]]);
  });

  it('rejects garbage, bad lengths and packets for undeclared interfaces', () => {
    expect(() => parseChunks(new TextEncoder().encode('GET / HTTP/1.1\r\n'), [])).toThrow(CaptureStreamError);
    const bad = concat([shb(true), idb(true, 1, 0)]);
    const badLen = new Uint8Array(12);
    new DataView(badLen.buffer).setUint32(0, 6, true);
    new DataView(badLen.buffer).setUint32(4, 13, true);
    expect(() => parseChunks(concat([bad, badLen]), [])).toThrow(/bad length 13/);
    expect(() => parseChunks(concat([shb(true), epb(true, { iface: 0, ticks: 1n, data: ethFrame(60) })]), [])).toThrow(/no interface block/);
    // A huge claimed length is refused at once, not buffered.
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, 6, true);
    new DataView(huge.buffer).setUint32(4, 0x7ffffff0, true);
    expect(() => parseChunks(concat([bad, huge]), [])).toThrow(CaptureStreamError);
  });
});
