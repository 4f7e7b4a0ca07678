/**
 * Copies a string's UTF-16 code units into bytes when every one is below `limit` (0x80: the
 * string's UTF-8 is those bytes; 0x100: its Latin-1 is), as one JS loop. Returns false, at the
 * first unit at or past the limit, with the bytes so far written: the caller then writes the
 * string its general way over them.
 *
 * Why: the first pass writes a frame's Info text and a transaction's statement (~80 characters)
 * per row, and Buffer#write is a call into C++ whose fixed cost (argument checks, a flattened
 * copy) was ~4% of a pass worker's time; nearly every such text is ASCII.
 */
export function copyCodeUnits(text: string, out: Uint8Array, at: number, limit: 0x80 | 0x100): boolean {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= limit) return false;
    out[at + i] = c;
  }
  return true;
}
