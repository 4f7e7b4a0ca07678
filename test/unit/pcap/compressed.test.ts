import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture, CaptureError } from '../../../electron/engine/pcap/index';
import * as B from './build';
import { readAll } from './read-all';

const tmp = new B.TempDir();
// decompressed temp files go to os.tmpdir(): point it at a private folder to check clean-up
const privateTmp = mkdtempSync(join(tmpdir(), 'dbwire-pcap-tmpdir-'));
const savedTmp = process.env.TMPDIR;
beforeAll(() => {
  process.env.TMPDIR = privateTmp;
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
  tmp.remove();
});

/** A zstd frame made of raw (stored) blocks: valid zstd without needing a compressor. */
function zstdRaw(data: Uint8Array): Uint8Array {
  const head = new Uint8Array(9);
  const v = new DataView(head.buffer);
  v.setUint32(0, 0xfd2fb528, true);
  head[4] = 0xa0; // 4-byte content size, single segment, no checksum, no dictionary
  v.setUint32(5, data.length, true);
  const parts: Uint8Array[] = [head];
  const MAX = 16 * 1024; // several blocks, so a cut file still has whole blocks to decode
  for (let off = 0; off < data.length || off === 0; off += MAX) {
    const chunk = data.subarray(off, off + MAX);
    const last = off + MAX >= data.length ? 1 : 0;
    const h = (chunk.length << 3) | last; // block type 0 = raw
    parts.push(Uint8Array.of(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff), chunk);
    if (data.length === 0) break;
  }
  return B.concat(parts);
}

const frames = Array.from({ length: 200 }, (_, i) => B.ethFrame(60 + (i % 900), i));
const pcap = B.pcapFile({ ns: true }, frames.map((d, i) => ({ sec: 1700000000 + i, frac: i * 1001, data: d })));
const le = true;
const pcapng = B.concat([B.shb(le, [[1, 'zipped']]), B.idb(le, 1, 0), ...frames.map((d, i) => B.epb(le, { iface: 0, ticks: BigInt(i), data: d }))]);

function leftovers(): string[] {
  return readdirSync(privateTmp).filter((n) => n.startsWith('dbwire-capture-'));
}

describe('compressed captures (detected by content)', () => {
  it('gzip pcap: same frames as the plain file, matching tshark, temp file removed', async () => {
    const plain = await readAll(tmp.file(pcap));
    const path = tmp.file(gzipSync(pcap), 'no-extension');
    const r = await openCapture(path);
    expect(r.compression).toBe('gzip');
    expect(r.format).toBe('pcap');
    expect(r.size).toBe(pcap.length);
    expect(leftovers()).toEqual([]); // unlinked as soon as it was opened (POSIX)
    const zipped = await readAll(path);
    expect(zipped.frames).toEqual(plain.frames);
    // random access still works on the decompressed data
    const f = zipped.frames[150]!;
    expect([...r.readPacket(f.dataOffset, f.capLen)]).toEqual(f.bytes);
    r.close();
    expect(leftovers()).toEqual([]);
    const t = B.tsharkFields(path, ['frame.time_epoch', 'frame.cap_len']).lines;
    expect(t).toEqual(plain.frames.map((x) => `${B.epoch(x.tsSec, x.tsNsec)}\t${x.capLen}`));
  });

  it('gzip with several members (concatenated .gz files)', async () => {
    const half = 5000;
    const path = tmp.file(B.concat([gzipSync(pcapng.subarray(0, half)), gzipSync(pcapng.subarray(half))]));
    const { frames: got, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(got.map((f) => f.bytes)).toEqual(frames.map((d) => [...d]));
    expect(reader.sectionComments).toEqual(['zipped']);
  });

  it('cut-short gzip: the packets before the cut, then an error naming the gzip problem', async () => {
    const gz = gzipSync(pcap, { level: 1 });
    const path = tmp.file(gz.subarray(0, Math.floor(gz.length / 2)));
    const { frames: got, reader } = await readAll(path);
    expect(got.length).toBeGreaterThan(10);
    expect(got.length).toBeLessThan(frames.length);
    expect(got.map((f) => f.bytes)).toEqual(frames.slice(0, got.length).map((d) => [...d]));
    expect(reader.error).toBeInstanceOf(CaptureError);
    expect(reader.error!.reason).toMatch(/gzip data is damaged or cut short/);
    expect(leftovers()).toEqual([]);
  });

  it('zstd (raw blocks) pcapng', async () => {
    const path = tmp.file(zstdRaw(pcapng));
    const { frames: got, reader } = await readAll(path);
    expect(reader.compression).toBe('zstd');
    expect(reader.format).toBe('pcapng');
    expect(reader.error).toBeNull();
    expect(got.map((f) => f.bytes)).toEqual(frames.map((d) => [...d]));
    expect(leftovers()).toEqual([]);
  });

  it('cut-short zstd keeps what was decoded and reports the problem', async () => {
    const z = zstdRaw(pcapng);
    const { frames: got, reader } = await readAll(tmp.file(z.subarray(0, Math.floor(z.length * 0.6))));
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(frames.length);
    expect(reader.error!.reason).toMatch(/zstd data is damaged or cut short/);
  });

  it('gzip of something that is not a capture is rejected in one line', async () => {
    const path = tmp.file(gzipSync(new TextEncoder().encode('hello world, not a capture')));
    await expect(openCapture(path)).rejects.toThrow(/^gzip-compressed file: not a capture file \(unknown magic 0x68656c6c\)$/);
    expect(leftovers()).toEqual([]);
  });

  it('gzip of an empty file is an empty capture', async () => {
    const { frames: got, reader } = await readAll(tmp.file(gzipSync(new Uint8Array(0))));
    expect(got).toEqual([]);
    expect(reader.error).toBeNull();
    expect(reader.compression).toBe('gzip');
  });
});
