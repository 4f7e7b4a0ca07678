/**
 * A bounds-checked view of packet bytes (Wireshark's tvbuff). Every read past the end throws
 * BoundsError, which the dissection driver turns into a "malformed" item on that packet only —
 * so a decoder can read optimistically and hostile bytes still cannot crash or desynchronise us.
 */

export class BoundsError extends Error {
  /**
   * @param truncated true when the bytes exist on the wire but were not captured (snaplen):
   *   Wireshark's "packet size limited during capture", not a malformed packet.
   */
  constructor(readonly offset: number, readonly want: number, readonly have: number, readonly truncated = false) {
    super(truncated
      ? `packet size limited during capture: ${want} byte(s) at offset ${offset} were not captured (${have} captured)`
      : `read of ${want} byte(s) at offset ${offset} past the end (${have} bytes)`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');
const utf16le = new TextDecoder('utf-16le', { fatal: false });

export class Tvb {
  /** Captured bytes. */
  readonly length: number;
  /** Bytes on the wire (≥ length when the capture cut the packet short). */
  readonly reported: number;
  /**
   * The array this view's bytes lie in, from `start`. A view is offsets into its parent's array, not
   * a subarray: a frame is viewed by each layer and each message of a segment, and making typed
   * array views was a fifth of the first pass's allocations.
   */
  private readonly buf: Uint8Array;
  private readonly start: number;
  /** Made on first use (most views are read by byte arithmetic only). */
  private viewCache: DataView | null = null;
  private dataCache: Uint8Array | null = null;

  /**
   * @param data  the bytes of this view (not copied)
   * @param ds    the data source index these bytes belong to (0 = the frame, >0 = reassembled)
   * @param base  offset of data[0] within that data source (so byte ranges in the tree are absolute)
   * @param reported  length on the wire, when more than was captured
   * @param start  with `length`: the view is data[start, start + length) (sub() makes these)
   */
  constructor(data: Uint8Array, readonly ds = 0, readonly base = 0, reported = data.length, start = 0, length = data.length) {
    this.buf = data;
    this.start = start;
    this.length = length;
    this.reported = Math.max(reported, length);
  }

  /** A view of `length` bytes of this one from `off` (bounds checked by the caller). */
  private within(off: number, length: number, reported: number): Tvb {
    return new Tvb(this.buf, this.ds, this.base + off, reported, this.start + off, length);
  }

  /** This view's bytes as an array (a view made on first use: hot decoders read through the methods). */
  get data(): Uint8Array {
    return (this.dataCache ??= this.start === 0 && this.length === this.buf.length ? this.buf : this.buf.subarray(this.start, this.start + this.length));
  }

  private get view(): DataView {
    return (this.viewCache ??= new DataView(this.buf.buffer, this.buf.byteOffset + this.start, this.length));
  }

  /** True when the capture kept fewer bytes than the wire carried. */
  get truncated(): boolean { return this.reported > this.length; }

  /** Bytes from `off` to the end, or -1 when off is beyond the end. */
  remaining(off: number): number {
    return off > this.length ? -1 : this.length - off;
  }

  check(off: number, len: number): void {
    if (off < 0 || len < 0 || off + len > this.length) {
      throw new BoundsError(off, len, this.length, off >= 0 && len >= 0 && off + len <= this.reported);
    }
  }

  /** A view of [off, off+len) of the captured bytes; without len, the rest (reported length follows). */
  sub(off: number, len?: number): Tvb {
    if (len === undefined) {
      this.check(off, 0);
      return this.within(off, this.length - off, this.reported - off);
    }
    this.check(off, len);
    return this.within(off, len, len);
  }

  /**
   * A view whose length on the wire is `reportedLen` (an IP payload by its length field), with as
   * many of those bytes as were captured.
   */
  subReported(off: number, reportedLen: number): Tvb {
    this.check(off, 0);
    const captured = Math.max(0, Math.min(reportedLen, this.length - off));
    return this.within(off, captured, Math.max(captured, reportedLen));
  }

  u8(off: number): number { this.check(off, 1); return this.buf[this.start + off]!; }
  u16(off: number): number { this.check(off, 2); const d = this.buf, o = this.start + off; return (d[o]! << 8) | d[o + 1]!; }
  u16le(off: number): number { this.check(off, 2); const d = this.buf, o = this.start + off; return d[o]! | (d[o + 1]! << 8); }
  u24(off: number): number { this.check(off, 3); const d = this.buf, o = this.start + off; return (d[o]! << 16) | (d[o + 1]! << 8) | d[o + 2]!; }
  u24le(off: number): number { this.check(off, 3); const d = this.buf, o = this.start + off; return d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16); }
  u32(off: number): number { this.check(off, 4); const d = this.buf, o = this.start + off; return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0; }
  u32le(off: number): number { this.check(off, 4); const d = this.buf, o = this.start + off; return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0; }
  i32(off: number): number { this.check(off, 4); return this.view.getInt32(off, false); }
  i32le(off: number): number { this.check(off, 4); return this.view.getInt32(off, true); }
  u64(off: number): bigint { this.check(off, 8); return this.view.getBigUint64(off, false); }
  u64le(off: number): bigint { this.check(off, 8); return this.view.getBigUint64(off, true); }
  i64le(off: number): bigint { this.check(off, 8); return this.view.getBigInt64(off, true); }
  f32le(off: number): number { this.check(off, 4); return this.view.getFloat32(off, true); }
  f64le(off: number): number { this.check(off, 8); return this.view.getFloat64(off, true); }

  bytes(off: number, len: number): Uint8Array { this.check(off, len); return this.buf.subarray(this.start + off, this.start + off + len); }

  /** Decode a string; invalid sequences become U+FFFD (as Wireshark shows them). */
  str(off: number, len: number, enc: 'utf8' | 'latin1' | 'utf16le' = 'utf8'): string {
    const b = this.bytes(off, len);
    return (enc === 'utf8' ? utf8 : enc === 'latin1' ? latin1 : utf16le).decode(b);
  }

  /** Index of the first `byte` at or after `off`, or -1. */
  find(byte: number, off = 0): number {
    if (off >= this.length) return -1;
    // A loop, not Uint8Array#indexOf: that is a call into C++ per search (most here are C strings
    // of a few bytes), and it would run on past this view to the end of the parent buffer.
    const b = this.buf, end = this.start + this.length;
    for (let i = this.start + Math.max(0, off); i < end; i++) if (b[i] === byte) return i - this.start;
    return -1;
  }

  /** Length of a NUL-terminated string at off, including the NUL; -1 if no NUL before the end. */
  strzLen(off: number): number {
    const i = this.find(0, off);
    return i < 0 ? -1 : i - off + 1;
  }
}
