/**
 * Growable typed-array columns in fixed chunks: appending never copies what is there, and a
 * column of N values costs N × element size (plus one small array of chunk references).
 */
import type { Spill, SpillOwner } from './spill';

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;
type TypedCtor<T extends TypedArray> = new (n: number) => T;

export const CHUNK_BITS = 16;
export const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export class ChunkedColumn<T extends TypedArray> implements SpillOwner {
  /** Chunks in memory (null: spilled and dropped). */
  private readonly chunks: (T | null)[] = [];
  /** Where each sealed chunk is in the spill file. */
  private readonly spilledAt: number[] = [];
  private readonly spillId: number;
  private lastUsed = -1;

  constructor(private readonly ctor: TypedCtor<T>, private readonly fill = 0, private readonly spill: Spill | null = null) {
    this.spillId = spill ? spill.owner() : -1;
  }

  get(i: number): number {
    const c = i >>> CHUNK_BITS;
    const a = this.chunks[c];
    // Reads that stay in one chunk are the fast path; a change of chunk tells the spill it was used.
    if (a && c === this.lastUsed) return a[i & MASK]!;
    return this.use(c)[i & MASK]!;
  }

  set(i: number, v: number): void {
    this.writable(i >>> CHUNK_BITS)[i & MASK] = v;
  }

  /** Chunk c, allocated (with the ones before it) if it is not yet. */
  writable(c: number): T {
    while (this.chunks.length <= c) {
      const a = new this.ctor(CHUNK);
      if (this.fill !== 0) a.fill(this.fill);
      this.chunks.push(a);
    }
    if (this.spilledAt[c] !== undefined) throw new Error(`chunk ${c} is sealed`);
    return this.chunks[c]!;
  }

  /** Copies `src` to rows first.. (a bulk copy per chunk it spans). */
  setRange(first: number, src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }): void {
    for (let k = 0; k < src.length;) {
      const f = first + k;
      const n = Math.min(CHUNK - (f & MASK), src.length - k);
      this.writable(f >>> CHUNK_BITS).set(src.subarray(k, k + n), f & MASK);
      k += n;
    }
  }

  /** The chunk holding index i and i's position in it (tight loops read chunks directly). */
  chunk(c: number): T | undefined {
    return c < this.chunks.length ? this.use(c) : undefined;
  }

  /** Chunk c, read back if it was dropped, and marked as the most recently used. */
  private use(c: number): T {
    this.lastUsed = c;
    const a = this.chunks[c];
    if (!a) return this.load(c);
    if (this.spill && this.spilledAt[c] !== undefined) this.spill.touch(this.spillId, c);
    return a;
  }

  /**
   * Chunks before `upTo` are final: with a spill they go to its file now, and stay in memory only
   * while its budget allows.
   */
  seal(upTo: number): void {
    if (!this.spill) return;
    for (let c = this.spilledAt.length; c < upTo && c < this.chunks.length; c++) {
      const a = this.chunks[c]!;
      this.spilledAt[c] = this.spill.write(a);
      this.spill.hold(this.spillId, this, c, a.byteLength);
    }
  }

  drop(c: number): void {
    this.chunks[c] = null;
  }

  private load(c: number): T {
    const at = this.spilledAt[c];
    if (at === undefined || !this.spill) throw new RangeError(`no chunk ${c}`);
    const a = new this.ctor(CHUNK);
    this.spill.read(at, a);
    this.chunks[c] = a;
    this.spill.hold(this.spillId, this, c, a.byteLength);
    return a;
  }

  /** Bytes of the chunks in memory. */
  get bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c?.byteLength ?? 0;
    return n;
  }
}

/** Variable-length byte strings (the Info texts) in 1 MiB slabs; each string is addressed by a
 *  global offset (a Float64 column) and a length. Full slabs can be sealed into a spill. */
export class ByteHeap implements SpillOwner {
  private static readonly SLAB = 1 << 20;
  private readonly slabs: (Uint8Array | null)[] = [];
  private readonly spilledAt: number[] = [];
  private readonly spillId: number;
  private used = ByteHeap.SLAB;
  private base = -ByteHeap.SLAB;

  constructor(private readonly spill: Spill | null = null) {
    this.spillId = spill ? spill.owner() : -1;
  }

  /** Copy `b` in; returns its address. Strings never straddle slabs. */
  append(b: Uint8Array): number {
    if (b.length > ByteHeap.SLAB) b = b.subarray(0, ByteHeap.SLAB);
    const slab = this.room(b.length);
    const at = this.base + this.used;
    slab.set(b, this.used);
    this.used += b.length;
    return at;
  }

  /** Write a string as UTF-8 straight into the heap (no intermediate copy); returns [address, length]. */
  appendString(s: string, out: { at: number; len: number }): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const max = Math.min(s.length * 3, ByteHeap.SLAB);
    const slab = this.room(max);
    const r = encoder.encodeInto(s, slab.subarray(this.used, this.used + max));
    out.at = this.base + this.used;
    out.len = r.written;
    this.used += r.written;
  }

  /** The slab being filled, with `len` bytes free (a new one when it has not). */
  private room(len: number): Uint8Array {
    if (this.slabs.length === 0 || this.used + len > ByteHeap.SLAB) {
      this.slabs.push(new Uint8Array(ByteHeap.SLAB));
      this.base += ByteHeap.SLAB;
      this.used = 0;
    }
    return this.slabs[this.slabs.length - 1]!;
  }

  get(at: number, len: number): Uint8Array {
    const k = Math.floor(at / ByteHeap.SLAB);
    const slab = this.slabs[k] ?? this.load(k);
    if (this.spill && this.spilledAt[k] !== undefined) this.spill.touch(this.spillId, k);
    const off = at % ByteHeap.SLAB;
    return slab.subarray(off, off + len);
  }

  /** Every slab but the one being filled is final: to the spill (see ChunkedColumn.seal). */
  seal(): void {
    if (!this.spill) return;
    for (let k = this.spilledAt.length; k < this.slabs.length - 1; k++) {
      this.spilledAt[k] = this.spill.write(this.slabs[k]!);
      this.spill.hold(this.spillId, this, k, ByteHeap.SLAB);
    }
  }

  drop(k: number): void {
    this.slabs[k] = null;
  }

  private load(k: number): Uint8Array {
    const at = this.spilledAt[k];
    if (at === undefined || !this.spill) throw new RangeError(`no slab ${k}`);
    const a = new Uint8Array(ByteHeap.SLAB);
    this.spill.read(at, a);
    this.slabs[k] = a;
    this.spill.hold(this.spillId, this, k, ByteHeap.SLAB);
    return a;
  }

  /** Bytes of the slabs in memory. */
  get bytes(): number {
    let n = 0;
    for (const s of this.slabs) n += s ? ByteHeap.SLAB : 0;
    return n;
  }
}

const encoder = new TextEncoder();

/** Strings ↔ small integer ids (addresses, protocol names). */
export class InternTable {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) { i = this.values.length; this.ids.set(s, i); this.values.push(s); }
    return i;
  }

  lookup(s: string): number | undefined {
    return this.ids.get(s);
  }

  get(i: number): string {
    return this.values[i] ?? '';
  }
}
