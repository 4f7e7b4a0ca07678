/** How each field type behaves in a filter, and how Wireshark names the type in messages. */
import type { FieldDef, FieldType } from '../fields/types';
import type { ValueKind } from './ast';

export function kindOf(type: FieldType): ValueKind {
  switch (type) {
    case 'uint': case 'int': case 'uint64': case 'int64': case 'framenum': case 'char': return 'int';
    case 'bool': return 'bool';
    case 'double': case 'rel_time': return 'float';
    case 'abs_time': return 'time';
    case 'string': return 'string';
    case 'bytes': case 'ether': case 'protocol': return 'bytes';
    case 'ipv4': return 'ipv4';
    case 'ipv6': return 'ipv6';
    case 'none': return 'none';
  }
}

/** Wireshark's ftype names ("Unsigned integer (2 bytes)"), used in error messages. */
export function typeName(def: FieldDef): string {
  const bytes = Math.max(1, Math.ceil((def.bits ?? 32) / 8));
  const size = `(${bytes} byte${bytes === 1 ? '' : 's'})`;
  switch (def.type) {
    case 'uint': return `Unsigned integer ${size}`;
    case 'int': return `Signed integer ${size}`;
    case 'uint64': return 'Unsigned integer (8 bytes)';
    case 'int64': return 'Signed integer (8 bytes)';
    case 'framenum': return 'Frame number';
    case 'char': return 'Character (1 byte)';
    case 'bool': return 'Boolean';
    case 'double': return 'Floating point (double-precision)';
    case 'rel_time': return 'Time offset';
    case 'abs_time': return 'Date and time';
    case 'string': return 'Character string';
    case 'bytes': return 'Sequence of bytes';
    case 'ether': return 'Ethernet or other MAC address';
    case 'protocol': return 'Protocol';
    case 'ipv4': return 'IPv4 address';
    case 'ipv6': return 'IPv6 address';
    case 'none': return 'Label';
  }
}

/** Integer range of a field, for "too big for this field" checks. */
export function intRange(def: FieldDef): { min: bigint; max: bigint } {
  switch (def.type) {
    case 'uint64': return { min: 0n, max: (1n << 64n) - 1n };
    case 'int64': return { min: -(1n << 63n), max: (1n << 63n) - 1n };
    case 'int': {
      const bits = BigInt(Math.min(32, Math.max(8, Math.ceil((def.bits ?? 32) / 8) * 8)));
      return { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n };
    }
    case 'char': return { min: 0n, max: 255n };
    case 'framenum': return { min: 0n, max: 0xffffffffn };
    default: {
      // Wireshark checks against the storage width (FT_UINT16 → 65535), not the bitfield width.
      const bits = BigInt(Math.min(32, Math.max(8, Math.ceil((def.bits ?? 32) / 8) * 8)));
      return { min: 0n, max: (1n << bits) - 1n };
    }
  }
}
