import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../../electron/engine/pcap/index';
import * as B from './build';
import { readAll } from './read-all';

const tmp = new B.TempDir();
afterAll(() => tmp.remove());

const T0 = 1700000000n;

function tsharkTimes(path: string): string[] {
  return B.tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len']).lines;
}

describe('pcapng reader', () => {
  for (const le of [true, false]) {
    it(`reads a ${le ? 'little' : 'big'}-endian file with several interfaces, names and comments`, async () => {
      const bytes = B.concat([
        B.shb(le, [[1, 'section one'], [4, 'test app']]),
        B.idb(le, 1, 262144, [[2, 'eth0'], [3, 'first card']]),
        B.idb(le, 101, 0, [[2, 'raw0'], B.tsresolOpt(9)]),
        B.epb(le, { iface: 0, ticks: T0 * 1000000n + 123456n, data: B.ethFrame(60, 1), opts: [[1, 'hello'], [1, 'wörld'], B.flagsOpt(0x1, le)] }),
        B.epb(le, { iface: 1, ticks: T0 * 1000000000n + 987654321n, data: B.payload(41, 2), origLen: 1500 }),
        B.epb(le, { iface: 0, ticks: T0 * 1000000n + 999999n, data: B.ethFrame(61, 3) }),
      ]);
      const path = tmp.file(bytes);
      const { frames, reader } = await readAll(path);
      expect(reader.error).toBeNull();
      expect(reader.format).toBe('pcapng');
      expect(reader.sectionComments).toEqual(['section one']);
      expect(reader.interfaces).toEqual([
        { id: 0, linkType: 1, snapLen: 262144, name: 'eth0', description: 'first card', tsUnitsPerSec: 1e6, tsOffsetSec: 0, section: 0 },
        { id: 1, linkType: 101, snapLen: 0, name: 'raw0', tsUnitsPerSec: 1e9, tsOffsetSec: 0, section: 0 },
      ]);
      expect(frames.map((f) => [f.num, f.iface, f.linkType, f.capLen, f.origLen])).toEqual([
        [1, 0, 1, 60, 60],
        [2, 1, 101, 41, 1500],
        [3, 0, 1, 61, 61],
      ]);
      expect(frames[0]!.comments).toEqual(['hello', 'wörld']);
      expect(frames[0]!.flags).toBe(1);
      expect(frames[1]!.comments).toBeUndefined();
      expect(frames[1]!.flags).toBeUndefined();
      expect(frames[1]!.bytes).toEqual([...B.payload(41, 2)]);
      expect(frames.map((f) => B.epoch(f.tsSec, f.tsNsec))).toEqual(['1700000000.123456000', '1700000000.987654321', '1700000000.999999000']);
      expect(tsharkTimes(path)).toEqual(frames.map((f) => `${B.epoch(f.tsSec, f.tsNsec)}\t${f.origLen}\t${f.capLen}`));
      expect(B.tsharkFields(path, ['frame.comment']).lines[0]).toBe('hello,wörld');
    });
  }

  it('reads several sections with different byte orders, interfaces numbered across sections', async () => {
    const bytes = B.concat([
      B.shb(true, [[1, 'LE section']]),
      B.idb(true, 1, 0, [[2, 'a']]),
      B.epb(true, { iface: 0, ticks: T0 * 1000000n, data: B.ethFrame(60, 1) }),
      B.shb(false, [[1, 'BE section']]),
      B.idb(false, 1, 0, [[2, 'b0']]),
      B.idb(false, 1, 0, [[2, 'b1'], B.tsresolOpt(3)]),
      B.epb(false, { iface: 1, ticks: T0 * 1000n + 5n, data: B.ethFrame(62, 2) }),
      B.epb(false, { iface: 0, ticks: T0 * 1000000n + 7n, data: B.ethFrame(63, 3) }),
      B.shb(true),
      B.idb(true, 1, 0),
      B.epb(true, { iface: 0, ticks: T0 * 1000000n + 8n, data: B.ethFrame(64, 4) }),
    ]);
    const path = tmp.file(bytes);
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(reader.sectionComments).toEqual(['LE section', 'BE section']);
    expect(reader.interfaces.map((i) => [i.id, i.section, i.name])).toEqual([
      [0, 0, 'a'],
      [1, 1, 'b0'],
      [2, 1, 'b1'],
      [3, 2, undefined],
    ]);
    expect(frames.map((f) => f.iface)).toEqual([0, 2, 1, 3]);
    expect(tsharkTimes(path)).toEqual(frames.map((f) => `${B.epoch(f.tsSec, f.tsNsec)}\t${f.origLen}\t${f.capLen}`));
  });

  it('converts every if_tsresol form and if_tsoffset exactly as tshark does', async () => {
    const le = false;
    const cases: [number, bigint][] = [
      [0, T0], // 10^0
      [3, T0 * 1000n + 1n],
      [6, T0 * 1000000n + 999999n],
      [9, T0 * 1000000000n + 1n],
      [0x8a, T0 * 1024n + 1000n], // 2^-10: 1000/1024 s
      [0x94, T0 * (1n << 20n) + 777777n], // 2^-20
      [0x9e, T0 * (1n << 30n) + 123456789n], // 2^-30
    ];
    const parts = [B.shb(le)];
    cases.forEach(([r]) => parts.push(B.idb(le, 1, 0, [B.tsresolOpt(r)])));
    parts.push(B.idb(le, 1, 0, [B.tsoffsetOpt(1000n, le)]));
    cases.forEach(([, t], i) => parts.push(B.epb(le, { iface: i, ticks: t, data: B.ethFrame(60, i) })));
    parts.push(B.epb(le, { iface: cases.length, ticks: 5000001n, data: B.ethFrame(60) }));
    const path = tmp.file(B.concat(parts));
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(reader.interfaces.map((i) => i.tsUnitsPerSec)).toEqual([1, 1e3, 1e6, 1e9, 1024, 2 ** 20, 2 ** 30, 1e6]);
    expect(reader.interfaces[7]!.tsOffsetSec).toBe(1000);
    const ours = frames.map((f) => B.epoch(f.tsSec, f.tsNsec));
    expect(ours).toEqual([
      '1700000000.000000000',
      '1700000000.001000000',
      '1700000000.999999000',
      '1700000000.000000001',
      '1700000000.976562500',
      '1700000000.741745948',
      '1700000000.114978094',
      '1005.000001000',
    ]);
    expect(B.tsharkFields(path, ['frame.time_epoch']).lines).toEqual(ours);
  });

  it('reads SPBs (interface 0 snaplen rule) and obsolete packet blocks like tshark', async () => {
    const le = true;
    const bytes = B.concat([
      B.shb(le),
      B.idb(le, 1, 40),
      B.idb(le, 1, 0, [B.tsresolOpt(9)]),
      B.spb(le, 60, B.ethFrame(60).subarray(0, 40)),
      B.spb(le, 30, B.payload(30)),
      B.opb(le, { iface: 1, ticks: T0 * 1000000000n + 42n, data: B.ethFrame(58, 5), origLen: 100, opts: [[1, 'old block'], B.flagsOpt(2, le)] }),
    ]);
    const path = tmp.file(bytes);
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(frames.map((f) => [f.capLen, f.origLen, f.iface, f.noTimestamp ?? false])).toEqual([
      [40, 60, 0, true],
      [30, 30, 0, true],
      [58, 100, 1, false],
    ]);
    expect(frames[2]!.comments).toEqual(['old block']);
    expect(frames[2]!.flags).toBe(2);
    expect(frames[0]!.bytes).toEqual([...B.ethFrame(60).subarray(0, 40)]);
    const ours = frames.map((f) => `${f.noTimestamp ? '' : B.epoch(f.tsSec, f.tsNsec)}\t${f.origLen}\t${f.capLen}`);
    expect(tsharkTimes(path)).toEqual(ours);
  });

  it('skips NRB, ISB and unknown blocks; a custom block is a frame of data, as tshark lists it', async () => {
    const le = false;
    const custom = B.block(0x40000bad, B.concat([Uint8Array.of(0, 0, 0x7e, 0xd9), B.payload(10)]), le);
    const bytes = B.concat([
      B.shb(le),
      B.nrb(le),
      B.idb(le, 1, 0),
      B.isb(le, 0),
      B.epb(le, { iface: 0, ticks: T0 * 1000000n, data: B.ethFrame(60, 1) }),
      custom,
      B.block(0x12345678, B.payload(20), le),
      B.block(0x80000001, new Uint8Array(0), le),
      B.epb(le, { iface: 0, ticks: T0 * 1000000n + 1n, data: B.ethFrame(60, 2) }),
      B.isb(le, 0),
    ]);
    const path = tmp.file(bytes);
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(frames.map((f) => f.num)).toEqual([1, 2, 3]);
    expect(frames[2]!.bytes).toEqual([...B.ethFrame(60, 2)]);
    expect(reader.bytesRead).toBe(bytes.length);
    // tshark lists the custom block as a frame of its own, between the two packets
    const t = B.tsharkFields(path, ['frame.len', 'frame.protocols']).lines;
    expect(t).toHaveLength(3);
    expect(t[1]).toBe(`${frames[1]!.bytes.length}\tdata`);
  });

  it('ignores malformed if_tsresol values (default µs), as tshark does', async () => {
    const le = true;
    const path = tmp.file(
      B.concat([B.shb(le), B.idb(le, 1, 0, [[9, Uint8Array.of(9, 0)]]), B.epb(le, { iface: 0, ticks: 1500000000n, data: B.ethFrame(60) })]),
    );
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(B.epoch(frames[0]!.tsSec, frames[0]!.tsNsec)).toBe('1500.000000000');
    expect(B.tsharkFields(path, ['frame.time_epoch']).lines).toEqual(['1500.000000000']);
  });

  it('reads the same through a tiny window', async () => {
    const le = true;
    const parts = [B.shb(le, [[1, 'x'.repeat(300)]]), B.idb(le, 1, 0)];
    for (let i = 0; i < 40; i++) parts.push(B.epb(le, { iface: 0, ticks: BigInt(i), data: B.ethFrame(54 + ((i * 53) % 300), i), opts: i % 3 ? [] : [[1, `c${i}`]] }));
    const path = tmp.file(B.concat(parts));
    const big = await readAll(path);
    expect(big.frames).toHaveLength(40);
    for (const chunk of [64, 97, 512]) {
      const small = await readAll(path, chunk);
      expect(small.frames).toEqual(big.frames);
      expect(small.reader.sectionComments).toEqual(['x'.repeat(300)]);
    }
  });

  it('rejects a section header with an unknown byte-order magic', async () => {
    const bytes = B.shb(true);
    bytes.set([1, 2, 3, 4], 8);
    await expect(readAll(tmp.file(bytes))).rejects.toThrow(CaptureError);
  });
});
