/**
 * Pairs DB requests with their responses, per connection, from the decoders' events.
 * FIFO per stream (pipelining keeps order in all our protocols), or by `key` when the protocol
 * carries one (memcached binary opaque). Latency is the time from the packet that completed the
 * request (its last packet) to the first response packet: the server's time plus one network
 * traversal, and what the client waits before any answer.
 */
import type { Transaction } from '../../../shared/api/types';
import type { AppEvent } from './events';
import { TransactionTable, blankBrief, type TxShipment } from './transaction-table';
import type { TxStatsByStream } from './connections/tx-stats';
import type { EventMeta } from '../decode/session';

interface OpenTx {
  /** Request order (the table is sorted by it at the end). */
  seq: number;
  stream: number;
  protocol: string;
  requestFrame: number;
  reqSec: number;
  reqNsec: number;
  responseFrame: number | null;
  lastResponseFrame: number | null;
  respSec: number;
  respNsec: number;
  statement: string;
  params: readonly string[] | undefined;
  status: Transaction['status'];
  errorCode?: string;
  errorMessage?: string;
  rows?: number;
  reqBytes: number;
  respBytes: number;
  key?: string | number;
}

export class TransactionTracker {
  private readonly open = new Map<number, OpenTx[]>();
  private lastStream = -1;
  private lastOpen: OpenTx[] | undefined = undefined;
  /** Finished transactions, in the order they finished, in columns (a capture has hundreds of thousands). */
  private readonly done: TransactionTable;
  /** Request order of each row of `done` (rows 0..done.length-1). */
  private doneSeq = new Uint32Array(1024);
  private seq = 0;
  /** (stats' input, refilled per transaction) */
  private readonly brief = blankBrief();

  /**
   * `ship`: finished parts of the table are handed over as they are (see TransactionTable).
   * `stats`: gathers each connection's TxStats as transactions finish (what its verdict reads,
   * when the table's rows are gone).
   */
  constructor(ship?: (s: TxShipment) => void, private readonly stats?: TxStatsByStream) {
    this.done = new TransactionTable(null, ship);
  }

  /** Feed one decoder event. */
  onEvent(e: AppEvent, m: EventMeta): void {
    if (e.kind === 'request') this.request(e, m, m.protocol);
    else if (e.kind === 'response') this.response(e, m);
    else if (e.kind === 'gap') this.gap(m);
  }

  private queue(stream: number): OpenTx[] {
    let q = this.openOf(stream);
    if (!q) { q = []; this.open.set(stream, q); this.lastStream = stream; this.lastOpen = q; }
    return q;
  }

  /** A stream's open requests; the last stream's first (a request and its answers come in runs). */
  private openOf(stream: number): OpenTx[] | undefined {
    if (stream === this.lastStream) return this.lastOpen;
    const q = this.open.get(stream);
    if (q !== undefined) { this.lastStream = stream; this.lastOpen = q; }
    return q;
  }

  private request(e: Extract<AppEvent, { kind: 'request' }>, m: EventMeta, protocol: string): void {
    const tx: OpenTx = {
      seq: this.seq++, stream: m.stream, protocol, requestFrame: m.frame, reqSec: m.tsSec, reqNsec: m.tsNsec, responseFrame: null,
      lastResponseFrame: null, respSec: 0, respNsec: 0, statement: e.statement, params: e.params, status: 'ok',
      // (set by responses; present from the start so that every open request has one hidden class)
      errorCode: undefined, errorMessage: undefined, rows: undefined,
      reqBytes: m.bytes, respBytes: 0, key: e.key,
    };
    if (e.expectsResponse === false) this.finished(tx);
    else this.queue(m.stream).push(tx);
  }

  private response(e: Extract<AppEvent, { kind: 'response' }>, m: EventMeta): void {
    const q = this.openOf(m.stream);
    if (!q || !q.length) return; // an answer to a request before the capture started
    const i = e.key !== undefined ? q.findIndex((t) => t.key === e.key) : 0;
    if (i < 0) return;
    const tx = q[i]!;
    if (tx.responseFrame === null) { tx.responseFrame = m.frame; tx.respSec = m.tsSec; tx.respNsec = m.tsNsec; }
    tx.lastResponseFrame = m.frame;
    tx.respBytes += m.bytes;
    if (e.status === 'error') {
      tx.status = 'error';
      tx.errorCode ??= e.errorCode;
      tx.errorMessage ??= e.errorMessage;
    }
    if (e.rows !== undefined) tx.rows = e.rows;
    if (e.final) { q.splice(i, 1); this.finished(tx); }
  }

  /** Lost bytes: every open request of the stream may have lost its request or response bytes. */
  private gap(m: EventMeta): void {
    const q = this.openOf(m.stream);
    if (!q) return;
    for (const tx of q.splice(0)) { tx.status = 'damaged'; this.finished(tx); }
  }

  private finished(tx: OpenTx): void {
    const latency = txLatency(tx);
    this.done.pushRow(
      tx.stream, tx.protocol, tx.requestFrame, tx.responseFrame, tx.lastResponseFrame, txTime(tx), latency, statementOf(tx), tx.status,
      tx.errorCode, tx.errorMessage, tx.rows, tx.reqBytes, tx.respBytes,
    );
    if (this.stats) {
      const b = this.brief;
      b.requestFrame = tx.requestFrame;
      b.responseFrame = tx.responseFrame;
      b.latency = latency;
      b.status = tx.status;
      b.errorCode = tx.errorCode;
      b.errorMessage = tx.errorMessage;
      this.stats.add(tx.stream, tx.seq, b);
    }
    const row = this.done.length - 1;
    if (row === this.doneSeq.length) {
      const more = new Uint32Array(row * 2);
      more.set(this.doneSeq);
      this.doneSeq = more;
    }
    this.doneSeq[row] = tx.seq;
  }

  /** All transactions in request order, in columns; requests still open at the end are 'no-response'. */
  finishTable(): TransactionTable {
    for (const q of this.open.values()) {
      for (const tx of q.splice(0)) { if (tx.responseFrame === null) tx.status = 'no-response'; this.finished(tx); }
    }
    // Usually they finished in the order they were asked: then the table is already in order.
    const n = this.done.length, seq = this.doneSeq;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = seq[i - 1]! < seq[i]!;
    if (!sorted) this.done.sortBy(seq);
    return this.done;
  }

  /** All transactions in request order; requests still open at the end are 'no-response'. */
  finish(): Transaction[] {
    return this.finishTable().toArray();
  }

  /** The transactions so far, leaving open requests open (live capture): unanswered ones read as 'no-response' in the copy only. */
  snapshot(): Transaction[] {
    const rows: { seq: number; tx: Transaction }[] = [];
    for (let i = 0; i < this.done.length; i++) rows.push({ seq: this.doneSeq[i]!, tx: this.done.get(i) });
    for (const q of this.open.values()) {
      for (const t of q) rows.push({ seq: t.seq, tx: toTransaction(t.responseFrame === null ? { ...t, status: 'no-response' } : t) });
    }
    return rows.sort((a, b) => a.seq - b.seq).map((r) => r.tx);
  }
}

const statementOf = (t: OpenTx): string => (t.params?.length ? `${t.statement} [${t.params.join(', ')}]` : t.statement);

/**
 * Request time and latency in seconds, from whole nanoseconds as doubles: s × 1e9 is exact and the
 * sum rounds once, so these equal the BigInt computation (exact while a latency is under 104 days).
 */
const txTime = (t: OpenTx): number => (t.reqSec * 1e9 + t.reqNsec) / 1e9;
const txLatency = (t: OpenTx): number | null =>
  (t.responseFrame === null ? null : ((t.respSec - t.reqSec) * 1e9 + (t.respNsec - t.reqNsec)) / 1e9);

function toTransaction(t: OpenTx): Transaction {
  return {
    stream: t.stream, protocol: t.protocol, requestFrame: t.requestFrame, responseFrame: t.responseFrame,
    lastResponseFrame: t.lastResponseFrame, time: txTime(t), latency: txLatency(t),
    statement: statementOf(t), status: t.status, errorCode: t.errorCode, errorMessage: t.errorMessage, rows: t.rows,
    bytes: [t.reqBytes, t.respBytes],
  };
}
