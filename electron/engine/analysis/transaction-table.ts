/**
 * Transactions in columns: typed arrays and one text heap instead of an object (plus an array, a
 * property store and boxed numbers) per transaction — ~650 bytes each on the heap as objects, a
 * sixth of that here. A million-packet capture has hundreds of thousands of them. Objects are made
 * only when asked for (get / toArray), and a table crosses threads as transferable buffers.
 */
import type { Transaction } from '../../../shared/api/types';

const STATUSES = ['ok', 'error', 'no-response', 'damaged'] as const satisfies readonly Transaction['status'][];
const STATUS_CODE: Record<Transaction['status'], number> = { ok: 0, error: 1, 'no-response': 2, damaged: 3 };

/** What a connection's verdict reads of a transaction (no statement text to decode). */
export type TxBrief = Pick<Transaction, 'requestFrame' | 'responseFrame' | 'latency' | 'status' | 'errorCode' | 'errorMessage'>;

/** A table as plain data for postMessage (every typed array trimmed to `count`). */
export interface PackedTransactions {
  readonly count: number;
  readonly num: Float64Array;
  readonly small: Uint8Array;
  readonly text8: Uint8Array;
  readonly text16: Uint16Array;
  readonly protocols: readonly string[];
  readonly errors: readonly (readonly [number, string | undefined, string | undefined])[];
}

/** Number columns, NUM_COLS per row in one Float64Array (NaN stands for null / absent). */
const STREAM = 0, REQ = 1, RESP = 2, LAST = 3, TIME = 4, LATENCY = 5, ROWS = 6, REQ_BYTES = 7, RESP_BYTES = 8, TEXT_AT = 9, TEXT_LEN = 10;
const NUM_COLS = 11;
/** Byte columns, SMALL_COLS per row: status, protocol index, whether the statement is in text16. */
const STATUS = 0, PROTOCOL = 1, WIDE = 2;
const SMALL_COLS = 3;

/** A code unit past Latin-1: the statement goes to the two-byte heap. */
const WIDE_CHAR = /[^\u0000-\u00ff]/;

const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

export class TransactionTable {
  private num: Float64Array;
  private small: Uint8Array;
  private text8: Uint8Array;
  private text16: Uint16Array;
  private text8Buf: Buffer | null = null;
  private used8 = 0;
  private used16 = 0;
  private count = 0;
  private readonly protocols: string[];
  private readonly protocolIndex = new Map<string, number>();
  private readonly errors: Map<number, readonly [string | undefined, string | undefined]>;

  constructor(capacity = 1024, text8 = capacity * 64, text16 = 0) {
    this.num = new Float64Array(capacity * NUM_COLS);
    this.small = new Uint8Array(capacity * SMALL_COLS);
    this.text8 = new Uint8Array(text8);
    this.text16 = new Uint16Array(text16);
    this.protocols = [];
    this.errors = new Map();
  }

  get length(): number {
    return this.count;
  }

  static from(txs: Iterable<Transaction>): TransactionTable {
    const t = new TransactionTable();
    for (const x of txs) t.push(x);
    return t;
  }

  push(t: Transaction): void {
    this.pushRow(
      t.stream, t.protocol, t.requestFrame, t.responseFrame, t.lastResponseFrame, t.time, t.latency, t.statement, t.status,
      t.errorCode, t.errorMessage, t.rows, t.bytes[0], t.bytes[1],
    );
  }

  /** push() without a Transaction object (the tracker's path: one per finished request). */
  pushRow(
    stream: number, protocol: string, requestFrame: number, responseFrame: number | null, lastResponseFrame: number | null,
    time: number, latency: number | null, statement: string, status: Transaction['status'], errorCode: string | undefined,
    errorMessage: string | undefined, rows: number | undefined, reqBytes: number, respBytes: number,
  ): void {
    const i = this.newRow();
    const n = i * NUM_COLS, s = i * SMALL_COLS;
    const num = this.num;
    num[n + STREAM] = stream;
    num[n + REQ] = requestFrame;
    num[n + RESP] = orNaN(responseFrame);
    num[n + LAST] = orNaN(lastResponseFrame);
    num[n + TIME] = time;
    num[n + LATENCY] = orNaN(latency);
    num[n + ROWS] = orNaN(rows);
    num[n + REQ_BYTES] = reqBytes;
    num[n + RESP_BYTES] = respBytes;
    this.small[s + STATUS] = STATUS_CODE[status];
    this.small[s + PROTOCOL] = this.protocolOf(protocol);
    this.storeText(i, statement);
    if (errorCode !== undefined || errorMessage !== undefined) this.errors.set(i, [errorCode, errorMessage]);
  }

  /** Appends row `i` of `src` column by column (no object, no text decoding), with `stream` as its stream. */
  private copyRow(src: TransactionTable, i: number, stream: number): void {
    const r = this.newRow();
    const n = r * NUM_COLS, s = r * SMALL_COLS;
    this.num.set(src.num.subarray(i * NUM_COLS, (i + 1) * NUM_COLS), n);
    this.num[n + STREAM] = stream;
    this.small.set(src.small.subarray(i * SMALL_COLS, (i + 1) * SMALL_COLS), s);
    this.small[s + PROTOCOL] = this.protocolOf(src.protocols[src.small[i * SMALL_COLS + PROTOCOL]!]!);
    const at = src.num[i * NUM_COLS + TEXT_AT]!, len = src.num[i * NUM_COLS + TEXT_LEN]!;
    if (src.small[i * SMALL_COLS + WIDE]) {
      this.num[n + TEXT_AT] = this.reserveWide(len);
      this.text16.set(src.text16.subarray(at, at + len), this.num[n + TEXT_AT]);
    } else {
      this.num[n + TEXT_AT] = this.reserveNarrow(len);
      this.text8.set(src.text8.subarray(at, at + len), this.num[n + TEXT_AT]);
    }
    const err = src.errors.get(i);
    if (err) this.errors.set(r, err);
  }

  /** Index of a new row at the end, with room for it. */
  private newRow(): number {
    const i = this.count++;
    if ((i + 1) * NUM_COLS > this.num.length) {
      this.num = grow(this.num, (i + 1) * NUM_COLS * 2);
      this.small = grow(this.small, (i + 1) * SMALL_COLS * 2);
    }
    return i;
  }

  stream(i: number): number {
    return this.num[i * NUM_COLS + STREAM]!;
  }

  requestFrame(i: number): number {
    return this.num[i * NUM_COLS + REQ]!;
  }

  get(i: number): Transaction {
    if (i < 0 || i >= this.count) throw new RangeError(`no transaction ${i} (the table has ${this.count})`);
    const n = i * NUM_COLS, s = i * SMALL_COLS;
    const err = this.errors.get(i);
    const rows = this.num[n + ROWS]!;
    return {
      stream: this.num[n + STREAM]!, protocol: this.protocols[this.small[s + PROTOCOL]!]!, requestFrame: this.num[n + REQ]!,
      responseFrame: orNull(this.num[n + RESP]!), lastResponseFrame: orNull(this.num[n + LAST]!), time: this.num[n + TIME]!,
      latency: orNull(this.num[n + LATENCY]!), statement: this.text(i), status: STATUSES[this.small[s + STATUS]!]!,
      errorCode: err?.[0], errorMessage: err?.[1], rows: Number.isNaN(rows) ? undefined : rows,
      bytes: [this.num[n + REQ_BYTES]!, this.num[n + RESP_BYTES]!],
    };
  }

  brief(i: number): TxBrief {
    const n = i * NUM_COLS;
    const err = this.errors.get(i);
    return {
      requestFrame: this.num[n + REQ]!, responseFrame: orNull(this.num[n + RESP]!), latency: orNull(this.num[n + LATENCY]!),
      status: STATUSES[this.small[i * SMALL_COLS + STATUS]!]!, errorCode: err?.[0], errorMessage: err?.[1],
    };
  }

  toArray(): Transaction[] {
    const out = new Array<Transaction>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.get(i);
    return out;
  }

  /** Row indices of each stream, in table order. */
  byStream(): Map<number, number[]> {
    const m = new Map<number, number[]>();
    for (let i = 0; i < this.count; i++) {
      const st = this.stream(i);
      let l = m.get(st);
      if (!l) { l = []; m.set(st, l); }
      l.push(i);
    }
    return m;
  }

  /** A new table with the rows in `order` (row indices of this one). */
  permute(order: ArrayLike<number>): TransactionTable {
    const t = new TransactionTable(Math.max(1, order.length), this.used8, this.used16);
    for (let k = 0; k < order.length; k++) t.copyRow(this, order[k]!, this.stream(order[k]!));
    return t;
  }

  /**
   * The rows of several tables, each already in request-frame order, as one table in request-frame
   * order (ties keep the earlier table's row first, as a stable sort of their concatenation);
   * `renumber(table, stream)` maps each row's stream.
   */
  static merge(tables: readonly TransactionTable[], renumber: (table: number, stream: number) => number): TransactionTable {
    const sum = (f: (t: TransactionTable) => number) => tables.reduce((a, t) => a + f(t), 0);
    const out = new TransactionTable(Math.max(1, sum((t) => t.count)), sum((t) => t.used8), sum((t) => t.used16));
    const at = tables.map(() => 0);
    for (;;) {
      let best = -1;
      for (let k = 0; k < tables.length; k++) {
        if (at[k]! < tables[k]!.count && (best < 0 || tables[k]!.requestFrame(at[k]!) < tables[best]!.requestFrame(at[best]!))) best = k;
      }
      if (best < 0) return out;
      const src = tables[best]!, i = at[best]!++;
      out.copyRow(src, i, renumber(best, src.stream(i)));
    }
  }

  /**
   * The table as plain data: views of its own arrays, not copies (a copy of a worker's table, beside
   * the table, was the largest thing in a worker at the end of the pass). The table must not be
   * added to afterwards, and transferring the buffers hands it over.
   */
  pack(): PackedTransactions {
    return {
      count: this.count, num: this.num.subarray(0, this.count * NUM_COLS), small: this.small.subarray(0, this.count * SMALL_COLS),
      text8: this.text8.subarray(0, this.used8), text16: this.text16.subarray(0, this.used16), protocols: [...this.protocols],
      errors: [...this.errors].map(([i, [code, message]]) => [i, code, message] as const),
    };
  }

  /** Buffers of a packed table, for postMessage's transfer list (with any room the table had left). */
  static transfer(p: PackedTransactions): ArrayBuffer[] {
    return [p.num, p.small, p.text8, p.text16].map((a) => a.buffer as ArrayBuffer);
  }

  static unpack(p: PackedTransactions): TransactionTable {
    const t = new TransactionTable(0);
    t.num = p.num;
    t.small = p.small;
    t.text8 = p.text8;
    t.text16 = p.text16;
    t.used8 = p.text8.length;
    t.used16 = p.text16.length;
    t.count = p.count;
    p.protocols.forEach((name, i) => { t.protocols.push(name); t.protocolIndex.set(name, i); });
    for (const [i, code, message] of p.errors) t.errors.set(i, [code, message]);
    return t;
  }

  private protocolOf(name: string): number {
    let k = this.protocolIndex.get(name);
    if (k === undefined) {
      if (this.protocols.length >= 256) throw new RangeError('more than 256 transaction protocols');
      k = this.protocols.length;
      this.protocols.push(name);
      this.protocolIndex.set(name, k);
    }
    return k;
  }

  /** Statements as code units: one byte each when they all fit (almost always), else two. */
  private storeText(i: number, text: string): void {
    const n = i * NUM_COLS;
    const wide = WIDE_CHAR.test(text);
    const at = wide ? this.reserveWide(text.length) : this.reserveNarrow(text.length);
    if (wide) for (let k = 0; k < text.length; k++) this.text16[at + k] = text.charCodeAt(k);
    else if (text.length) this.text8Writer().write(text, at, 'latin1');
    this.num[n + TEXT_AT] = at;
    this.num[n + TEXT_LEN] = text.length;
    this.small[i * SMALL_COLS + WIDE] = wide ? 1 : 0;
  }

  /** A Buffer over text8 for its native latin1 write, made again only when text8 was replaced. */
  private text8Writer(): Buffer {
    if (this.text8Buf?.buffer !== this.text8.buffer) this.text8Buf = Buffer.from(this.text8.buffer, this.text8.byteOffset, this.text8.length);
    return this.text8Buf;
  }

  /** Room for `len` one-byte code units at the end of the text heap; returns where it starts. */
  private reserveNarrow(len: number): number {
    if (this.used8 + len > this.text8.length) this.text8 = grow(this.text8, (this.used8 + len) * 2);
    this.used8 += len;
    return this.used8 - len;
  }

  private reserveWide(len: number): number {
    if (this.used16 + len > this.text16.length) this.text16 = grow(this.text16, (this.used16 + len) * 2);
    this.used16 += len;
    return this.used16 - len;
  }

  private text(i: number): string {
    const at = this.num[i * NUM_COLS + TEXT_AT]!, len = this.num[i * NUM_COLS + TEXT_LEN]!;
    // Buffer's latin1 and utf16le decoders map code units one to one (TextDecoder's "latin1" is
    // windows-1252), so every statement comes back exactly, lone surrogates included.
    if (this.small[i * SMALL_COLS + WIDE]) return Buffer.from(this.text16.buffer, this.text16.byteOffset + at * 2, len * 2).toString('utf16le');
    return Buffer.from(this.text8.buffer, this.text8.byteOffset + at, len).toString('latin1');
  }
}

function grow<T extends Float64Array | Uint8Array | Uint16Array>(a: T, min: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(min, 16));
  out.set(a);
  return out;
}
