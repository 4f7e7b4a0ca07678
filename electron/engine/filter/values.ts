/**
 * Field values as the filter compares them: decoded tree values (FieldValue) normalised per
 * value kind — IPv4 to an unsigned number, protocols to the bytes they span, times to bigint ns.
 */
import type { FieldDef } from '../../../shared/fields/types';
import type { ValueKind } from '../../../shared/filter/ast';
import type { PacketTree, ProtoNode } from '../decode/tree';

/** One value at run time. */
export type Val = number | bigint | boolean | string | Uint8Array;

const encoder = new TextEncoder();

/** The bytes an item covers in its data source (for protocols and slices). */
export function nodeBytes(tree: PacketTree, node: ProtoNode): Uint8Array | undefined {
  const src = tree.dataSources[node.ds]?.bytes;
  if (!src) return undefined;
  const end = Math.min(src.length, node.start + node.length);
  return src.subarray(Math.min(node.start, end), end);
}

/**
 * What `contains` and `matches` search in a protocol: Wireshark keeps the protocol's whole tvb,
 * from the item's start to the end of its data (so `eth contains "x"` sees the payload too),
 * while `==`, slices and len() use the item's own length.
 */
export function protocolTail(tree: PacketTree, node: ProtoNode): Uint8Array | undefined {
  const src = tree.dataSources[node.ds]?.bytes;
  return src && node.start <= src.length ? src.subarray(node.start) : undefined;
}

/** A node's value as `kind`, or undefined when it has none (e.g. a null in an integer field). */
export function normalize(tree: PacketTree, node: ProtoNode, def: FieldDef, kind: ValueKind): Val | undefined {
  const v = node.value;
  switch (kind) {
    case 'int':
      if (typeof v === 'number' || typeof v === 'bigint') return v;
      if (typeof v === 'string') return v.length ? v.charCodeAt(0) : undefined; // FT_CHAR
      if (typeof v === 'boolean') return v ? 1 : 0;
      return undefined;
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return v !== 0 && v !== 0n;
      return undefined;
    case 'float':
      if (typeof v === 'number') return v;
      // Relative times may be exact nanoseconds; go through the decimal text so the double is
      // the one a literal with the same digits parses to (equality stays exact).
      if (typeof v === 'bigint') return def.type === 'rel_time' ? nanosToSeconds(v) : Number(v);
      return undefined;
    case 'time':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number') return BigInt(Math.round(v * 1e9));
      return undefined;
    case 'string':
      if (typeof v === 'string') return v;
      if (v instanceof Uint8Array) return new TextDecoder().decode(v);
      return undefined;
    case 'bytes':
      if (def.type === 'protocol') return nodeBytes(tree, node);
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return encoder.encode(v);
      return undefined;
    case 'ipv4':
      if (v instanceof Uint8Array && v.length === 4) return ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
      if (typeof v === 'number') return v >>> 0;
      return undefined;
    case 'ipv6':
      return v instanceof Uint8Array ? v : undefined;
    case 'none':
      return undefined;
  }
}

function nanosToSeconds(ns: bigint): number {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const text = `${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
  return neg ? -Number(text) : Number(text);
}

/** Raw bytes of a value for slicing (strings as UTF-8, IPv4 numbers back to 4 bytes). */
export function toBytes(v: Val): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return encoder.encode(v);
  if (typeof v === 'number') return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  return undefined;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** RFC 5952 text form (longest zero run compressed). */
export function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatEther(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}
