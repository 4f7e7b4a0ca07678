// The tracker computes request times and latencies from (seconds, nanoseconds) pairs in doubles;
// they must equal the exact integer-nanosecond computation, also with responses out of order.
import { describe, expect, it } from 'vitest';
import { TransactionTracker } from '../../../electron/engine/analysis/transactions';
import type { EventMeta } from '../../../electron/engine/decode/session';
import { prng } from '../../support/prng';

const meta = (frame: number, tsSec: number, tsNsec: number, stream: number): EventMeta =>
  ({ frame, tsSec, tsNsec, stream, protocol: 'pgsql', fromServer: false, bytes: 10 });

describe('transaction times', () => {
  it('equal the BigInt nanosecond computation', () => {
    const rnd = prng(11);
    const t = new TransactionTracker();
    const expected: { time: number; latency: number }[] = [];
    let frame = 1;
    for (let i = 0; i < 2000; i++) {
      const sec = 1_600_000_000 + Math.floor(rnd() * 2e8), nsec = Math.floor(rnd() * 1e9);
      const dSec = Math.floor(rnd() * 3) - (rnd() < 0.05 ? 5 : 0), rNsec = Math.floor(rnd() * 1e9);
      const req = BigInt(sec) * 1_000_000_000n + BigInt(nsec);
      const resp = BigInt(sec + dSec) * 1_000_000_000n + BigInt(rNsec);
      expected.push({ time: Number(req) / 1e9, latency: Number(resp - req) / 1e9 });
      const stream = i % 7;
      t.onEvent({ kind: 'request', command: 'Q', statement: `q${i}` }, meta(frame++, sec, nsec, stream));
      t.onEvent({ kind: 'response', status: 'ok', final: true }, meta(frame++, sec + dSec, rNsec, stream));
    }
    expect(t.finish().map((x) => ({ time: x.time, latency: x.latency }))).toEqual(expected);
  });

  it('keep request order when answers come back out of order', () => {
    const t = new TransactionTracker();
    t.onEvent({ kind: 'request', command: 'get', statement: 'a', key: 1 }, meta(1, 10, 0, 0));
    t.onEvent({ kind: 'request', command: 'get', statement: 'b', key: 2 }, meta(2, 10, 5, 0));
    t.onEvent({ kind: 'response', status: 'ok', final: true, key: 2 }, meta(3, 10, 9, 0));
    t.onEvent({ kind: 'response', status: 'ok', final: true, key: 1 }, meta(4, 11, 0, 0));
    expect(t.finish().map((x) => [x.statement, x.requestFrame, x.responseFrame])).toEqual([['a', 1, 4], ['b', 2, 3]]);
  });
});
