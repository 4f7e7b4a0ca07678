// Transactions in columns: every field comes back exactly (nulls, absent fields, statements with
// any code unit), across pack/unpack (the worker boundary), and merge keeps request-frame order.
import { describe, expect, it } from 'vitest';
import type { Transaction } from '../../../shared/api/types';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShippedTransactions, TransactionTable, type TxShipment } from '../../../electron/engine/analysis/transaction-table';
import { Spill } from '../../../electron/engine/store/spill';
import { prng } from '../../support/prng';

const base: Transaction = {
  stream: 3, protocol: 'pgsql', requestFrame: 10, responseFrame: 12, lastResponseFrame: 14, time: 1700000000.123456789,
  latency: 0.000123, statement: 'SELECT 1', status: 'ok', errorCode: undefined, errorMessage: undefined, rows: 1, bytes: [40, 120],
};

function randomTx(rnd: () => number, frame: number): Transaction {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const text = Array.from({ length: Math.floor(rnd() * 40) }, () => String.fromCharCode(pick([0x41, 0x20, 0xe9, 0x80, 0x9f, 0x00, 0xff, 0x4e2d, 0xd800, 0xdfff, 0x1f]))).join('');
  const answered = rnd() < 0.8;
  const status = pick(['ok', 'error', 'no-response', 'damaged'] as const);
  return {
    stream: Math.floor(rnd() * 50), protocol: pick(['mysql', 'pgsql', 'tds', 'memcache', 'resp']), requestFrame: frame,
    responseFrame: answered ? frame + 1 : null, lastResponseFrame: answered ? frame + 2 : null, time: 1.7e9 + rnd() * 1e5,
    latency: answered ? rnd() / 100 : null, statement: text, status,
    errorCode: status === 'error' ? pick(['42P01', '1146', undefined]) : undefined,
    errorMessage: status === 'error' ? pick(['no such table', 'Ünknown — 表', undefined]) : undefined,
    rows: rnd() < 0.5 ? Math.floor(rnd() * 1000) : undefined, bytes: [Math.floor(rnd() * 1e6), Math.floor(rnd() * 1e9)],
  };
}

describe('TransactionTable', () => {
  it('gives back every transaction exactly, before and after crossing a thread boundary', () => {
    const rnd = prng(7);
    const txs = [base, { ...base, responseFrame: null, lastResponseFrame: null, latency: null, rows: undefined, status: 'no-response' as const },
      ...Array.from({ length: 9000 }, (_, i) => randomTx(rnd, i + 20))];
    // Statements longer than a text slab (1 Mi code units) get one of their own, between ordinary ones.
    txs.splice(5000, 0, { ...base, statement: 'x'.repeat((1 << 20) + 3) }, { ...base, statement: '表'.repeat((1 << 20) + 5) });
    const t = TransactionTable.from(txs);
    expect(t.length).toBe(txs.length);
    expect(t.toArray()).toEqual(txs);
    const packed = t.pack();
    const copy = structuredClone(packed, { transfer: TransactionTable.transfer(packed) });
    expect(TransactionTable.unpack(copy).toArray()).toEqual(txs);
    // Lone surrogates and C1 controls survive (TextDecoder's "latin1" would turn 0x80 into "€").
    expect(TransactionTable.from([{ ...base, statement: '\ud800x\u0080' }]).get(0).statement).toBe('\ud800x\u0080');
  });

  it('merges tables in request-frame order, the earlier table first on ties, renumbering streams', () => {
    const a = TransactionTable.from([1, 4, 4, 9].map((f) => ({ ...base, requestFrame: f, statement: `a${f}`, stream: 0 })));
    const b = TransactionTable.from([2, 4, 10].map((f) => ({ ...base, requestFrame: f, statement: `b${f}`, stream: 1 })));
    const m = TransactionTable.merge([a, b], (k, s) => 100 * (k + 1) + s);
    expect(m.toArray().map((t) => `${t.statement}@${t.stream}`)).toEqual(['a1@100', 'b2@201', 'a4@100', 'a4@100', 'b4@201', 'a9@100', 'b10@201']);
    expect([...m.byStream()].map(([s, r]) => [s, [...r]])).toEqual([[100, [0, 2, 3, 5]], [201, [1, 4, 6]]]);
  });

  it('puts rows in request order by an index, leaving the stored rows where they are', () => {
    const t = TransactionTable.from([5, 1, 3].map((f) => ({ ...base, requestFrame: f, statement: `s${f}` })));
    t.sortBy(Uint32Array.of(2, 0, 1));
    expect(t.toArray().map((x) => x.statement)).toEqual(['s1', 's3', 's5']);
    const packed = t.pack();
    expect(TransactionTable.unpack(structuredClone(packed, { transfer: TransactionTable.transfer(packed) })).toArray().map((x) => x.requestFrame)).toEqual([1, 3, 5]);
    expect(() => t.push(base)).toThrow(/final/);
  });

  it('orders by keys that are request numbers (each once) as by any other ascending keys', () => {
    const rnd = prng(3);
    const n = 5000;
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => rnd() - 0.5);
    // A permutation of 0..n-1, and the same order with gaps in the keys (no longer a permutation).
    for (const key of [Uint32Array.from(perm), Float64Array.from(perm, (k) => 3 * k + 1)]) {
      const t = TransactionTable.from(perm.map((k) => ({ ...base, requestFrame: k + 1 })));
      t.sortBy(key);
      expect(Array.from({ length: n }, (_, i) => t.requestFrame(i))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });

  it('keeps an empty statement as the first row, before any text slab exists', () => {
    const txs = [{ ...base, statement: '' }, { ...base, statement: 'SELECT 2' }, { ...base, statement: '' }];
    expect(TransactionTable.from(txs).toArray()).toEqual(txs);
  });

  it('hands finished parts over as it goes; the receiver (spilling them) and the rest make the whole table', () => {
    const rnd = prng(11);
    const txs = Array.from({ length: 20000 }, (_, i) => randomTx(rnd, i + 1));
    txs.splice(7000, 0, { ...base, requestFrame: 7000, statement: 'y'.repeat((1 << 20) + 1) });
    // Long statements fill several slabs of both widths.
    for (let i = 0; i < txs.length; i += 50) txs[i] = { ...txs[i]!, statement: `${i % 100 ? 'é' : '表'}`.repeat(20000) };
    const shipments: TxShipment[] = [];
    // The receiving thread gets each part as postMessage's transfer would leave it: the sender's copy detached.
    const worker = new TransactionTable(null, (s) => shipments.push(structuredClone(s, { transfer: [s.array.buffer as ArrayBuffer] })));
    for (const t of txs) worker.push(t);
    // Every full chunk of rows goes, in each of its column families; the newest stays.
    for (const part of ['brief', 'small', 'rest']) expect(shipments.filter((s) => s.part === part)).toHaveLength(Math.floor((txs.length - 1) / 4096));
    expect(shipments.some((s) => s.part === 'text8') && shipments.some((s) => s.part === 'text16')).toBe(true);
    // The worker keeps nothing of the rows it handed over (its connection report reads TxStats).
    expect(() => worker.brief(0)).toThrow(/handed over/);
    expect(() => worker.get(0)).toThrow(/handed over/);
    expect(worker.brief(txs.length - 1).requestFrame).toBe(txs[txs.length - 1]!.requestFrame);
    const dir = mkdtempSync(join(tmpdir(), 'dbwire-tx-'));
    const spill = new Spill({ dir, budget: 1 << 20 });
    try {
      const received = new ShippedTransactions(spill);
      for (const s of shipments) received.receive(s);
      const packed = worker.pack();
      const table = TransactionTable.unpack(structuredClone(packed, { transfer: TransactionTable.transfer(packed) }), spill, received);
      expect(table.toArray()).toEqual(txs);
      expect(spill.spilledBytes).toBeGreaterThan(table.bytes);
      // A part that never arrived is an error, not a table with holes.
      const again = new TransactionTable(null, () => {});
      for (const t of txs) again.push(t);
      expect(() => TransactionTable.unpack(again.pack(), spill, null)).toThrow(/never arrived/);
      expect(() => received.receive(shipments[0]!)).toThrow(/out of order/);
    } finally {
      spill.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a row it does not have', () => {
    expect(() => TransactionTable.from([base]).get(1)).toThrow(RangeError);
  });
});
