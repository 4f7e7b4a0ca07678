/** Small readers shared by the frontend and backend message decoders. */
import { BoundsError, type Tvb } from '../../tvb';

export interface Strz {
  readonly value: string;
  /** Bytes taken, including the terminating NUL. */
  readonly size: number;
}

/** A NUL-terminated string at off; BoundsError when the NUL is missing (Wireshark: malformed). */
export function strz(tvb: Tvb, off: number): Strz {
  const size = tvb.strzLen(off);
  if (size < 0) throw new BoundsError(off, tvb.length - off + 1, tvb.length);
  return { value: tvb.str(off, size - 1, 'utf8'), size };
}

const HEX = '0123456789abcdef';
/** Lowercase hex of up to `max` bytes, with "…" when cut. */
export function hex(b: Uint8Array, max = 64): string {
  let s = '';
  const n = Math.min(b.length, max);
  for (let i = 0; i < n; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return n < b.length ? s + '…' : s;
}

/** Rows from a CommandComplete tag ("SELECT 5", "INSERT 0 3", "UPDATE 2"), when it has a count. */
export function rowsFromTag(tag: string): number | undefined {
  const m = /^(?:INSERT \d+ (\d+)|(?:SELECT|UPDATE|DELETE|MOVE|FETCH|COPY|MERGE) (\d+))$/.exec(tag);
  if (!m) return undefined;
  return Number(m[1] ?? m[2]);
}
