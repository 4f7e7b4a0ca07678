import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture, CaptureError } from '../../../electron/engine/pcap/index';
import * as B from './build';
import { prng as rng } from '../../support/prng';

const tmp = new B.TempDir();
afterAll(() => tmp.remove());

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  let b: Uint8Array = src.slice();
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rand() * b.length);
    switch (Math.floor(rand() * 6)) {
      case 0: // bit flip
        b[pos] = b[pos]! ^ (1 << Math.floor(rand() * 8));
        break;
      case 1: // byte change
        b[pos] = Math.floor(rand() * 256);
        break;
      case 2: // truncation
        b = b.subarray(0, pos);
        break;
      case 3: {
        // length-field bump: treat an aligned u32 as a length and nudge or blow it up
        const at = pos & ~3;
        if (at + 4 > b.length) break;
        const v = new DataView(b.buffer, b.byteOffset, b.length);
        const le = rand() < 0.5;
        const bumps = [1, -1, 4, -4, 8, 16, 0x1000, 0x7fffffff, 0xfffffffc, 0x10000000];
        const cur = v.getUint32(at, le);
        const bump = bumps[Math.floor(rand() * bumps.length)]!;
        v.setUint32(at, bump > 0x1000 ? bump : (cur + bump) >>> 0, le);
        break;
      }
      case 4: // delete a few bytes
        b = B.concat([b.subarray(0, pos), b.subarray(Math.min(b.length, pos + 1 + Math.floor(rand() * 8)))]);
        break;
      default: // duplicate a slice
        b = B.concat([b.subarray(0, pos), b.subarray(pos, pos + 1 + Math.floor(rand() * 40)), b.subarray(pos)]);
    }
  }
  return b;
}

interface Outcome {
  frames: number;
  problem?: string;
}

/** Read everything, checking the reader's invariants; returns a failure description or nothing. */
async function check(path: string, size: number): Promise<Outcome> {
  let reader;
  try {
    reader = await openCapture(path);
  } catch (e) {
    if (e instanceof CaptureError) return { frames: 0 };
    return { frames: 0, problem: `openCapture threw ${String(e)}` };
  }
  let frames = 0;
  let last = -1;
  let lastFrame: [number, number] | null = null;
  try {
    for (let f = reader.next(); f; f = reader.next()) {
      frames++;
      if (f.num !== frames) return { frames, problem: `frame number ${f.num} != ${frames}` };
      if (f.data.length !== f.capLen) return { frames, problem: 'data length != capLen' };
      if (f.dataOffset + f.capLen > reader.size) return { frames, problem: 'packet beyond end of file' };
      if (reader.bytesRead <= last) return { frames, problem: 'no progress' };
      if (frames > size / 12 + 1) return { frames, problem: 'more frames than the file can hold' };
      last = reader.bytesRead;
      lastFrame = [f.dataOffset, f.capLen];
    }
    if (reader.next() !== null) return { frames, problem: 'next() after the end returned a frame' };
    const err = reader.error;
    if (err !== null && !(err instanceof CaptureError)) return { frames, problem: 'error is not a CaptureError' };
    if (err && (err.offset < 0 || err.offset > reader.size)) return { frames, problem: `error offset ${err.offset} outside the file` };
    if (lastFrame && reader.readPacket(lastFrame[0], lastFrame[1]).length !== lastFrame[1]) return { frames, problem: 'readPacket length' };
  } catch (e) {
    return { frames, problem: `threw ${String(e)}` };
  } finally {
    reader.close();
  }
  return { frames };
}

function samplePcap(): Uint8Array {
  return B.pcapFile(
    { ns: true, snapLen: 1500 },
    Array.from({ length: 6 }, (_, i) => ({ sec: 1700000000 + i, frac: i * 1000, data: B.ethFrame(54 + i * 9, i) })),
  );
}

function samplePcapng(): Uint8Array {
  return B.concat([
    B.shb(true, [[1, 'fuzz']]),
    B.idb(true, 1, 128, [[2, 'eth0'], B.tsresolOpt(9), B.tsoffsetOpt(5n, true)]),
    B.epb(true, { iface: 0, ticks: 17n, data: B.ethFrame(60, 1), opts: [[1, 'c'], B.flagsOpt(1, true)] }),
    B.nrb(true),
    B.spb(true, 100, B.ethFrame(100, 2)),
    B.shb(false),
    B.idb(false, 101, 0, [B.tsresolOpt(0x94)]),
    B.isb(false, 0),
    B.opb(false, { iface: 0, ticks: 99n, data: B.payload(33) }),
    B.epb(false, { iface: 0, ticks: 1n << 40n, data: B.payload(70) }),
  ]);
}

/** Run mutations until the time budget or the iteration cap is used up (whichever first). */
async function fuzz(name: string, sample: Uint8Array, budgetMs: number, maxIter: number, wrap?: (b: Uint8Array) => Uint8Array) {
  const path = tmp.name(`fuzz-${name}`);
  // rewrite one file in place: re-creating a file per iteration is slow on some file systems
  const fd = openSync(path, 'w');
  const start = Date.now();
  const failures: string[] = [];
  let iter = 0;
  let withFrames = 0;
  for (; iter < maxIter && Date.now() - start < budgetMs; iter++) {
    const seed = iter + 1;
    const bytes = mutate(sample, rng(seed));
    const file = wrap ? wrap(bytes) : bytes;
    writeSync(fd, file, 0, file.length, 0);
    ftruncateSync(fd, file.length);
    const r = await check(path, wrap ? bytes.length : file.length);
    if (r.frames > 0) withFrames++;
    if (r.problem) failures.push(`${name} seed ${seed}: ${r.problem}`);
    if (failures.length > 5) break;
  }
  closeSync(fd);
  return { iter, failures, withFrames };
}

describe('fuzzing: mutated captures only ever give CaptureErrors, bounded work, no hang', () => {
  it('pcap', async () => {
    expect((await check(tmp.file(samplePcap()), samplePcap().length)).frames).toBe(6);
    const r = await fuzz('pcap', samplePcap(), 3000, 30000);
    expect(r.failures).toEqual([]);
    expect(r.iter).toBeGreaterThan(100);
    expect(r.withFrames).toBeGreaterThan(0);
  });

  it('pcapng', async () => {
    expect((await check(tmp.file(samplePcapng()), samplePcapng().length)).frames).toBe(4);
    const r = await fuzz('pcapng', samplePcapng(), 3000, 30000);
    expect(r.failures).toEqual([]);
    expect(r.iter).toBeGreaterThan(100);
    expect(r.withFrames).toBeGreaterThan(0);
  });

  it('gzip-wrapped and mutated after compression', async () => {
    const gz = gzipSync(samplePcapng());
    const r = await fuzz('gzip', gz, 1500, 2000);
    expect(r.failures).toEqual([]);
    const r2 = await fuzz('gzip-inner', samplePcap(), 1000, 1000, (b) => gzipSync(b));
    expect(r2.failures).toEqual([]);
  });
});
