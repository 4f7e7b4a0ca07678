/**
 * Turning field values into text: `fieldText` is what `tshark -T fields` prints for a value,
 * `displayText` is the right-hand side of a tree label ("TCP (6)", "0x0018"). Shared so the CLI,
 * the filter (for string comparisons) and the renderer print values the same way.
 */
import type { FieldDef } from './types';

/** A decoded value, as the decoders produce it (see electron/engine/decode/tree.ts). */
export type Value = number | bigint | string | boolean | Uint8Array | null;

const HEX = '0123456789abcdef';

export function hexBytes(b: Uint8Array, sep = ''): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    if (sep && i) s += sep;
    s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  }
  return s;
}

export function ipv4Text(b: Uint8Array): string {
  return ipv4TextOfWord(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
}

/** The same text from the address as a big-endian 32-bit word (as a decoder reads it). */
export function ipv4TextOfWord(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text form: lowercase, longest run of zero groups (≥2) compressed, IPv4-mapped kept. */
export function ipv6Text(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms print the last 32 bits dotted, as Wireshark.
  if (bestStart === 0 && (bestLen === 5 && g[5] === 0xffff || bestLen === 6 && g[6] !== 0)) {
    const tail = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return bestLen === 5 ? `::ffff:${tail}` : `::${tail}`;
  }
  const part = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return part(0, 8);
  return `${part(0, bestStart)}::${part(bestStart + bestLen, 8)}`;
}

/** Seconds (number) or nanoseconds (bigint) as "S.NNNNNNNNN", exactly as tshark prints relative times. */
export function relTimeText(v: number | bigint): string {
  if (typeof v === 'bigint') {
    const neg = v < 0n;
    const a = neg ? -v : v;
    return `${neg ? '-' : ''}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
  }
  const neg = v < 0;
  const a = Math.abs(v);
  let sec = Math.floor(a);
  let ns = Math.round((a - sec) * 1e9);
  if (ns >= 1e9) { sec += 1; ns -= 1e9; }
  return `${neg ? '-' : ''}${sec}.${String(ns).padStart(9, '0')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Absolute time (bigint ns since the epoch) as tshark's "Jul 17, 2008 07:50:25.136169000 UTC" (UTC). */
export function absTimeText(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const d = new Date(Number(sec) * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${frac.toString().padStart(9, '0')} UTC`;
}

/**
 * Escape bytes/characters that tshark escapes in string output. A backslash stays as it is, as
 * tshark 4.0's -T fields prints it (so a literal "\\n" in a query reads as tshark shows it).
 */
export function escapeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) { out += s[i]; continue; }
    switch (c) {
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x0b: out += '\\v'; break;
      case 0x0c: out += '\\f'; break;
      case 0x08: out += '\\b'; break;
      case 0x07: out += '\\a'; break;
      default: out += '\\x' + HEX[c >> 4]! + HEX[c & 15]!;
    }
  }
  return out;
}

function hexDigits(def: FieldDef): number {
  if (def.mask !== undefined) {
    // Wireshark pads masked hex fields to the width of the whole integer.
    return Math.ceil((def.bits ?? 32) / 4);
  }
  return Math.ceil((def.bits ?? 32) / 4);
}

function intHex(def: FieldDef, v: number | bigint): string {
  const h = (typeof v === 'bigint' ? BigInt.asUintN(64, v) : v >>> 0).toString(16);
  return '0x' + h.padStart(hexDigits(def), '0');
}

/** What `tshark -T fields -e NAME` prints for one occurrence. */
export function fieldText(def: FieldDef, v: Value): string {
  switch (def.type) {
    case 'none': return '1';
    case 'protocol': return v instanceof Uint8Array ? hexBytes(v) : typeof v === 'string' ? v : def.label;
    case 'bool': return v ? '1' : '0';
    case 'uint':
    case 'int':
    case 'uint64':
    case 'int64':
      if (typeof v !== 'number' && typeof v !== 'bigint') return '';
      return def.base === 'hex' || def.base === 'hex_dec' ? intHex(def, v) : String(v);
    case 'framenum': return String(v ?? '');
    case 'double': return typeof v === 'number' ? String(v) : '';
    case 'string':
    case 'char': return typeof v === 'string' ? escapeString(v) : '';
    case 'bytes': return v instanceof Uint8Array ? hexBytes(v) : '';
    case 'ether': return v instanceof Uint8Array ? hexBytes(v, ':') : '';
    case 'ipv4': return v instanceof Uint8Array ? ipv4Text(v) : '';
    case 'ipv6': return v instanceof Uint8Array ? ipv6Text(v) : '';
    case 'rel_time': return typeof v === 'number' || typeof v === 'bigint' ? relTimeText(v) : '';
    case 'abs_time': return typeof v === 'bigint' ? absTimeText(v) : '';
  }
}

/** The value part of a tree label, with value-string names ("TCP (6)"). */
export function displayText(def: FieldDef, v: Value): string {
  if ((def.type === 'uint' || def.type === 'int') && typeof v === 'number') {
    const name = def.values?.[v];
    const num = def.base === 'hex' ? intHex(def, v) : def.base === 'hex_dec' ? `${intHex(def, v)} (${v})` :
      def.base === 'dec_hex' ? `${v} (${intHex(def, v)})` : String(v);
    return name !== undefined ? `${name} (${num})` : num;
  }
  if (def.type === 'bool') return v ? 'Set' : 'Not set';
  if (def.type === 'string') return typeof v === 'string' ? escapeString(v) : '';
  if (def.type === 'bytes' && v instanceof Uint8Array) return hexBytes(v.length > 24 ? v.subarray(0, 24) : v) + (v.length > 24 ? '…' : '');
  if (def.type === 'rel_time' && (typeof v === 'number' || typeof v === 'bigint')) return relTimeText(v) + ' seconds';
  return fieldText(def, v);
}

/** "Label: value" as shown in the detail tree. */
export function labelText(def: FieldDef, v: Value): string {
  if (def.type === 'none' || def.type === 'protocol') return def.label;
  return `${def.label}: ${displayText(def, v)}`;
}
