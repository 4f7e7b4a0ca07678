/**
 * What a connection's verdict and report read of its transactions, without the transactions:
 * counts, the first error, the last transaction, the answered requests' latencies (sorted, for
 * percentiles), and the slow ones against the threshold. A pass worker gathers them per connection
 * as transactions finish, so it hands every row of its table to the session as it goes and keeps
 * 8 bytes a transaction (a latency) to the end of the pass, not 23 (the brief columns).
 *
 * Transactions may finish out of request order (a keyed response, a request that expects no
 * answer behind one that does, the requests still open at the end), so each comes with its
 * request order, and "first" and "last" are by that order: the same as reading the connection's
 * transactions in table order.
 */
import { blankBrief, type MutableTxBrief, type TxBrief } from '../transaction-table';
import { emptyObjects } from '../../packed-arrays';

/** The slow requests the verdict lists (by request order). */
export const SLOW_LISTED = 5;

export interface TxStats {
  readonly count: number;
  /** Transactions with status 'error'. */
  readonly errors: number;
  /** Transactions other than messages that expect no answer (status 'ok' and no response). */
  readonly queries: number;
  /** The first transaction with status 'error'. */
  readonly firstError: TxBrief | null;
  readonly last: TxBrief | null;
  /** Latencies of the answered requests, ascending. */
  readonly latencies: Float64Array;
  /** Requests whose latency reached `slowThreshold`. */
  readonly slowThreshold: number;
  readonly slowCount: number;
  /** Request frames of the first SLOW_LISTED slow requests. */
  readonly slowFirst: readonly number[];
  /** The slowest request (the first of equals). */
  readonly slowest: { readonly latency: number; readonly requestFrame: number } | null;
}

/** A message that expects no answer (MySQL COM_QUIT, PostgreSQL Terminate): not a query. */
export const isQuiet = (t: TxBrief): boolean => t.status === 'ok' && t.responseFrame === null;

/**
 * Latencies: one array doubling from LATENCY_FIRST to LATENCY_CHUNK entries, then chunks of that
 * size (a busy connection's appends never copy more than a chunk; a short one's take a few bytes).
 */
const LATENCY_FIRST = 8;
const LATENCY_CHUNK = 1024;

function copyBrief(t: TxBrief, into: MutableTxBrief): MutableTxBrief {
  into.requestFrame = t.requestFrame;
  into.responseFrame = t.responseFrame;
  into.latency = t.latency;
  into.status = t.status;
  into.errorCode = t.errorCode;
  into.errorMessage = t.errorMessage;
  return into;
}

/** One connection's TxStats, gathered one transaction at a time. */
class TxStatsBuilder {
  private count = 0;
  private errors = 0;
  private quiet = 0;
  private firstError: MutableTxBrief | null = null;
  private firstErrorOrder = Infinity;
  private last: MutableTxBrief | null = null;
  private lastOrder = -1;
  private readonly latencyChunks: Float64Array[] = emptyObjects<Float64Array>();
  private latencyCount = 0;
  private slowCount = 0;
  /** [order, requestFrame] of the first slow requests, by order. */
  private slowFirst: [number, number][] | null = null;
  private slowest: { latency: number; requestFrame: number; order: number } | null = null;

  constructor(private readonly slowThreshold: number) {}

  add(order: number, t: TxBrief): void {
    this.count++;
    if (isQuiet(t)) this.quiet++;
    if (t.status === 'error') {
      this.errors++;
      if (order < this.firstErrorOrder) { this.firstErrorOrder = order; this.firstError = copyBrief(t, blankBrief()); }
    }
    if (order > this.lastOrder) { this.lastOrder = order; this.last = copyBrief(t, this.last ?? blankBrief()); }
    const lat = t.latency;
    if (lat === null) return;
    this.addLatency(lat);
    if (lat < this.slowThreshold) return;
    this.slowCount++;
    const s = this.slowest;
    if (!s || lat > s.latency || (lat === s.latency && order < s.order)) this.slowest = { latency: lat, requestFrame: t.requestFrame, order };
    const first = (this.slowFirst ??= []);
    if (first.length < SLOW_LISTED || order < first[first.length - 1]![0]) {
      let at = first.length;
      while (at > 0 && first[at - 1]![0] > order) at--;
      first.splice(at, 0, [order, t.requestFrame]);
      if (first.length > SLOW_LISTED) first.pop();
    }
  }

  private addLatency(lat: number): void {
    const chunks = this.latencyChunks;
    const n = this.latencyCount++;
    if (n < LATENCY_CHUNK) {
      let first = chunks[0];
      if (!first) chunks.push((first = new Float64Array(LATENCY_FIRST)));
      else if (n === first.length) {
        const grown = new Float64Array(first.length * 2);
        grown.set(first);
        chunks[0] = first = grown;
      }
      first[n] = lat;
      return;
    }
    const k = n % LATENCY_CHUNK;
    if (k === 0) chunks.push(new Float64Array(LATENCY_CHUNK));
    chunks[chunks.length - 1]![k] = lat;
  }

  finish(): TxStats {
    const latencies = new Float64Array(this.latencyCount);
    let at = 0;
    for (const c of this.latencyChunks) {
      const n = Math.min(c.length, this.latencyCount - at);
      latencies.set(c.subarray(0, n), at);
      at += n;
    }
    latencies.sort();
    const s = this.slowest;
    return {
      count: this.count, errors: this.errors, queries: this.count - this.quiet, firstError: this.firstError && { ...this.firstError },
      last: this.last && { ...this.last }, latencies, slowThreshold: this.slowThreshold, slowCount: this.slowCount,
      slowFirst: (this.slowFirst ?? []).map(([, frame]) => frame), slowest: s ? { latency: s.latency, requestFrame: s.requestFrame } : null,
    };
  }
}

/** Every connection's TxStats (by stream number), gathered as transactions finish. */
export class TxStatsByStream {
  private readonly builders = new Map<number, TxStatsBuilder>();
  private lastStream = -1;
  private lastBuilder: TxStatsBuilder | undefined = undefined;

  constructor(readonly slowThreshold: number) {}

  /** A finished transaction of `stream`; `order` is its request order (any increasing numbering). */
  add(stream: number, order: number, t: TxBrief): void {
    // The last stream's builder first: a connection's transactions finish in runs.
    let b = stream === this.lastStream ? this.lastBuilder : this.builders.get(stream);
    if (!b) { b = new TxStatsBuilder(this.slowThreshold); this.builders.set(stream, b); }
    this.lastStream = stream;
    this.lastBuilder = b;
    b.add(order, t);
  }

  /** A stream's stats (a stream without transactions has empty ones). */
  of(stream: number): TxStats {
    return (this.builders.get(stream) ?? new TxStatsBuilder(this.slowThreshold)).finish();
  }
}

/** The stats of transactions listed in request order. */
export function txStatsOf(txs: readonly TxBrief[], slowThreshold: number): TxStats {
  const b = new TxStatsBuilder(slowThreshold);
  txs.forEach((t, i) => b.add(i, t));
  return b.finish();
}
