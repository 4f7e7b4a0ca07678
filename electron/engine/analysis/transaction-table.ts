/**
 * Transactions in columns: typed arrays and text slabs instead of an object (plus an array, a
 * property store and boxed numbers) per transaction — ~650 bytes each on the heap as objects, a
 * sixth of that here. A million-packet capture has hundreds of thousands of them. Objects are made
 * only when asked for (get / toArray), and a table crosses threads as transferable buffers.
 * Rows live in fixed chunks and texts in fixed slabs: growing never copies (nor leaves a doubled
 * array behind), and putting tables together (request order, the shards' tables) is an index of
 * rows, never a copy of them. A pass worker hands each finished part of its table to the session
 * as it goes (`ship`), keeping none of it (its connections' verdicts read TxStats); the session's
 * copy goes to the spill file.
 */
import type { Transaction } from '../../../shared/api/types';
import { SpillableArrays, type Spill } from '../store/spill';
import type { Mutable } from '../mutable';
import { copyCodeUnits } from '../code-units';

const STATUSES = ['ok', 'error', 'no-response', 'damaged'] as const satisfies readonly Transaction['status'][];
const STATUS_CODE: Record<Transaction['status'], number> = { ok: 0, error: 1, 'no-response': 2, damaged: 3 };

/** What a connection's verdict reads of a transaction (no statement text to decode). */
export type TxBrief = Pick<Transaction, 'requestFrame' | 'responseFrame' | 'latency' | 'status' | 'errorCode' | 'errorMessage'>;
export type MutableTxBrief = Mutable<TxBrief>;

/** A brief to fill (see TransactionRows.briefInto). */
export function blankBrief(): MutableTxBrief {
  return { requestFrame: 0, responseFrame: null, latency: null, status: 'ok', errorCode: undefined, errorMessage: undefined };
}

/** A finished part of a table a pass worker hands over as it goes: a chunk of rows of one column family, or a full text slab. */
export type TxShipment =
  | { readonly part: 'brief'; readonly index: number; readonly array: Uint32Array }
  | { readonly part: 'small'; readonly index: number; readonly array: Uint8Array }
  | { readonly part: 'rest'; readonly index: number; readonly array: Float64Array }
  | { readonly part: 'text8'; readonly index: number; readonly array: Uint8Array }
  | { readonly part: 'text16'; readonly index: number; readonly array: Uint16Array };

/** A table as plain data for postMessage (chunks and slabs as they are: transferring hands them over). */
export interface PackedTransactions {
  readonly count: number;
  /** null: handed over already, as a TxShipment. */
  readonly brief: readonly (Uint32Array | null)[];
  readonly small: readonly (Uint8Array | null)[];
  readonly rest: readonly (Float64Array | null)[];
  readonly text8: readonly (Uint8Array | null)[];
  readonly text16: readonly (Uint16Array | null)[];
  /** Logical row → stored row, when rows were stored out of request order. */
  readonly order: Uint32Array | null;
  readonly protocols: readonly string[];
  readonly errors: readonly (readonly [number, string | undefined, string | undefined])[];
}

/**
 * Number columns in two chunk families: brief ones (what a connection's verdict reads) and the
 * rest. NaN stands for null / absent; TEXT_AT is slab × 2^32 + offset.
 */
const STREAM = 0, REQ = 1, RESP = 2, LATENCY = 3;
/**
 * Brief columns are 32-bit words (20 bytes a row, not 32): stream, request frame, response frame
 * (0: none; frames count from 1), and the latency's float64 as two words.
 */
const BRIEF_COLS = 5;
const F64_WORDS = new Float64Array(1);
const WORDS = new Uint32Array(F64_WORDS.buffer);
const LAST = 0, TIME = 1, ROWS = 2, REQ_BYTES = 3, RESP_BYTES = 4, TEXT_AT = 5, TEXT_LEN = 6;
const REST_COLS = 7;
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

const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

type Part = Float64Array | Uint32Array | Uint8Array | Uint16Array;
const f64 = (n: number) => new Float64Array(n);
const u8 = (n: number) => new Uint8Array(n);
const u32 = (n: number) => new Uint32Array(n);
const u16 = (n: number) => new Uint16Array(n);

/** What readers of transactions need: one shard's table, or the shards' tables merged. */
export abstract class TransactionRows {
  abstract get length(): number;
  abstract get(i: number): Transaction;
  /** Row i's brief, written into `out` (readers of many rows reuse one object per position). */
  abstract briefInto(i: number, out: MutableTxBrief): MutableTxBrief;
  brief(i: number): TxBrief {
    return this.briefInto(i, blankBrief());
  }
  abstract stream(i: number): number;
  abstract requestFrame(i: number): number;

  toArray(): Transaction[] {
    const out = new Array<Transaction>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Row indices of each stream, in table order. */
  /**
   * Row indexes by stream, each in row order: views of one typed array (a counting sort), not a
   * list of numbers per stream — a pass worker groups hundreds of thousands of rows this way.
   */
  byStream(): Map<number, Uint32Array> {
    const n = this.length;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) { const st = this.stream(i); counts.set(st, (counts.get(st) ?? 0) + 1); }
    const all = new Uint32Array(n);
    const out = new Map<number, Uint32Array>();
    const fill = new Map<number, number>();
    let at = 0;
    for (const [st, c] of counts) { out.set(st, all.subarray(at, at + c)); fill.set(st, at); at += c; }
    for (let i = 0; i < n; i++) { const st = this.stream(i); const k = fill.get(st)!; all[k] = i; fill.set(st, k + 1); }
    return out;
  }

  protected checkRow(i: number): void {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`no transaction ${i} (the table has ${this.length})`);
  }
}

/** The parts a pass worker handed over, as they arrive: to the spill at once (see unpack). */
export class ShippedTransactions {
  readonly briefs: SpillableArrays<Uint32Array>;
  readonly small: SpillableArrays<Uint8Array>;
  readonly rest: SpillableArrays<Float64Array>;
  readonly text8: SpillableArrays<Uint8Array>;
  readonly text16: SpillableArrays<Uint16Array>;

  constructor(spill: Spill | null) {
    this.briefs = new SpillableArrays(spill, u32);
    this.small = new SpillableArrays(spill, u8);
    this.rest = new SpillableArrays(spill, f64);
    this.text8 = new SpillableArrays(spill, u8);
    this.text16 = new SpillableArrays(spill, u16);
  }

  receive(s: TxShipment): void {
    if (s.part === 'brief') appendFinal(this.briefs, s.index, s.array);
    else if (s.part === 'small') appendFinal(this.small, s.index, s.array);
    else if (s.part === 'rest') appendFinal(this.rest, s.index, s.array);
    else if (s.part === 'text8') appendFinal(this.text8, s.index, s.array);
    else appendFinal(this.text16, s.index, s.array);
  }
}

/** A worker's part goes to the spill file and is not kept: reading transactions loads it back. */
function appendFinal<T extends Part>(list: SpillableArrays<T>, index: number, a: T): void {
  if (index !== list.length) throw new Error(`transaction part ${index} arrived out of order (expected ${list.length})`);
  list.pushSpilled(a);
}

/** Appends `from` past what `into` has (handed-over entries are null there), and seals all: the table is final. */
function appendRest<T extends Part>(into: SpillableArrays<T>, from: readonly (T | null)[]): SpillableArrays<T> {
  for (let k = into.length; k < from.length; k++) {
    const a = from[k];
    if (!a) throw new Error(`transaction part ${k} was handed over but never arrived`);
    into.push(a);
  }
  into.seal(into.length);
  return into;
}

export class TransactionTable extends TransactionRows {
  private briefs: SpillableArrays<Uint32Array>;
  private rest: SpillableArrays<Float64Array>;
  private small: SpillableArrays<Uint8Array>;
  private text8: SpillableArrays<Uint8Array>;
  private text16: SpillableArrays<Uint16Array>;
  private used8 = SLAB;
  private used16 = SLAB;
  private count = 0;
  private order: Uint32Array | null = null;
  private readonly protocols: string[] = [];
  private readonly errors = new Map<number, readonly [string | undefined, string | undefined]>();

  /**
   * `spill`: where a final table's parts go (the session's). `ship`: hands each finished part over
   * as soon as it is (a pass worker's table): the table then holds only its newest rows, and reads
   * only those (a pass worker's connection report reads TxStats instead: 8 bytes a transaction
   * where keeping the brief columns cost 23, held to the end of the pass).
   */
  constructor(spill: Spill | null = null, private readonly ship?: (s: TxShipment) => void) {
    super();
    this.briefs = new SpillableArrays(spill, u32);
    this.rest = new SpillableArrays(spill, f64);
    this.small = new SpillableArrays(spill, u8);
    this.text8 = new SpillableArrays(spill, u8);
    this.text16 = new SpillableArrays(spill, u16);
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
    if (this.order) throw new Error('rows were put in order: the table is final');
    const i = this.count++;
    const c = i >>> ROW_BITS;
    if (c === this.briefs.length) {
      if (c > 0 && this.ship) {
        this.handOver('brief', this.briefs, c - 1);
        this.handOver('small', this.small, c - 1);
        this.handOver('rest', this.rest, c - 1);
      }
      this.briefs.push(new Uint32Array(ROW_CHUNK * BRIEF_COLS));
      this.rest.push(new Float64Array(ROW_CHUNK * REST_COLS));
      this.small.push(new Uint8Array(ROW_CHUNK * SMALL_COLS));
    }
    const brief = this.briefs.items[c]!, rest = this.rest.items[c]!, small = this.small.items[c]!;
    const b = (i & ROW_MASK) * BRIEF_COLS, n = (i & ROW_MASK) * REST_COLS, s = (i & ROW_MASK) * SMALL_COLS;
    brief[b + STREAM] = stream;
    brief[b + REQ] = requestFrame;
    brief[b + RESP] = responseFrame ?? 0;
    F64_WORDS[0] = orNaN(latency);
    brief[b + LATENCY] = WORDS[0]!;
    brief[b + LATENCY + 1] = WORDS[1]!;
    rest[n + LAST] = orNaN(lastResponseFrame);
    rest[n + TIME] = time;
    rest[n + ROWS] = orNaN(rows);
    rest[n + REQ_BYTES] = reqBytes;
    rest[n + RESP_BYTES] = respBytes;
    small[s + STATUS] = STATUS_CODE[status];
    small[s + PROTOCOL] = this.protocolOf(protocol);
    // A statement with a code unit past Latin-1 goes to the two-byte slabs.
    const narrowAt = this.storeNarrow(statement);
    small[s + WIDE] = narrowAt < 0 ? 1 : 0;
    rest[n + TEXT_AT] = narrowAt < 0 ? this.storeWide(statement) : narrowAt;
    rest[n + TEXT_LEN] = statement.length;
    if (errorCode !== undefined || errorMessage !== undefined) this.errors.set(i, [errorCode, errorMessage]);
  }

  private handOver<T extends Part>(part: TxShipment['part'], list: SpillableArrays<T>, k: number): void {
    this.ship!({ part, index: k, array: list.items[k]! } as TxShipment);
    list.drop(k);
  }

  /**
   * Puts the rows in the order of `key` (ascending; a row's key is its request order): an index of
   * rows, not a copy. The table is final afterwards.
   */
  sortBy(key: ArrayLike<number>): void {
    this.order = permutationOrder(key, this.count) ?? sortedOrder(key, this.count);
  }

  /** The stored row of logical row i. */
  private at(i: number): number {
    return this.order ? this.order[i]! : i;
  }

  private briefOf(r: number, col: typeof STREAM | typeof REQ): number {
    return this.briefs.use(r >>> ROW_BITS)[(r & ROW_MASK) * BRIEF_COLS + col]!;
  }

  private responseFrameOf(r: number): number | null {
    const v = this.briefs.use(r >>> ROW_BITS)[(r & ROW_MASK) * BRIEF_COLS + RESP]!;
    return v === 0 ? null : v;
  }

  private latencyOf(r: number): number | null {
    const a = this.briefs.use(r >>> ROW_BITS), at = (r & ROW_MASK) * BRIEF_COLS + LATENCY;
    WORDS[0] = a[at]!;
    WORDS[1] = a[at + 1]!;
    return orNull(F64_WORDS[0]!);
  }

  private restOf(r: number, col: number): number {
    return this.rest.use(r >>> ROW_BITS)[(r & ROW_MASK) * REST_COLS + col]!;
  }

  private smallOf(r: number, col: number): number {
    return this.small.use(r >>> ROW_BITS)[(r & ROW_MASK) * SMALL_COLS + col]!;
  }

  stream(i: number): number {
    return this.briefOf(this.at(i), STREAM);
  }

  requestFrame(i: number): number {
    return this.briefOf(this.at(i), REQ);
  }

  /** Row i; `stream` replaces the stored stream number. */
  get(i: number, stream?: number): Transaction {
    this.checkRow(i);
    const r = this.at(i);
    const err = this.errors.get(r);
    const rows = this.restOf(r, ROWS);
    return {
      stream: stream ?? this.briefOf(r, STREAM), protocol: this.protocols[this.smallOf(r, PROTOCOL)]!, requestFrame: this.briefOf(r, REQ),
      responseFrame: this.responseFrameOf(r), lastResponseFrame: orNull(this.restOf(r, LAST)), time: this.restOf(r, TIME),
      latency: this.latencyOf(r), statement: this.text(r), status: STATUSES[this.smallOf(r, STATUS)]!,
      errorCode: err?.[0], errorMessage: err?.[1], rows: Number.isNaN(rows) ? undefined : rows,
      bytes: [this.restOf(r, REQ_BYTES), this.restOf(r, RESP_BYTES)],
    };
  }

  briefInto(i: number, out: MutableTxBrief): MutableTxBrief {
    this.checkRow(i);
    const r = this.at(i);
    const err = this.errors.get(r);
    out.requestFrame = this.briefOf(r, REQ);
    out.responseFrame = this.responseFrameOf(r);
    out.latency = this.latencyOf(r);
    out.status = STATUSES[this.smallOf(r, STATUS)]!;
    out.errorCode = err?.[0];
    out.errorMessage = err?.[1];
    return out;
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
      count: this.count, brief: [...this.briefs.items], small: [...this.small.items], rest: [...this.rest.items],
      text8: [...this.text8.items], text16: [...this.text16.items], order: this.order,
      protocols: [...this.protocols], errors: [...this.errors].map(([i, [code, message]]) => [i, code, message] as const),
    };
  }

  /** Buffers of a packed table, for postMessage's transfer list. */
  static transfer(p: PackedTransactions): ArrayBuffer[] {
    const arrays: (ArrayBufferView | null)[] = [...p.brief, ...p.small, ...p.rest, ...p.text8, ...p.text16, p.order];
    return arrays.filter((a): a is ArrayBufferView => a !== null).map((a) => a.buffer as ArrayBuffer);
  }

  /**
   * The table of a packed one, its parts to `spill` (it is final). `shipped`: the parts the worker
   * handed over before (the packed table has null in their place).
   */
  static unpack(p: PackedTransactions, spill: Spill | null = null, shipped: ShippedTransactions | null = null): TransactionTable {
    const t = new TransactionTable(spill);
    t.briefs = appendRest(shipped?.briefs ?? t.briefs, p.brief);
    t.small = appendRest(shipped?.small ?? t.small, p.small);
    t.rest = appendRest(shipped?.rest ?? t.rest, p.rest);
    t.text8 = appendRest(shipped?.text8 ?? t.text8, p.text8);
    t.text16 = appendRest(shipped?.text16 ?? t.text16, p.text16);
    t.count = p.count;
    t.order = p.order;
    // Nothing is appended to an unpacked table's slabs: new text starts a slab of its own.
    t.used8 = SLAB;
    t.used16 = SLAB;
    for (const name of p.protocols) t.protocols.push(name);
    for (const [i, code, message] of p.errors) t.errors.set(i, [code, message]);
    return t;
  }

  /** Resident bytes of the rows and texts. */
  get bytes(): number {
    return this.briefs.bytes + this.rest.bytes + this.small.bytes + this.text8.bytes + this.text16.bytes + (this.order?.byteLength ?? 0);
  }

  private protocolOf(name: string): number {
    // A scan, not a Map: a capture has a few protocols and their names are literals (pointer compares).
    const l = this.protocols;
    for (let i = 0; i < l.length; i++) if (l[i] === name) return i;
    if (l.length >= 256) throw new RangeError('more than 256 transaction protocols');
    l.push(name);
    return l.length - 1;
  }

  /**
   * A statement of one-byte code units (almost all), into the current slab: where it is stored, or
   * -1 (nothing stored) if a unit is past 0xff.
   */
  private storeNarrow(text: string): number {
    const len = text.length;
    if (len === 0) return 0; // (no slab: there may be none yet)
    if (this.used8 + len > SLAB) {
      if (this.text8.length && this.ship) this.handOver('text8', this.text8, this.text8.length - 1);
      this.text8.push(new Uint8Array(Math.max(SLAB, len)));
      this.used8 = 0;
    }
    const slab = this.text8.length - 1, at = this.used8;
    const a = this.text8.items[slab]!;
    if (!copyCodeUnits(text, a, at, 0x100)) return -1;
    this.used8 += len;
    return slab * SLAB_SHIFT + at;
  }

  private storeWide(text: string): number {
    const len = text.length;
    if (len === 0) return 0;
    if (this.used16 + len > SLAB) {
      if (this.text16.length && this.ship) this.handOver('text16', this.text16, this.text16.length - 1);
      this.text16.push(new Uint16Array(Math.max(SLAB, len)));
      this.used16 = 0;
    }
    const slab = this.text16.items[this.text16.length - 1]!, at = this.used16;
    for (let k = 0; k < len; k++) slab[at + k] = text.charCodeAt(k);
    this.used16 += len;
    return (this.text16.length - 1) * SLAB_SHIFT + at;
  }

  private text(r: number): string {
    const where = this.restOf(r, TEXT_AT), len = this.restOf(r, TEXT_LEN);
    if (len === 0) return '';
    const slab = Math.floor(where / SLAB_SHIFT), at = where % SLAB_SHIFT;
    // Buffer's latin1 and utf16le decoders map code units one to one (TextDecoder's "latin1" is
    // windows-1252), so every statement comes back exactly, lone surrogates included.
    if (this.smallOf(r, WIDE)) {
      const a = this.text16.use(slab);
      return Buffer.from(a.buffer, a.byteOffset + at * 2, len * 2).toString('utf16le');
    }
    const a = this.text8.use(slab);
    return Buffer.from(a.buffer, a.byteOffset + at, len).toString('latin1');
  }
}

/**
 * The rows in key order when the keys are 0..n-1 each once (a tracker's request numbers, once every
 * request has finished): each row's place is its key, no sort (a worker's 300k rows: ~25 ms less),
 * or null when they are not.
 */
function permutationOrder(key: ArrayLike<number>, n: number): Uint32Array | null {
  const order = new Uint32Array(n);
  const placed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = key[i]!;
    if (!(k >= 0 && k < n && Number.isInteger(k)) || placed[k]) return null;
    placed[k] = 1;
    order[k] = i;
  }
  return order;
}

function sortedOrder(key: ArrayLike<number>, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => key[a]! - key[b]!);
}

/** The shards' tables as one, in request-frame order: an index of (table, row), 5 bytes a row. */
export class MergedTransactions extends TransactionRows {
  private readonly count: number;
  /** Row k of the view: table part[k], its row row[k]. Made on first use (see index). */
  private merged: { readonly part: Uint8Array; readonly row: Uint32Array } | null = null;

  constructor(private readonly tables: readonly TransactionTable[], private readonly renumber: (table: number, stream: number) => number) {
    super();
    if (tables.length > 256) throw new RangeError('more than 256 transaction tables');
    this.count = tables.reduce((a, t) => a + t.length, 0);
  }

  get length(): number {
    return this.count;
  }

  /**
   * The merge, made when a row is first read, not when the pass ends: it reads every row's request
   * frame back from the spill (bench capture: ~50 ms for 593k rows, which the pass's end waited for).
   */
  private index(): { readonly part: Uint8Array; readonly row: Uint32Array } {
    if (this.merged) return this.merged;
    const { tables } = this, n = this.count;
    const part = new Uint8Array(n), row = new Uint32Array(n);
    const at = tables.map(() => 0);
    // Each table's next request frame (Infinity once it is used up): a row read once, not at every comparison.
    const head = tables.map((t) => (t.length ? t.requestFrame(0) : Infinity));
    for (let k = 0; k < n; k++) {
      let best = 0;
      for (let p = 1; p < tables.length; p++) if (head[p]! < head[best]!) best = p;
      const r = at[best]!++;
      part[k] = best;
      row[k] = r;
      head[best] = r + 1 < tables[best]!.length ? tables[best]!.requestFrame(r + 1) : Infinity;
    }
    return (this.merged = { part, row });
  }

  get(i: number): Transaction {
    this.checkRow(i);
    const { part, row } = this.index();
    const t = this.tables[part[i]!]!, r = row[i]!;
    return t.get(r, this.renumber(part[i]!, t.stream(r)));
  }

  briefInto(i: number, out: MutableTxBrief): MutableTxBrief {
    this.checkRow(i);
    const { part, row } = this.index();
    return this.tables[part[i]!]!.briefInto(row[i]!, out);
  }

  stream(i: number): number {
    const { part, row } = this.index();
    return this.renumber(part[i]!, this.tables[part[i]!]!.stream(row[i]!));
  }

  requestFrame(i: number): number {
    const { part, row } = this.index();
    return this.tables[part[i]!]!.requestFrame(row[i]!);
  }
}
