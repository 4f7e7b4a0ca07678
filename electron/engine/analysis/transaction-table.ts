/**
 * Transactions in columns: typed arrays and text slabs instead of an object (plus an array, a
 * property store and boxed numbers) per transaction — ~650 bytes each on the heap as objects, a
 * sixth of that here. A million-packet capture has hundreds of thousands of them. Objects are made
 * only when asked for (get / toArray), and a table crosses threads as transferable buffers.
 * Rows live in fixed chunks and texts in fixed slabs: growing never copies (nor leaves a doubled
 * array behind), and putting tables together (request order, the shards' tables) is an index of
 * rows, never a copy of them.
 */
import type { Transaction } from '../../../shared/api/types';

const STATUSES = ['ok', 'error', 'no-response', 'damaged'] as const satisfies readonly Transaction['status'][];
const STATUS_CODE: Record<Transaction['status'], number> = { ok: 0, error: 1, 'no-response': 2, damaged: 3 };

/** What a connection's verdict reads of a transaction (no statement text to decode). */
export type TxBrief = Pick<Transaction, 'requestFrame' | 'responseFrame' | 'latency' | 'status' | 'errorCode' | 'errorMessage'>;

/** A table as plain data for postMessage (chunks and slabs as they are: transferring hands them over). */
export interface PackedTransactions {
  readonly count: number;
  readonly num: readonly Float64Array[];
  readonly small: readonly Uint8Array[];
  readonly text8: readonly Uint8Array[];
  readonly text16: readonly Uint16Array[];
  /** Logical row → stored row, when rows were stored out of request order. */
  readonly order: Uint32Array | null;
  readonly protocols: readonly string[];
  readonly errors: readonly (readonly [number, string | undefined, string | undefined])[];
}

/** Number columns, NUM_COLS per row (NaN stands for null / absent). TEXT_AT is slab × 2^32 + offset. */
const STREAM = 0, REQ = 1, RESP = 2, LAST = 3, TIME = 4, LATENCY = 5, ROWS = 6, REQ_BYTES = 7, RESP_BYTES = 8, TEXT_AT = 9, TEXT_LEN = 10;
const NUM_COLS = 11;
/** Byte columns, SMALL_COLS per row: status, protocol index, whether the statement is in text16. */
const STATUS = 0, PROTOCOL = 1, WIDE = 2;
const SMALL_COLS = 3;
/** Rows per chunk. */
const ROW_BITS = 12;
const ROW_CHUNK = 1 << ROW_BITS;
const ROW_MASK = ROW_CHUNK - 1;
/** Code units per text slab (a longer statement gets a slab of its own). */
const SLAB = 1 << 20;
const SLAB_SHIFT = 2 ** 32;

/** A code unit past Latin-1: the statement goes to the two-byte slabs. */
const WIDE_CHAR = /[^\u0000-\u00ff]/;

const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** What readers of transactions need: one shard's table, or the shards' tables merged. */
export abstract class TransactionRows {
  abstract get length(): number;
  abstract get(i: number): Transaction;
  abstract brief(i: number): TxBrief;
  abstract stream(i: number): number;
  abstract requestFrame(i: number): number;

  toArray(): Transaction[] {
    const out = new Array<Transaction>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Row indices of each stream, in table order. */
  byStream(): Map<number, number[]> {
    const m = new Map<number, number[]>();
    for (let i = 0, n = this.length; i < n; i++) {
      const st = this.stream(i);
      let l = m.get(st);
      if (!l) { l = []; m.set(st, l); }
      l.push(i);
    }
    return m;
  }

  protected checkRow(i: number): void {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`no transaction ${i} (the table has ${this.length})`);
  }
}

export class TransactionTable extends TransactionRows {
  private num: Float64Array[] = [];
  private small: Uint8Array[] = [];
  private text8: Uint8Array[] = [];
  private text16: Uint16Array[] = [];
  private text8Buf: Buffer | null = null;
  private used8 = SLAB;
  private used16 = SLAB;
  private count = 0;
  private order: Uint32Array | null = null;
  private readonly protocols: string[] = [];
  private readonly protocolIndex = new Map<string, number>();
  private readonly errors = new Map<number, readonly [string | undefined, string | undefined]>();

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
    if (this.order) throw new Error('rows were put in order: the table is final');
    const i = this.count++;
    const c = i >>> ROW_BITS;
    if (c === this.num.length) {
      this.num.push(new Float64Array(ROW_CHUNK * NUM_COLS));
      this.small.push(new Uint8Array(ROW_CHUNK * SMALL_COLS));
    }
    const num = this.num[c]!, small = this.small[c]!;
    const n = (i & ROW_MASK) * NUM_COLS, s = (i & ROW_MASK) * SMALL_COLS;
    num[n + STREAM] = stream;
    num[n + REQ] = requestFrame;
    num[n + RESP] = orNaN(responseFrame);
    num[n + LAST] = orNaN(lastResponseFrame);
    num[n + TIME] = time;
    num[n + LATENCY] = orNaN(latency);
    num[n + ROWS] = orNaN(rows);
    num[n + REQ_BYTES] = reqBytes;
    num[n + RESP_BYTES] = respBytes;
    small[s + STATUS] = STATUS_CODE[status];
    small[s + PROTOCOL] = this.protocolOf(protocol);
    const wide = WIDE_CHAR.test(statement);
    small[s + WIDE] = wide ? 1 : 0;
    num[n + TEXT_AT] = wide ? this.storeWide(statement) : this.storeNarrow(statement);
    num[n + TEXT_LEN] = statement.length;
    if (errorCode !== undefined || errorMessage !== undefined) this.errors.set(i, [errorCode, errorMessage]);
  }

  /**
   * Puts the rows in the order of `key` (ascending; a row's key is its request order): an index of
   * rows, not a copy. The table is final afterwards.
   */
  sortBy(key: ArrayLike<number>): void {
    const order = new Uint32Array(this.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => key[a]! - key[b]!);
    this.order = order;
  }

  /** The stored row of logical row i. */
  private at(i: number): number {
    return this.order ? this.order[i]! : i;
  }

  private numOf(r: number, col: number): number {
    return this.num[r >>> ROW_BITS]![(r & ROW_MASK) * NUM_COLS + col]!;
  }

  private smallOf(r: number, col: number): number {
    return this.small[r >>> ROW_BITS]![(r & ROW_MASK) * SMALL_COLS + col]!;
  }

  stream(i: number): number {
    return this.numOf(this.at(i), STREAM);
  }

  requestFrame(i: number): number {
    return this.numOf(this.at(i), REQ);
  }

  /** Row i; `stream` replaces the stored stream number. */
  get(i: number, stream?: number): Transaction {
    this.checkRow(i);
    const r = this.at(i);
    const err = this.errors.get(r);
    const rows = this.numOf(r, ROWS);
    return {
      stream: stream ?? this.numOf(r, STREAM), protocol: this.protocols[this.smallOf(r, PROTOCOL)]!, requestFrame: this.numOf(r, REQ),
      responseFrame: orNull(this.numOf(r, RESP)), lastResponseFrame: orNull(this.numOf(r, LAST)), time: this.numOf(r, TIME),
      latency: orNull(this.numOf(r, LATENCY)), statement: this.text(r), status: STATUSES[this.smallOf(r, STATUS)]!,
      errorCode: err?.[0], errorMessage: err?.[1], rows: Number.isNaN(rows) ? undefined : rows,
      bytes: [this.numOf(r, REQ_BYTES), this.numOf(r, RESP_BYTES)],
    };
  }

  brief(i: number): TxBrief {
    this.checkRow(i);
    const r = this.at(i);
    const err = this.errors.get(r);
    return {
      requestFrame: this.numOf(r, REQ), responseFrame: orNull(this.numOf(r, RESP)), latency: orNull(this.numOf(r, LATENCY)),
      status: STATUSES[this.smallOf(r, STATUS)]!, errorCode: err?.[0], errorMessage: err?.[1],
    };
  }

  /**
   * The rows of several tables, each already in request-frame order, as one view in request-frame
   * order (ties keep the earlier table's row first, as a stable sort of their concatenation);
   * `renumber(table, stream)` maps each row's stream. The tables are shared, not copied.
   */
  static merge(tables: readonly TransactionTable[], renumber: (table: number, stream: number) => number): MergedTransactions {
    return new MergedTransactions(tables, renumber);
  }

  /** The table as plain data: its own chunks and slabs, not copies; transferring them hands the table over. */
  pack(): PackedTransactions {
    return {
      count: this.count, num: [...this.num], small: [...this.small], text8: [...this.text8], text16: [...this.text16], order: this.order,
      protocols: [...this.protocols], errors: [...this.errors].map(([i, [code, message]]) => [i, code, message] as const),
    };
  }

  /** Buffers of a packed table, for postMessage's transfer list. */
  static transfer(p: PackedTransactions): ArrayBuffer[] {
    const arrays: ArrayBufferView[] = [...p.num, ...p.small, ...p.text8, ...p.text16];
    if (p.order) arrays.push(p.order);
    return arrays.map((a) => a.buffer as ArrayBuffer);
  }

  static unpack(p: PackedTransactions): TransactionTable {
    const t = new TransactionTable();
    t.num = [...p.num];
    t.small = [...p.small];
    t.text8 = [...p.text8];
    t.text16 = [...p.text16];
    t.count = p.count;
    t.order = p.order;
    // Nothing is appended to an unpacked table's slabs: new text starts a slab of its own.
    t.used8 = SLAB;
    t.used16 = SLAB;
    p.protocols.forEach((name, i) => { t.protocols.push(name); t.protocolIndex.set(name, i); });
    for (const [i, code, message] of p.errors) t.errors.set(i, [code, message]);
    return t;
  }

  /** Resident bytes of the rows and texts. */
  get bytes(): number {
    const sum = (xs: readonly ArrayBufferView[]) => xs.reduce((n, x) => n + x.byteLength, 0);
    return sum(this.num) + sum(this.small) + sum(this.text8) + sum(this.text16) + (this.order?.byteLength ?? 0);
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

  /** A statement of one-byte code units (almost all): written natively as latin1 into the current slab. */
  private storeNarrow(text: string): number {
    const len = text.length;
    if (len === 0) return 0; // (no slab: there may be none yet)
    if (this.used8 + len > SLAB) {
      this.text8.push(new Uint8Array(Math.max(SLAB, len)));
      this.text8Buf = null;
      this.used8 = 0;
    }
    const slab = this.text8.length - 1, at = this.used8;
    if (len) {
      this.text8Buf ??= Buffer.from(this.text8[slab]!.buffer, this.text8[slab]!.byteOffset, this.text8[slab]!.length);
      this.text8Buf.write(text, at, 'latin1');
    }
    this.used8 += len;
    return slab * SLAB_SHIFT + at;
  }

  private storeWide(text: string): number {
    const len = text.length;
    if (len === 0) return 0;
    if (this.used16 + len > SLAB) {
      this.text16.push(new Uint16Array(Math.max(SLAB, len)));
      this.used16 = 0;
    }
    const slab = this.text16[this.text16.length - 1]!, at = this.used16;
    for (let k = 0; k < len; k++) slab[at + k] = text.charCodeAt(k);
    this.used16 += len;
    return (this.text16.length - 1) * SLAB_SHIFT + at;
  }

  private text(r: number): string {
    const where = this.numOf(r, TEXT_AT), len = this.numOf(r, TEXT_LEN);
    if (len === 0) return '';
    const slab = Math.floor(where / SLAB_SHIFT), at = where % SLAB_SHIFT;
    // Buffer's latin1 and utf16le decoders map code units one to one (TextDecoder's "latin1" is
    // windows-1252), so every statement comes back exactly, lone surrogates included.
    if (this.smallOf(r, WIDE)) {
      const a = this.text16[slab]!;
      return Buffer.from(a.buffer, a.byteOffset + at * 2, len * 2).toString('utf16le');
    }
    const a = this.text8[slab]!;
    return Buffer.from(a.buffer, a.byteOffset + at, len).toString('latin1');
  }
}

/** The shards' tables as one, in request-frame order: an index of (table, row), 5 bytes a row. */
export class MergedTransactions extends TransactionRows {
  private readonly part: Uint8Array;
  private readonly row: Uint32Array;

  constructor(private readonly tables: readonly TransactionTable[], private readonly renumber: (table: number, stream: number) => number) {
    super();
    if (tables.length > 256) throw new RangeError('more than 256 transaction tables');
    const n = tables.reduce((a, t) => a + t.length, 0);
    this.part = new Uint8Array(n);
    this.row = new Uint32Array(n);
    const at = tables.map(() => 0);
    for (let k = 0; k < n; k++) {
      let best = -1;
      for (let p = 0; p < tables.length; p++) {
        if (at[p]! < tables[p]!.length && (best < 0 || tables[p]!.requestFrame(at[p]!) < tables[best]!.requestFrame(at[best]!))) best = p;
      }
      this.part[k] = best;
      this.row[k] = at[best]!++;
    }
  }

  get length(): number {
    return this.row.length;
  }

  get(i: number): Transaction {
    this.checkRow(i);
    const t = this.tables[this.part[i]!]!, r = this.row[i]!;
    return t.get(r, this.renumber(this.part[i]!, t.stream(r)));
  }

  brief(i: number): TxBrief {
    this.checkRow(i);
    return this.tables[this.part[i]!]!.brief(this.row[i]!);
  }

  stream(i: number): number {
    return this.renumber(this.part[i]!, this.tables[this.part[i]!]!.stream(this.row[i]!));
  }

  requestFrame(i: number): number {
    return this.tables[this.part[i]!]!.requestFrame(this.row[i]!);
  }
}
