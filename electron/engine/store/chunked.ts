/**
 * Growable typed-array columns in fixed chunks: appending never copies what is there, and a
 * column of N values costs N × element size (plus one small array of chunk references).
 */
import { SpillableArrays, type Spill } from './spill';

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;
type TypedCtor<T extends TypedArray> = new (n: number) => T;

export const CHUNK_BITS = 16;
export const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export class ChunkedColumn<T extends TypedArray> {
  private readonly chunks: SpillableArrays<T>;

  constructor(ctor: TypedCtor<T>, private readonly fill = 0, spill: Spill | null = null) {
    this.chunks = new SpillableArrays(spill, (n) => new ctor(n), true);
  }

  get(i: number): number {
    // (use() returns at once while reads stay in one chunk; a change of chunk tells the spill it was used)
    return this.chunks.use(i >>> CHUNK_BITS)[i & MASK]!;
  }

  set(i: number, v: number): void {
    this.writable(i >>> CHUNK_BITS)[i & MASK] = v;
  }

  /** Chunk c, allocated (with the ones before it) if it is not yet. */
  writable(c: number): T {
    while (this.chunks.length <= c) {
      const a = this.chunks.fresh(CHUNK);
      if (this.fill !== 0) a.fill(this.fill);
      this.chunks.push(a);
    }
    if (this.chunks.isSealed(c)) throw new Error(`chunk ${c} is sealed`);
    return this.chunks.items[c]!;
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
    if (c >= this.chunks.length) return undefined;
    return this.chunks.use(c);
  }

  /**
   * Chunks before `upTo` are final: with a spill they go to its file now, and stay in memory only
   * while its budget allows.
   */
  seal(upTo: number): void {
    this.chunks.seal(upTo);
  }

  /** Bytes of the chunks in memory. */
  get bytes(): number {
    return this.chunks.bytes;
  }

  /** No more chunks will be filled: the spare one goes (see SpillableArrays' reuse). Returns its bytes. */
  releaseSpares(): number {
    return this.chunks.releaseSpares();
  }
}

/** Variable-length byte strings (the Info texts) in 1 MiB slabs; each string is addressed by a
 *  global offset (a Float64 column) and a length. Full slabs can be sealed into a spill. */
export class ByteHeap {
  private static readonly SLAB = 1 << 20;
  private readonly slabs: SpillableArrays<Uint8Array>;
  private used = ByteHeap.SLAB;
  private base = -ByteHeap.SLAB;

  constructor(spill: Spill | null = null) {
    this.slabs = new SpillableArrays(spill, (n) => new Uint8Array(n), true);
  }

  /**
   * Copy `len` bytes of `src` from `start` in; returns their address. Strings never straddle slabs.
   * (Offsets, not a view: the merge appends every frame's Info text, and a short one is copied by
   * hand, which is quicker than making a view to set() from.)
   */
  append(src: Uint8Array, start = 0, len = src.length - start): number {
    len = Math.min(len, ByteHeap.SLAB);
    const slab = this.room(len);
    const at = this.base + this.used;
    if (len > 64) slab.set(src.subarray(start, start + len), this.used);
    else for (let i = 0, o = this.used; i < len; i++) slab[o + i] = src[start + i]!;
    this.used += len;
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
      this.slabs.push(this.slabs.fresh(ByteHeap.SLAB));
      this.base += ByteHeap.SLAB;
      this.used = 0;
    }
    return this.slabs.items[this.slabs.length - 1]!;
  }

  get(at: number, len: number): Uint8Array {
    const slab = this.slabs.use(Math.floor(at / ByteHeap.SLAB));
    const off = at % ByteHeap.SLAB;
    return slab.subarray(off, off + len);
  }

  /** Every slab but the one being filled is final: to the spill (see ChunkedColumn.seal). */
  seal(): void {
    this.slabs.seal(this.slabs.length - 1);
  }

  /** Bytes of the slabs in memory. */
  get bytes(): number {
    return this.slabs.bytes;
  }

  /** No more slabs will be filled: the spare one goes. Returns its bytes. */
  releaseSpares(): number {
    return this.slabs.releaseSpares();
  }
}

const encoder = new TextEncoder();

