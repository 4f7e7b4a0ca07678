import { describe, expect, it } from 'vitest';
import { ROW_COLOR_CODE, RowsView, decodeRows, encodeRows, type RowInput } from '../../../shared/api/rows';

const row = (num: number, over: Partial<RowInput> = {}): RowInput => ({
  num, time: num * 0.001, length: 60 + num, stream: num % 3 === 0 ? -1 : num, source: `10.0.0.${num % 2}`,
  destination: '::1', protocol: num % 2 ? 'MySQL' : 'TCP', info: `Info ${num} → ünïcode`, color: ROW_COLOR_CODE.db, ...over,
});

describe('packed row pages', () => {
  it('round-trips rows, sharing repeated strings', () => {
    const rows = Array.from({ length: 50 }, (_, i) => row(i + 1));
    const buf = encodeRows(rows);
    const back = decodeRows(buf);
    expect(back).toHaveLength(50);
    back.forEach((r, i) => {
      const want = rows[i]!;
      expect(r).toEqual({ num: want.num, time: want.time, length: want.length, stream: want.stream, source: want.source,
        destination: want.destination, protocol: want.protocol, info: want.info, color: 'db' });
    });
    // 5 distinct strings (2 sources, 1 destination, 2 protocols) listed once, not 150
    expect(new DataView(buf).getUint32(8, true)).toBe(5);
  });

  it('takes Info as UTF-8 bytes too', () => {
    const info = new TextEncoder().encode('Request Query');
    expect(decodeRows(encodeRows([row(1, { info })]))[0]!.info).toBe('Request Query');
  });

  it('an empty page decodes to no rows', () => {
    expect(decodeRows(encodeRows([]))).toEqual([]);
  });

  it('rejects a buffer that is not a page, and a truncated page', () => {
    expect(() => new RowsView(new ArrayBuffer(16))).toThrow(/not a packed row page/);
    const buf = encodeRows([row(1)]);
    expect(() => new RowsView(buf.slice(0, buf.byteLength - 3))).toThrow(/truncated/);
    expect(() => new RowsView(buf).row(1)).toThrow(RangeError);
  });
});

describe('ByteHeap (Info texts)', () => {
  it('stores empty and long strings across slabs', async () => {
    const { ByteHeap } = await import('../../../electron/engine/store/chunked');
    const h = new ByteHeap();
    const empty = h.append(new Uint8Array(0));
    expect(h.get(empty, 0)).toEqual(new Uint8Array(0));
    const big = new Uint8Array(700_000).fill(7);
    const a = h.append(big), b = h.append(big);
    expect(h.get(a, big.length)).toEqual(big);
    expect(h.get(b, big.length)).toEqual(big);
    expect(h.bytes).toBe(2 * 1024 * 1024);
  });

  it('copies a range of a larger buffer, short (by hand) and long (by set)', async () => {
    const { ByteHeap } = await import('../../../electron/engine/store/chunked');
    const h = new ByteHeap();
    const src = Uint8Array.from({ length: 300 }, (_, i) => i & 255);
    const short = h.append(src, 10, 5), long = h.append(src, 100, 150);
    expect([...h.get(short, 5)]).toEqual([10, 11, 12, 13, 14]);
    expect(h.get(long, 150)).toEqual(src.subarray(100, 250));
  });
});
