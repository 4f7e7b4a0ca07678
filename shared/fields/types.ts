/**
 * Field definitions: the vocabulary shared by the decoders (which produce values), the display
 * filter (which checks and compares them) and the renderer (completion, detail tree).
 * Names, types and bases follow Wireshark's `tshark -G fields` so filters port both ways.
 */

/** Wireshark's FT_* types, reduced to what behaves differently for display or filtering. */
export type FieldType =
  | 'none' // FT_NONE: presence only ("tcp.analysis.retransmission")
  | 'protocol' // FT_PROTOCOL: the protocol item itself ("tcp", "mysql")
  | 'bool' // FT_BOOLEAN
  | 'uint' // FT_UINT8..FT_UINT32
  | 'int' // FT_INT8..FT_INT32
  | 'uint64' // FT_UINT64 (value is a bigint or a safe number)
  | 'int64' // FT_INT64
  | 'double' // FT_FLOAT / FT_DOUBLE
  | 'string' // FT_STRING / FT_STRINGZ / FT_UINT_STRING
  | 'bytes' // FT_BYTES
  | 'ether' // FT_ETHER
  | 'ipv4' // FT_IPv4
  | 'ipv6' // FT_IPv6
  | 'abs_time' // FT_ABSOLUTE_TIME (value: seconds since epoch, as [sec, nsec] or number)
  | 'rel_time' // FT_RELATIVE_TIME (value: seconds as a number)
  | 'framenum' // FT_FRAMENUM
  | 'char'; // FT_CHAR (a single byte shown as a character)

/** How an integer is displayed (BASE_*). */
export type FieldBase = 'dec' | 'hex' | 'oct' | 'dec_hex' | 'hex_dec' | 'none';

export interface FieldDef {
  /** Filter name, e.g. "tcp.srcport". */
  readonly name: string;
  /** Human label, e.g. "Source Port". */
  readonly label: string;
  readonly type: FieldType;
  readonly base?: FieldBase;
  /** Width in bits of the underlying integer (for hex padding and bitfield display). */
  readonly bits?: number;
  /** Bit mask within that integer, for flag fields. */
  readonly mask?: number;
  /** value_string: integer value → name (filters accept the names too, as Wireshark). */
  readonly values?: Readonly<Record<number, string>>;
  /** String-valued enumerations (e.g. pgsql.type) list their known values here for completion. */
  readonly strings?: readonly string[];
  readonly description?: string;
}

export interface ProtocolDef {
  /** Filter name of the protocol, e.g. "mysql". */
  readonly name: string;
  /** Long name, e.g. "MySQL Protocol". */
  readonly label: string;
  /** Short name for the Protocol column, e.g. "MySQL". */
  readonly short: string;
  readonly fields: readonly FieldDef[];
}

/** Shorthand builders keep the per-protocol tables terse and uniform. */
export const f = {
  none: (name: string, label: string, description?: string): FieldDef => ({ name, label, type: 'none', description }),
  bool: (name: string, label: string, bits = 8, mask?: number): FieldDef => ({ name, label, type: 'bool', bits, mask }),
  uint: (name: string, label: string, bits = 32, base: FieldBase = 'dec', values?: Record<number, string>, mask?: number): FieldDef =>
    ({ name, label, type: 'uint', bits, base, values, mask }),
  int: (name: string, label: string, bits = 32): FieldDef => ({ name, label, type: 'int', bits, base: 'dec' }),
  u64: (name: string, label: string, base: FieldBase = 'dec'): FieldDef => ({ name, label, type: 'uint64', bits: 64, base }),
  i64: (name: string, label: string): FieldDef => ({ name, label, type: 'int64', bits: 64, base: 'dec' }),
  double: (name: string, label: string): FieldDef => ({ name, label, type: 'double' }),
  str: (name: string, label: string, strings?: readonly string[]): FieldDef => ({ name, label, type: 'string', strings }),
  bytes: (name: string, label: string): FieldDef => ({ name, label, type: 'bytes' }),
  ether: (name: string, label: string): FieldDef => ({ name, label, type: 'ether' }),
  ipv4: (name: string, label: string): FieldDef => ({ name, label, type: 'ipv4' }),
  ipv6: (name: string, label: string): FieldDef => ({ name, label, type: 'ipv6' }),
  absTime: (name: string, label: string): FieldDef => ({ name, label, type: 'abs_time' }),
  relTime: (name: string, label: string): FieldDef => ({ name, label, type: 'rel_time' }),
  frame: (name: string, label: string): FieldDef => ({ name, label, type: 'framenum' }),
  char: (name: string, label: string): FieldDef => ({ name, label, type: 'char' }),
};

/** Index a protocol's fields by name; throws on a duplicate so a typo shows up at load. */
export function fieldMap(p: ProtocolDef): Record<string, FieldDef> {
  const out: Record<string, FieldDef> = {};
  for (const fd of p.fields) {
    if (out[fd.name]) throw new Error(`duplicate field ${fd.name} in ${p.name}`);
    out[fd.name] = fd;
  }
  return out;
}

export interface DefinedProtocol<T extends Record<string, FieldDef>> extends ProtocolDef {
  /** The protocol's own item ("mysql"), type 'protocol'. */
  readonly self: FieldDef;
  /** The fields by a short key, typed, so a decoder cannot name a field that does not exist. */
  readonly f: T;
}

/** Declare a protocol and its fields. `fields` keys are code names; values carry the filter names. */
export function defineProtocol<T extends Record<string, FieldDef>>(
  name: string, label: string, short: string, fields: T,
): DefinedProtocol<T> {
  const self: FieldDef = { name, label, type: 'protocol' };
  const all = [self, ...Object.values(fields)];
  const p: DefinedProtocol<T> = { name, label, short, fields: all, self, f: fields };
  fieldMap(p);
  return p;
}
