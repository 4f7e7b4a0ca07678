/**
 * Line and number primitives shared by the RESP scanner and dissector. They follow the quirks of
 * Wireshark's RESP dissector (tvb_find_line_end, g_ascii_strtoll) so our framing matches tshark's.
 */

export const CR = 0x0d;
export const LF = 0x0a;

/** Length of the line at `off` (without its terminator), or -1 while the terminator is not in data yet. */
export function lineLength(data: Uint8Array, off: number): number {
  for (let i = off; i < data.length; i++) {
    const b = data[i]!;
    if (b === LF) return i - off;
    if (b === CR) {
      // A CR as the very last byte may be the first half of CRLF: wait for the next byte.
      if (i + 1 >= data.length) return -1;
      return i - off;
    }
  }
  return -1;
}

/**
 * Bytes a line of `len` characters occupies. Wireshark always skips two bytes of terminator (even
 * after a lone LF); we do the same but never past the data we have.
 */
export function lineSpan(data: Uint8Array, off: number, len: number): number {
  return Math.min(len + 2, data.length - off);
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** g_ascii_strtoll(…, 10): optional spaces and sign, then digits; no digits gives 0; clamps on overflow. */
export function parseInt64(data: Uint8Array, off: number, end: number): bigint {
  let i = off;
  while (i < end && (data[i] === 0x20 || (data[i]! >= 0x09 && data[i]! <= 0x0d))) i++;
  let neg = false;
  if (i < end && (data[i] === 0x2b || data[i] === 0x2d)) { neg = data[i] === 0x2d; i++; }
  let v = 0n;
  let digits = 0;
  // 20 digits are enough to overflow int64; stop accumulating there so hostile input stays cheap.
  while (i < end && data[i]! >= 0x30 && data[i]! <= 0x39) {
    if (digits < 21) v = v * 10n + BigInt(data[i]! - 0x30);
    digits++;
    i++;
  }
  if (neg) v = -v;
  if (v > INT64_MAX || digits > 20 && !neg) return INT64_MAX;
  if (v < INT64_MIN || digits > 20 && neg) return INT64_MIN;
  return v;
}

/** The int cast Wireshark applies to bulk string lengths. */
export function toInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

const latin1 = new TextDecoder('latin1');

/** ENC_ASCII: bytes above 0x7f become U+FFFD. */
export function asciiString(data: Uint8Array, off: number, end: number): string {
  // The value is a C string in Wireshark: it ends at the first NUL.
  const nul = data.subarray(off, end).indexOf(0);
  if (nul >= 0) end = off + nul;
  return latin1.decode(data.subarray(off, end)).replace(/[^\u0000-\u007f]/g, '\ufffd');
}

/** True when every byte is below 0x80 (g_str_is_ascii, which stops at a NUL). */
export function isAscii(data: Uint8Array, off: number, end: number): boolean {
  for (let i = off; i < end; i++) {
    const b = data[i]!;
    if (b === 0) return true;
    if (b >= 0x80) return false;
  }
  return true;
}
