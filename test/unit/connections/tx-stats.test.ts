// A connection's transaction stats: gathered as transactions finish, in any order, they equal the
// stats of the transactions read in request order; and they say what a walk over the list says.
import { describe, expect, it } from 'vitest';
import type { TxBrief } from '../../../electron/engine/analysis/transaction-table';
import { SLOW_LISTED, TxStatsByStream, isQuiet, txStatsOf } from '../../../electron/engine/analysis/connections/tx-stats';
import { percentile } from '../../../electron/engine/analysis/digest';
import { prng } from '../../support/prng';

const SLOW = 0.05;

function randomBriefs(rnd: () => number, n: number): TxBrief[] {
  return Array.from({ length: n }, (_, i): TxBrief => {
    const r = rnd();
    const answered = r < 0.85;
    const status = r < 0.05 ? 'error' : r < 0.85 ? 'ok' : r < 0.95 ? 'no-response' : 'ok';
    // Latencies repeat (ties decide which request is "the slowest").
    const latency = answered ? Math.floor(rnd() * 12) / 100 : null;
    return {
      requestFrame: 10 + 3 * i, responseFrame: answered ? 11 + 3 * i : null, latency, status,
      errorCode: status === 'error' ? `E${i}` : undefined, errorMessage: status === 'error' ? `message ${i}` : undefined,
    };
  });
}

describe('TxStats', () => {
  it('says what reading the transactions in order says', () => {
    const rnd = prng(5);
    for (const n of [0, 1, 7, 1023, 1024, 1025, 5000]) {
      const txs = randomBriefs(rnd, n);
      const s = txStatsOf(txs, SLOW);
      const slow = txs.filter((t) => t.latency !== null && t.latency >= SLOW);
      const lat = Float64Array.from(txs.filter((t) => t.latency !== null).map((t) => t.latency!)).sort();
      expect(s.count).toBe(n);
      expect(s.errors).toBe(txs.filter((t) => t.status === 'error').length);
      expect(s.queries).toBe(txs.filter((t) => !isQuiet(t)).length);
      expect(s.firstError).toEqual(txs.find((t) => t.status === 'error') ?? null);
      expect(s.last).toEqual(txs[n - 1] ?? null);
      expect([...s.latencies]).toEqual([...lat]);
      if (n) expect(percentile(s.latencies, 95)).toBe(percentile(lat, 95));
      expect(s.slowCount).toBe(slow.length);
      expect(s.slowFirst).toEqual(slow.slice(0, SLOW_LISTED).map((t) => t.requestFrame));
      const slowest = slow.reduce<TxBrief | null>((a, b) => (!a || b.latency! > a.latency! ? b : a), null);
      expect(s.slowest).toEqual(slowest && { latency: slowest.latency, requestFrame: slowest.requestFrame });
    }
  });

  it('gathered out of order, per stream, equals the stats of each stream in request order', () => {
    const rnd = prng(9);
    const txs = randomBriefs(rnd, 6000).map((t) => ({ ...t, stream: Math.floor(rnd() * 4) }));
    // Finishing order: mostly request order, with stretches shuffled (keyed answers, quiet requests).
    const order = txs.map((_, i) => i);
    for (let i = 0; i + 8 < order.length; i += 8) if (rnd() < 0.3) order.splice(i, 8, ...order.slice(i, i + 8).sort(() => rnd() - 0.5));
    const byStream = new TxStatsByStream(SLOW);
    for (const i of order) byStream.add(txs[i]!.stream, i, txs[i]!);
    for (const stream of [0, 1, 2, 3]) {
      const own = txs.filter((t) => t.stream === stream).map(({ stream: _s, ...t }) => t);
      expect(byStream.of(stream)).toEqual(txStatsOf(own, SLOW));
    }
    expect(byStream.of(99)).toEqual(txStatsOf([], SLOW));
  });
});
