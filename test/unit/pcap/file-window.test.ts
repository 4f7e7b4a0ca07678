// FileWindow's two windows: copy() (random reads, through a window of its own) must give exactly
// the file's bytes wherever a range falls — inside, across and past its window, larger than it,
// at the end of the file — and never disturb what fetch() (the sequential reader) sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWindow } from '../../../electron/engine/pcap/file-window';
import { prng } from '../../support/prng';

let dir: string;
let file: string;
const SIZE = 900_000;
const bytes = new Uint8Array(SIZE);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-window-'));
  file = join(dir, 'data.bin');
  const rnd = prng(3);
  for (let i = 0; i < SIZE; i++) bytes[i] = Math.floor(rnd() * 256);
  writeFileSync(file, bytes);
});

afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('FileWindow.copy', () => {
  it('copies into a given buffer when it is large enough (a view of it), else into a fresh one', () => {
    const w = new FileWindow(file, 64 * 1024);
    try {
      const into = new Uint8Array(1000);
      const a = w.copy(500_000, 600, into)!;
      expect(a.buffer).toBe(into.buffer);
      expect(a).toEqual(bytes.subarray(500_000, 500_600));
      const b = w.copy(10, 1001, into)!;
      expect(b.buffer).not.toBe(into.buffer);
      expect(b).toEqual(bytes.subarray(10, 1011));
      expect(w.copy(SIZE - 10, 11, into)).toBeNull();
    } finally {
      w.close();
    }
  });


  it('gives the file bytes for ranges anywhere, in any order, while the sequential window moves', () => {
    const w = new FileWindow(file, 64 * 1024);
    const rnd = prng(9);
    try {
      const ranges: [number, number][] = [
        [0, 10], [5, 100], [262_140, 10], [262_144, 1], [300_000, 300_000], [SIZE - 7, 7], [SIZE, 0], [0, SIZE], [123, 262_144],
      ];
      for (let k = 0; k < 2000; k++) {
        const off = Math.floor(rnd() * SIZE);
        ranges.push([off, Math.min(SIZE - off, Math.floor(rnd() * (k % 10 === 0 ? 400_000 : 2000)))]);
      }
      for (const [off, len] of ranges) {
        const seqAt = Math.floor(rnd() * (SIZE - 100));
        const p = w.fetch(seqAt, 100);
        const got = w.copy(off, len);
        expect(got, `${off}+${len}`).not.toBeNull();
        expect(Buffer.from(got!).equals(Buffer.from(bytes.subarray(off, off + len))), `${off}+${len}`).toBe(true);
        // The copy is the caller's: changing it changes nothing the window gives later.
        if (got!.length) got![0] = got![0]! ^ 0xff;
        // fetch()'s window is untouched by random reads.
        expect(Buffer.from(w.buf.subarray(p, p + 100)).equals(Buffer.from(bytes.subarray(seqAt, seqAt + 100)))).toBe(true);
      }
      expect(w.copy(SIZE - 3, 4)).toBeNull();
      expect(w.copy(-1, 4)).toBeNull();
    } finally {
      w.close();
    }
  });
});
