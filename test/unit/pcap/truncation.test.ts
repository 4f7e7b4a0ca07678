import { afterAll, describe, expect, it } from 'vitest';
import { openCapture, CaptureError } from '../../../electron/engine/pcap/index';
import * as B from './build';
import { readAll } from './read-all';

const tmp = new B.TempDir();
afterAll(() => tmp.remove());

/** Offsets at which each record/block starts, plus the end. */
function boundaries(parts: readonly Uint8Array[]): number[] {
  const out = [0];
  for (const p of parts) out.push(out[out.length - 1]! + p.length);
  return out;
}

describe('truncated captures: every complete packet, then an error naming the offset', () => {
  it('pcap cut at every byte', async () => {
    const recs = [B.ethFrame(60, 1), B.ethFrame(70, 2), B.ethFrame(54, 3)].map((d, i) => B.pcapRecord({ sec: 100 + i, frac: i, data: d }));
    const header = B.pcapHeader();
    const whole = B.concat([header, ...recs]);
    const ends = boundaries([header, ...recs]); // [0, 24, 24+76, ...]
    for (let len = 0; len <= whole.length; len++) {
      const path = tmp.file(whole.subarray(0, len), 'cut.pcap');
      if (len === 0) {
        const { frames, reader } = await readAll(path);
        expect(frames).toEqual([]);
        expect(reader.error).toBeNull();
        continue;
      }
      if (len < 24) {
        const err = await openCapture(path).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `len ${len}`).toBeInstanceOf(CaptureError);
        expect((err as Error).message).not.toContain('\n');
        continue;
      }
      const { frames, reader } = await readAll(path);
      const complete = ends.filter((e) => e <= len).length - 2; // minus 0 and the header end
      expect(frames.length, `len ${len}`).toBe(complete);
      if (ends.includes(len)) {
        expect(reader.error, `len ${len}`).toBeNull();
      } else {
        const start = ends[complete + 1]!;
        expect(reader.error?.offset, `len ${len}`).toBe(start);
        const left = len - start;
        expect(reader.error?.reason).toBe(
          left < 16 ? `truncated record header: 16 bytes needed, ${left} left` : `truncated record: header says ${recs[complete]!.length - 16} bytes, ${left - 16} left`,
        );
        expect(reader.error?.message).toBe(`${reader.error?.reason} at byte offset ${start}`);
      }
    }
  });

  it('pcapng cut at every byte', async () => {
    const le = false;
    const blocks = [
      B.shb(le, [[1, 'cut me']]),
      B.idb(le, 1, 0, [[2, 'eth0']]),
      B.epb(le, { iface: 0, ticks: 1n, data: B.ethFrame(60, 1), opts: [[1, 'c1']] }),
      B.nrb(le),
      B.spb(le, 54, B.ethFrame(54, 2)),
      B.epb(le, { iface: 0, ticks: 3n, data: B.ethFrame(61, 3) }),
    ];
    const packetBlocks = new Set([2, 4, 5]);
    const whole = B.concat(blocks);
    const ends = boundaries(blocks);
    for (let len = 0; len <= whole.length; len++) {
      const path = tmp.file(whole.subarray(0, len), 'cut.pcapng');
      if (len === 0) {
        expect((await readAll(path)).frames).toEqual([]);
        continue;
      }
      if (len < blocks[0]!.length) {
        await expect(openCapture(path), `len ${len}`).rejects.toThrow(CaptureError);
        continue;
      }
      const { frames, reader } = await readAll(path);
      const completeBlocks = ends.filter((e) => e > 0 && e <= len).length;
      const expected = [...packetBlocks].filter((i) => i < completeBlocks).length;
      expect(frames.length, `len ${len}`).toBe(expected);
      if (ends.includes(len)) {
        expect(reader.error, `len ${len}`).toBeNull();
      } else {
        const start = ends[completeBlocks]!;
        const left = len - start;
        expect(reader.error?.offset, `len ${len}`).toBe(start);
        expect(reader.error?.reason).toBe(
          left < 12 ? `truncated block header: 12 bytes needed, ${left} left` : `truncated block: header says ${blocks[completeBlocks]!.length} bytes, ${left} left`,
        );
      }
    }
  });

  it('matches the packets tshark reads from cut files', async () => {
    const pcap = B.pcapFile({}, [B.ethFrame(60, 1), B.ethFrame(80, 2), B.ethFrame(90, 3)].map((d, i) => ({ sec: 1700000000 + i, frac: 5, data: d })));
    const le = true;
    const ng = B.concat([
      B.shb(le),
      B.idb(le, 1, 0),
      ...[B.ethFrame(60, 1), B.ethFrame(80, 2), B.ethFrame(90, 3)].map((d, i) => B.epb(le, { iface: 0, ticks: 1700000000000000n + BigInt(i), data: d })),
    ]);
    for (const [bytes, cut] of [
      [pcap, 24 + 76 + 50],
      [pcap, pcap.length - 1],
      [ng, ng.length - 30],
      [ng, 48 + 92 + 5],
    ] as const) {
      const path = tmp.file(bytes.subarray(0, cut));
      const { frames, reader } = await readAll(path);
      expect(reader.error).not.toBeNull();
      const t = B.tsharkFields(path, ['frame.time_epoch', 'frame.cap_len']);
      expect(t.stderr).toMatch(/cut short/);
      expect(t.lines).toEqual(frames.map((f) => `${B.epoch(f.tsSec, f.tsNsec)}\t${f.capLen}`));
    }
  });
});

describe('corrupt headers stop reading with an error at that offset', () => {
  const le = true;
  const head = B.concat([B.shb(le), B.idb(le, 1, 0)]);
  const good = (i: number): Uint8Array => B.epb(le, { iface: 0, ticks: BigInt(i), data: B.ethFrame(60, i) });
  const g1 = good(1);
  const at = head.length + g1.length; // offset of the damaged block

  async function damaged(mutate: (b: Uint8Array, v: DataView) => void, more: Uint8Array[] = [good(2), good(3)]) {
    const bytes = B.concat([head, g1, ...more]);
    mutate(bytes, new DataView(bytes.buffer));
    return readAll(tmp.file(bytes));
  }

  const cases: [string, (b: Uint8Array, v: DataView) => void, RegExp][] = [
    ['block length not a multiple of 4', (_b, v) => v.setUint32(at + 4, 90, le), /bad block length 90 .*multiple of 4/],
    ['block length below 12', (_b, v) => v.setUint32(at + 4, 8, le), /bad block length 8/],
    ['block length beyond the file', (_b, v) => v.setUint32(at + 4, 0x7ffffff0, le), /bad block length|truncated block/],
    ['block length 4 GiB - 4', (_b, v) => v.setUint32(at + 4, 0xfffffffc, le), /bad block length 4294967292/],
    ['trailer mismatch', (_b, v) => v.setUint32(at + g1.length - 4, 88, le), /length 92 at the start but 88 at the end/],
    ['captured length beyond the block', (_b, v) => v.setUint32(at + 20, 64, le), /captured length 64 does not fit/],
    ['captured length huge', (_b, v) => v.setUint32(at + 20, 0xffffff00, le), /captured length 4294967040 is larger than the maximum/],
    ['interface id out of range', (_b, v) => v.setUint32(at + 8, 7, le), /interface id 7 but the section has 1/],
    ['bad section version', (b, v) => {
      b.set(B.shb(le), at);
      v.setUint16(at + 12, 2, le);
    }, /unsupported pcapng version 2.0/],
  ];
  for (const [name, mutate, reason] of cases) {
    it(name, async () => {
      const { frames, reader } = await damaged(mutate);
      expect(frames).toHaveLength(1);
      expect(reader.error).toBeInstanceOf(CaptureError);
      expect(reader.error!.offset).toBe(at);
      expect(reader.error!.reason).toMatch(reason);
      expect(reader.next()).toBeNull(); // stays stopped
    });
  }

  it('option running past the end of its block', async () => {
    const bad = B.epb(le, { iface: 0, ticks: 2n, data: B.ethFrame(60), opts: [[1, 'abcd']] });
    new DataView(bad.buffer).setUint16(28 + 60 + 2, 200, le);
    const { frames, reader } = await damaged(() => undefined, [bad, good(3)]);
    expect(frames).toHaveLength(1);
    expect(reader.error!.offset).toBe(at);
    expect(reader.error!.reason).toMatch(/bad option 1: length 200 runs past the end of the block/);
  });

  it('epb_flags of the wrong size', async () => {
    const bad = B.epb(le, { iface: 0, ticks: 2n, data: B.ethFrame(60), opts: [[2, Uint8Array.of(1, 2)]] });
    const { frames, reader } = await damaged(() => undefined, [bad]);
    expect(frames).toHaveLength(1);
    expect(reader.error!.reason).toMatch(/flags option length 2 is not 4/);
  });

  it('SPB before any interface', async () => {
    const bytes = B.concat([B.shb(le), B.spb(le, 60, B.ethFrame(60))]);
    const { frames, reader } = await readAll(tmp.file(bytes));
    expect(frames).toHaveLength(0);
    expect(reader.error!.offset).toBe(28);
    expect(reader.error!.reason).toMatch(/section has no interface/);
  });

  it('pcap record with an absurd captured length', async () => {
    const bytes = B.pcapFile({}, [
      { sec: 1, frac: 0, data: B.ethFrame(60) },
      { sec: 2, frac: 0, data: B.ethFrame(60), capLen: 0xfffffff0 },
    ]);
    const { frames, reader } = await readAll(tmp.file(bytes));
    expect(frames).toHaveLength(1);
    expect(reader.error!.offset).toBe(24 + 76);
    expect(reader.error!.reason).toMatch(/captured length 4294967280 is larger than the maximum of 262144/);
  });
});

describe('not a capture', () => {
  it('rejects with one clear line naming the magic', async () => {
    const path = tmp.file(new TextEncoder().encode('#!/bin/sh\necho hello\n'));
    await expect(openCapture(path)).rejects.toThrow(/^not a capture file \(unknown magic 0x23212f62\)$/);
  });
  it('rejects a 3-byte file', async () => {
    await expect(openCapture(tmp.file(Uint8Array.of(0xd4, 0xc3, 0xb2)))).rejects.toThrow(/^not a capture file \(only 3 bytes\)$/);
  });
  it('names unsupported compressions', async () => {
    await expect(openCapture(tmp.file(Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0)))).rejects.toThrow('unsupported compression: xz');
  });
  it('reports a cut pcap file header as a CaptureError', async () => {
    await expect(openCapture(tmp.file(B.pcapHeader().subarray(0, 10)))).rejects.toThrow(/^cannot read pcap file: truncated pcap file header/);
  });
});
