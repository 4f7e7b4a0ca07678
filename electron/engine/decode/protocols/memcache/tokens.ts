/** Line and token primitives for the memcached text protocol, with Wireshark's tokenising rules. */

/** A line: [start, end) without its terminator, and where the next line starts. */
export interface Line {
  readonly start: number;
  readonly end: number;
  readonly next: number;
}

/** The line at `off`, or null while its terminator has not arrived (a final CR waits for its LF). */
export function readLine(data: Uint8Array, off: number): Line | null {
  for (let i = off; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x0a) return { start: off, end: i, next: i + 1 };
    if (b === 0x0d) {
      if (i + 1 >= data.length) return null;
      return { start: off, end: i, next: data[i + 1] === 0x0a ? i + 2 : i + 1 };
    }
  }
  return null;
}

export interface Token {
  readonly start: number;
  readonly end: number;
}

/** Space-separated tokens of a line (get_token_len: a token ends at a space; runs of spaces are skipped). */
export function tokens(data: Uint8Array, line: Line, max = 4096): Token[] {
  const out: Token[] = [];
  let p = line.start;
  while (p < line.end && out.length < max) {
    const s = p;
    while (p < line.end && data[p] !== 0x20) p++;
    if (p === s) break; // a leading space: Wireshark sees an empty token and stops
    out.push({ start: s, end: p });
    while (p < line.end && data[p] === 0x20) p++;
  }
  return out;
}

const latin1 = new TextDecoder('latin1');

/** ENC_ASCII text: bytes above 0x7f become U+FFFD. */
export function ascii(data: Uint8Array, start: number, end: number): string {
  // The value is a C string in Wireshark: it ends at the first NUL.
  const nul = data.subarray(start, end).indexOf(0);
  if (nul >= 0) end = start + nul;
  return latin1.decode(data.subarray(start, end)).replace(/[^\u0000-\u007f]/g, '\ufffd');
}

export function tokenText(data: Uint8Array, t: Token | undefined): string {
  return t ? ascii(data, t.start, t.end) : '';
}

const U64 = (1n << 64n) - 1n;

/** strtoul on a token (64-bit unsigned long): spaces, sign, digits; "-n" wraps; overflow clamps. */
export function strtoul(data: Uint8Array, start: number, end: number): bigint {
  let i = start;
  while (i < end && (data[i] === 0x20 || (data[i]! >= 0x09 && data[i]! <= 0x0d))) i++;
  let neg = false;
  if (i < end && (data[i] === 0x2b || data[i] === 0x2d)) { neg = data[i] === 0x2d; i++; }
  let v = 0n;
  while (i < end && data[i]! >= 0x30 && data[i]! <= 0x39) {
    v = v * 10n + BigInt(data[i]! - 0x30);
    if (v > U64) return U64;
    i++;
  }
  return neg ? (U64 + 1n - v) & U64 : v;
}

/** sscanf("%u"): like strtoul but fails (null) when no digit follows the optional spaces and sign. */
export function scanUnsigned(data: Uint8Array, t: Token | undefined): number | null {
  if (!t) return null;
  let i = t.start;
  if (i < t.end && (data[i] === 0x2b || data[i] === 0x2d)) i++;
  if (i >= t.end || data[i]! < 0x30 || data[i]! > 0x39) return null;
  return Number(strtoul(data, t.start, t.end) & 0xffffffffn);
}

export function tokenIs(data: Uint8Array, t: Token | undefined, word: string): boolean {
  if (!t || t.end - t.start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (data[t.start + i] !== word.charCodeAt(i)) return false;
  return true;
}
