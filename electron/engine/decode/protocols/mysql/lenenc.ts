/** MySQL length-encoded integers and strings. */
import type { Tvb } from '../../tvb';

export interface LenEnc {
  /** The value; bigint only when above 2^53. */
  readonly value: number | bigint;
  /** Bytes the integer occupies (1, 3, 4 or 9). */
  readonly size: number;
  /** 0xfb: SQL NULL in a row. */
  readonly isNull: boolean;
}

/** Read a length-encoded integer at off (throws BoundsError past the end). */
export function readLenEnc(tvb: Tvb, off: number): LenEnc {
  const p = tvb.u8(off);
  if (p < 0xfb) return { value: p, size: 1, isNull: false };
  if (p === 0xfb) return { value: 0, size: 1, isNull: true };
  if (p === 0xfc) return { value: tvb.u16le(off + 1), size: 3, isNull: false };
  if (p === 0xfd) return { value: tvb.u24le(off + 1), size: 4, isNull: false };
  if (p === 0xfe) {
    const v = tvb.u64le(off + 1);
    return { value: v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v, size: 9, isNull: false };
  }
  // 0xff is not a valid prefix; Wireshark reads it as the one-byte value 255.
  return { value: p, size: 1, isNull: false };
}

/** A length as a number usable for offsets; anything beyond the buffer makes the next read throw. */
export function asLength(v: number | bigint): number {
  return typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
}

/** Length of a NUL-terminated string including the NUL, or the rest of the buffer when unterminated. */
export function strSize(tvb: Tvb, off: number): number {
  const n = tvb.strzLen(off);
  return n < 0 ? Math.max(0, tvb.length - off) : n;
}

/** The text of a NUL-terminated (or unterminated) string of `size` bytes at off. */
export function strzValue(tvb: Tvb, off: number, size: number): string {
  if (size <= 0) return '';
  const hasNul = tvb.u8(off + size - 1) === 0;
  return tvb.str(off, hasNul ? size - 1 : size);
}
