// Spilled columns: finished chunks go to an unlinked file and come back exactly, under a memory
// budget far smaller than the columns; a session that spills shows what one that does not shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteHeap, CHUNK, ChunkedColumn } from '../../../electron/engine/store/chunked';
import { Spill, SpillableArrays } from '../../../electron/engine/store/spill';
import { CaptureSession } from '../../../electron/engine/store/capture-session';
import { encodeRows } from '../../../shared/api/rows';
import { ether, ipv4, tcp, writePcap, type PcapRecord } from '../../support/frames';
import { prng } from '../../support/prng';
import { columnDump } from './engine-compare';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dbwire-spill-test-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('spilled chunks', () => {
  it('come back exactly from a column far larger than the budget, and the file is not left in the folder', () => {
    const spill = new Spill({ dir, budget: CHUNK * 8 });
    const col = new ChunkedColumn(Float64Array, 0, spill);
    const n = CHUNK * 5 + 123;
    const rnd = prng(3);
    const want = Float64Array.from({ length: n }, () => rnd() * 1e12);
    col.setRange(0, want);
    col.seal(Math.floor(n / CHUNK));
    expect(spill.spilledBytes).toBe(5 * CHUNK * 8);
    // One sealed chunk (the budget) plus the unsealed last one stay in memory.
    expect(col.bytes).toBe(2 * CHUNK * 8);
    // A second column, read row by row with the first: each keeps its newest chunk (no reload per read).
    const other = new ChunkedColumn(Uint8Array, 0, spill);
    other.setRange(0, Uint8Array.from({ length: n }, (_, i) => i & 0xff));
    other.seal(Math.floor(n / CHUNK));
    const rows = Array.from({ length: n }, (_, i) => i);
    expect(rows.map((i) => col.get(i) + other.get(i))).toEqual(rows.map((i) => want[i]! + (i & 0xff)));
    expect(readdirSync(dir)).toEqual([]);
    const at = Array.from({ length: 20_000 }, () => Math.floor(rnd() * n));
    expect(at.map((i) => col.get(i))).toEqual(at.map((i) => want[i]));
    expect(col.chunk(2)).toEqual(want.subarray(2 * CHUNK, 3 * CHUNK));
    expect(() => col.writable(1)).toThrow(/sealed/);
    spill.close();
    expect(() => spill.write(new Uint8Array(1))).toThrow(/closed/);
  });

  it('keep the Info heap exact across slabs', () => {
    const spill = new Spill({ dir, budget: 1 << 20 });
    const heap = new ByteHeap(spill);
    const rnd = prng(5);
    const texts: string[] = [];
    const at: [number, number][] = [];
    const out = { at: 0, len: 0 };
    for (let k = 0; k < 60_000; k++) {
      const s = `${k} ` + 'é表x'.repeat(Math.floor(rnd() * 40));
      texts.push(s);
      heap.appendString(s, out);
      at.push([out.at, out.len]);
    }
    heap.seal();
    expect(spill.spilledBytes).toBeGreaterThan(3 << 20);
    expect(at.map(([a, len]) => Buffer.from(heap.get(a, len)).toString('utf8'))).toEqual(texts);
    spill.close();
  });
});

/** A capture longer than two column chunks: interleaved TCP connections carrying Redis commands. */
function longCapture(file: string): number {
  const records: PcapRecord[] = [];
  const streams = 37;
  const seq = Array.from({ length: streams }, () => [1000, 5000]);
  const rnd = prng(11);
  let t = 1_700_000_000;
  for (let s = 0; s < streams; s++) {
    const port = 40000 + s;
    records.push({ data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: port, dport: 6379, seq: 999, flags: 0x02 }))), sec: t, usec: s });
    records.push({ data: ether(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp({ sport: 6379, dport: port, seq: 4999, ack: 1000, flags: 0x12 }))), sec: t, usec: s + 1 });
    records.push({ data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: port, dport: 6379, seq: 1000, ack: 5000, flags: 0x10 }))), sec: t, usec: s + 2 });
  }
  for (let k = 0; records.length < 2 * CHUNK + 5000; k++) {
    const s = Math.floor(rnd() * streams), port = 40000 + s, [c, v] = seq[s]!;
    const key = `key:${k}`;
    const req = `*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`;
    const resp = k % 5 === 0 ? '$-1\r\n' : `$${String(k).length}\r\n${k}\r\n`;
    t += 1;
    records.push({ data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: port, dport: 6379, seq: c!, ack: v!, flags: 0x18, payload: req }))), sec: t, usec: 10 });
    records.push({ data: ether(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp({ sport: 6379, dport: port, seq: v!, ack: c! + req.length, flags: 0x18, payload: resp }))), sec: t, usec: 200 + k % 97 });
    seq[s] = [c! + req.length, v! + resp.length];
  }
  writePcap(file, 1, records);
  return records.length;
}

describe('a session that spills its columns', () => {
  it('shows the rows, filters, transactions and exports of one that keeps them in memory', async () => {
    const file = join(dir, 'long.pcap');
    const frames = longCapture(file);
    const spillDir = join(dir, 'spill');
    // Two pass workers: their transaction tables come over in parts as they go, to the spill too.
    const spilled = await CaptureSession.open(file, { workers: 2, spill: { dir: spillDir, budget: 1 << 20 } });
    const kept = await CaptureSession.open(file, { workers: 0, spill: false });
    await Promise.all([spilled.done, kept.done]);
    try {
      expect(spilled.store.count).toBe(frames);
      expect(spilled.store.spilledBytes).toBeGreaterThan(0);
      expect(kept.store.spilledBytes).toBe(0);
      // In memory: the budget, each column's newest chunk and the chunk being filled (3 chunks kept).
      expect(spilled.store.bytes).toBeLessThan(kept.store.bytes * 0.7);
      expect(columnDump(spilled)).toEqual(columnDump(kept));
      expect(readdirSync(spillDir)).toEqual([]);
      for (const f of ['tcp.stream == 5', 'tcp.srcport == 6379 && frame.len > 60', 'resp.bulk_string.value contains "9"']) {
        const [a, b] = [await spilled.setFilter(f), await kept.setFilter(f)];
        expect(a).toEqual(b);
        expect(a.ok && a.displayed).toBeGreaterThan(0);
        expect(new Uint8Array(encodeRows(spilled.rows(0, 500)))).toEqual(new Uint8Array(encodeRows(kept.rows(0, 500))));
        const [ea, eb] = [await spilled.exportFrames({ kind: 'displayed' }), await kept.exportFrames({ kind: 'displayed' })];
        expect(ea).toEqual(eb);
      }
      const txs = await spilled.transactions();
      expect(txs.length).toBeGreaterThan(4096 * 4);
      expect(txs).toEqual(await kept.transactions());
      expect(await spilled.connections()).toEqual(await kept.connections());
      expect(spilled.packet(frames - 3)).toEqual(kept.packet(frames - 3));
    } finally {
      spilled.close();
      kept.close();
    }
  }, 120_000);
});

describe('chunk reuse', () => {
  it('fills a chunk the spill dropped unread again, zeroed, and never one that was handed out', () => {
    const released: number[] = [];
    const spill = new Spill({ dir, budget: CHUNK * 4 }, (b) => released.push(b));
    const col = new ChunkedColumn(Uint32Array, 7, spill);
    const rnd = prng(9);
    const want = Uint32Array.from({ length: CHUNK * 6 }, () => Math.floor(rnd() * 2 ** 32));
    // Chunk 0 is read while being filled (handed out): it must never be filled again.
    col.setRange(0, want.subarray(0, CHUNK));
    const lent = col.chunk(0)!;
    col.setRange(CHUNK, want.subarray(CHUNK, CHUNK * 2));
    for (let c = 2; c < 6; c++) {
      col.seal(c);
      col.setRange(c * CHUNK, want.subarray(c * CHUNK, (c + 1) * CHUNK));
    }
    col.seal(6);
    // Only the lent chunk's memory was let go (the others were kept to be filled again).
    expect(released).toEqual([CHUNK * 4]);
    // What was handed out still holds chunk 0's values, and every row reads back exactly.
    expect(lent).toEqual(want.subarray(0, CHUNK));
    for (let i = 0; i < want.length; i += 997) expect(col.get(i)).toBe(want[i]);
    expect(col.get(want.length - 1)).toBe(want[want.length - 1]);
    // A new chunk starts with the column's fill value even when it is a reused array.
    col.set(CHUNK * 6 + 5, 1);
    expect(col.get(CHUNK * 6)).toBe(7);
    expect(col.get(CHUNK * 6 + 5)).toBe(1);
    spill.close();
  });

  it('keeps no spare once the filling has ended: a chunk dropped after releaseSpares() is let go', () => {
    const released: number[] = [];
    const chunkBytes = CHUNK * 4;
    const spill = new Spill({ dir, budget: chunkBytes * 3 }, (b) => released.push(b));
    const col = new ChunkedColumn(Uint32Array, 0, spill);
    for (let c = 0; c < 3; c++) col.set(c * CHUNK, c + 1);
    col.seal(2); // chunks 0 and 1 on disk, still in memory (within the budget), never read
    expect(released).toEqual([]);
    expect(col.releaseSpares()).toBe(0);
    // Other columns' chunks now push chunk 0 out of the budget (chunk 1, the column's newest, stays).
    for (let k = 0; k < 3; k++) {
      const other = new ChunkedColumn(Uint32Array, 0, spill);
      other.set(CHUNK, 1);
      other.seal(2);
    }
    expect(released).toContain(chunkBytes);
    expect(col.releaseSpares()).toBe(0); // chunk 0 was let go, not kept as a spare
    expect(col.get(0)).toBe(1);
    expect(col.get(CHUNK)).toBe(2);
    spill.close();
  });

  it('pushSpilled writes an array and keeps none of it; use() reads it back', () => {
    const spill = new Spill({ dir, budget: 1024 });
    const arrays = new SpillableArrays(spill, (n) => new Float64Array(n));
    const a = Float64Array.from({ length: 100 }, (_, i) => i * 1.5);
    expect(arrays.pushSpilled(a)).toBe(true);
    expect(arrays.items[0]).toBeNull();
    a.fill(-1); // the caller may use the buffer again
    expect([...arrays.use(0)]).toEqual(Array.from({ length: 100 }, (_, i) => i * 1.5));
    spill.close();
    const plain = new SpillableArrays(null, (n) => new Float64Array(n));
    expect(plain.pushSpilled(a)).toBe(false);
    expect(plain.items[0]).toBe(a);
  });
});
