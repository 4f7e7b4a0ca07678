import { afterAll, describe, expect, it } from 'vitest';
import { openCapture, CaptureError } from '../../../electron/engine/pcap/index';
import { readAll } from './read-all';
import { epoch, ethFrame, pcapFile, pcapHeader, TempDir, tsharkFields, type PcapRecordSpec } from './build';

const tmp = new TempDir();
afterAll(() => tmp.remove());

const recs: PcapRecordSpec[] = [
  { sec: 1700000000, frac: 1, data: ethFrame(60, 1) },
  { sec: 1700000001, frac: 999999, data: ethFrame(74, 2), origLen: 1514 },
  { sec: 1700000002, frac: 500000, data: ethFrame(54, 3) },
];

describe('pcap reader', () => {
  for (const le of [true, false]) {
    for (const ns of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian ${ns ? 'nanosecond' : 'microsecond'} files like tshark`, async () => {
        const r = ns ? recs.map((x) => ({ ...x, frac: x.frac * 1000 + 7 })) : recs;
        const path = tmp.file(pcapFile({ le, ns, snapLen: 262144 }, r));
        const { frames, reader } = await readAll(path);
        expect(reader.format).toBe('pcap');
        expect(reader.compression).toBe('none');
        expect(reader.error).toBeNull();
        expect(reader.interfaces).toEqual([{ id: 0, linkType: 1, snapLen: 262144, tsUnitsPerSec: ns ? 1e9 : 1e6, tsOffsetSec: 0, section: 0 }]);
        expect(frames.map((f) => f.num)).toEqual([1, 2, 3]);
        expect(frames.map((f) => [f.capLen, f.origLen])).toEqual([
          [60, 60],
          [74, 1514],
          [54, 54],
        ]);
        expect(frames[1]!.bytes).toEqual([...r[1]!.data]);
        expect(frames.map((f) => f.recordOffset)).toEqual([24, 24 + 16 + 60, 24 + 32 + 60 + 74]);
        expect(frames.map((f) => f.dataOffset)).toEqual([40, 40 + 16 + 60, 40 + 32 + 60 + 74]);
        expect(reader.bytesRead).toBe(reader.size);
        const ours = frames.map((f) => `${epoch(f.tsSec, f.tsNsec)}\t${f.origLen}\t${f.capLen}`);
        expect(tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len']).lines).toEqual(ours);
      });
    }
  }

  it('masks the FCS bits off the link type field and reports the FCS length', async () => {
    const path = tmp.file(pcapFile({ linkField: 0x04000000 | (2 << 28) | 1 }, recs));
    const { frames, reader } = await readAll(path);
    expect(reader.interfaces[0]!.linkType).toBe(1);
    expect(reader.interfaces[0]!.fcsLen).toBe(4);
    expect(frames.every((f) => f.linkType === 1)).toBe(true);
  });

  it('swaps captured/original lengths in pre-2.3 files, as Wireshark does', async () => {
    const bytes = pcapFile({ major: 2, minor: 2 }, [{ sec: 1, frac: 0, data: ethFrame(60), capLen: 1514, origLen: 60 }]);
    const path = tmp.file(bytes);
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(frames.map((f) => [f.capLen, f.origLen])).toEqual([[60, 1514]]);
    expect(tsharkFields(path, ['frame.cap_len', 'frame.len']).lines).toEqual(['60\t1514']);
  });

  it('accepts caplen > snaplen and caplen > origlen, as tshark does', async () => {
    const path = tmp.file(
      pcapFile({ snapLen: 64 }, [
        { sec: 1, frac: 0, data: ethFrame(60) },
        { sec: 2, frac: 0, data: ethFrame(100) },
        { sec: 3, frac: 0, data: ethFrame(100), origLen: 50 },
      ]),
    );
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    const ours = frames.map((f) => `${f.capLen}\t${f.origLen}`);
    expect(ours).toEqual(['60\t60', '100\t100', '100\t50']);
    expect(tsharkFields(path, ['frame.cap_len', 'frame.len']).lines).toEqual(ours);
  });

  it('stops at a packet larger than the 262144-byte maximum, like tshark', async () => {
    const big = new Uint8Array(262145).fill(1); // not zeros: tshark would guess another pcap variant
    const path = tmp.file(
      pcapFile({ snapLen: 65535 }, [
        { sec: 1, frac: 0, data: ethFrame(60) },
        { sec: 2, frac: 0, data: big },
        { sec: 3, frac: 0, data: ethFrame(60) },
      ]),
    );
    const { frames, reader } = await readAll(path);
    expect(frames).toHaveLength(1);
    expect(reader.error).toBeInstanceOf(CaptureError);
    expect(reader.error!.offset).toBe(24 + 16 + 60);
    expect(reader.error!.reason).toMatch(/captured length 262145 is larger than the maximum of 262144/);
    const t = tsharkFields(path, ['frame.cap_len']);
    expect(t.lines).toEqual(['60']);
    expect(t.stderr).toMatch(/262145-byte packet, bigger than maximum of 262144/);
  });

  it('trusts a snaplen that allows packets above 262144 bytes', async () => {
    const path = tmp.file(pcapFile({ snapLen: 1 << 20 }, [{ sec: 1, frac: 0, data: new Uint8Array(300000) }]));
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(frames[0]!.capLen).toBe(300000);
  });

  it('reads the same frames through a tiny window (records straddling window ends)', async () => {
    const many: PcapRecordSpec[] = Array.from({ length: 50 }, (_, i) => ({ sec: 1000 + i, frac: i, data: ethFrame(54 + ((i * 37) % 200), i) }));
    const path = tmp.file(pcapFile({}, many));
    const big = await readAll(path);
    for (const chunk of [64, 100, 255, 4096]) {
      const small = await readAll(path, chunk);
      expect(small.frames).toEqual(big.frames);
      expect(small.reader.error).toBeNull();
    }
    expect(big.frames.map((f) => f.bytes)).toEqual(many.map((m) => [...m.data]));
  });

  it('re-reads packet bytes by offset (random access) after reading on', async () => {
    const path = tmp.file(pcapFile({}, recs));
    const reader = await openCapture(path, { chunkSize: 64 });
    const offs: [number, number][] = [];
    for (let f = reader.next(); f; f = reader.next()) offs.push([f.dataOffset, f.capLen]);
    expect(offs.reverse().map(([o, n]) => [...reader.readPacket(o, n)])).toEqual(recs.map((r) => [...r.data]).reverse());
    expect(() => reader.readPacket(reader.size - 10, 20)).toThrow(CaptureError);
    reader.close();
  });

  it('keeps an out-of-range fraction unnormalised, as Wireshark does', async () => {
    const path = tmp.file(pcapFile({}, [{ sec: 1418145370, frac: 1000000, data: ethFrame(60) }]));
    const { frames } = await readAll(path);
    expect([frames[0]!.tsSec, frames[0]!.tsNsec]).toEqual([1418145370, 1000000000]);
    expect(tsharkFields(path, ['frame.time_epoch']).lines).toEqual(['1418145370.1000000000']);
  });

  it('gives zero frames and no error for a header-only file', async () => {
    const { frames, reader } = await readAll(tmp.file(pcapHeader({ le: false })));
    expect(frames).toEqual([]);
    expect(reader.error).toBeNull();
    expect(reader.interfaces).toHaveLength(1);
  });
});
