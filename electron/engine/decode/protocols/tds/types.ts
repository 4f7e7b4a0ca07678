/**
 * TDS data types: TYPE_INFO (RPC parameters, RETURNVALUE) and the values that follow it in
 * parameters and rows. Every read goes through the Tvb, so a short value throws BoundsError.
 */
import { TDS } from '../../../../../shared/fields/tds';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { isTds7, lessThanTds7, type TdsState } from './state';

const F = TDS.f;

export const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x1f: 'NULLTYPE', 0x30: 'INT1TYPE - TinyInt', 0x32: 'BITTYPE - Bit', 0x34: 'INT2TYPE - SmallInt',
  0x38: 'INT4TYPE - Int', 0x3a: 'DATETIME4TYPE - SmallDateTime', 0x3b: 'FLT4TYPE - Real', 0x3c: 'MONEYTYPE - Money',
  0x3d: 'DATETIMETYPE - DateTime', 0x3e: 'FLT8TYPE - Float', 0x7a: 'MONEY4TYPE - SmallMoney', 0x7f: 'INT8TYPE - BigInt',
  0x24: 'GUIDTYPE - UniqueIdentifier', 0x26: 'INTNTYPE', 0x37: 'DECIMALTYPE', 0x3f: 'NUMERICTYPE', 0x68: 'BITNTYPE',
  0x6a: 'DECIMALNTYPE - Decimal', 0x6c: 'NUMERICNTYPE - Numeric', 0x6d: 'FLTNTYPE', 0x6e: 'MONEYNTYPE',
  0x6f: 'DATETIMNTYPE', 0x28: 'DATENTYPE', 0x29: 'TIMENTYPE', 0x2a: 'DATETIME2NTYPE', 0x2b: 'DATETIMEOFFSETNTYPE',
  0x2f: 'CHARTYPE', 0x27: 'VARCHARTYPE', 0x2d: 'BINARYTYPE', 0x25: 'VARBINARYTYPE', 0xa5: 'BIGVARBINTYPE - VarBinary',
  0xa7: 'BIGVARCHRTYPE - VarChar', 0xad: 'BIGBINARYTYPE - Binary', 0xaf: 'BIGCHARTYPE - Char',
  0xe7: 'NVARCHARTYPE - NVarChar', 0xef: 'NCHARTYPE - NChar', 0xf1: 'XMLTYPE - XML', 0xf0: 'UDTTYPE - CLR-UDT',
  0x23: 'TEXTTYPE - Text', 0x22: 'IMAGETYPE - Image', 0x63: 'NTEXTTYPE - NText', 0x62: 'SSVARIANTTYPE - Sql_Variant',
};

/** Fixed-length types and their sizes. */
const FIXED: Readonly<Record<number, number>> = {
  0x1f: 0, 0x30: 1, 0x32: 1, 0x34: 2, 0x38: 4, 0x3a: 4, 0x3b: 4, 0x3c: 8, 0x3d: 8, 0x3e: 8, 0x7a: 4, 0x7f: 8,
};
const BYTELEN = new Set([0x24, 0x26, 0x37, 0x3f, 0x68, 0x6a, 0x6c, 0x6d, 0x6e, 0x6f, 0x28, 0x2f, 0x27, 0x2d, 0x25]);
const SCALE_ONLY = new Set([0x29, 0x2a, 0x2b]);
const USHORTLEN = new Set([0xa5, 0xa7, 0xad, 0xaf, 0xe7, 0xef]);
const LONGLEN = new Set([0xf1, 0xf0, 0x23, 0x22, 0x63, 0x62]);
const COLLATED = new Set([0xaf, 0xa7, 0x23, 0x63, 0xef, 0xe7]);
const NUMERIC = new Set([0x37, 0x3f, 0x6a, 0x6c]);

export interface TypeInfo {
  type: number;
  /** Declared maximum length (TYPE_VARLEN), -1 if the type has none. */
  maxLen: number;
  precision: number;
  scale: number;
  /** Partially length-prefixed: varchar(max)/nvarchar(max)/varbinary(max), XML, UDT. */
  plp: boolean;
}

export const isKnownType = (t: number): boolean =>
  t in FIXED || BYTELEN.has(t) || SCALE_ONLY.has(t) || USHORTLEN.has(t) || LONGLEN.has(t);

export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `Invalid data type: ${t.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** TYPE_INFO as in RPC parameters: type byte, optional length, precision/scale, collation. Null if the type is unknown. */
export function dissectTypeInfo(tvb: Tvb, off: number, tree: PacketTree, parent: ProtoNode): { info: TypeInfo | null; end: number } {
  const start = off;
  const type = tvb.u8(off);
  const item = tree.add(parent, F.typeInfo, tvb, off, 0, null, `Type info (${typeName(type)})`);
  tree.item(item, F.typeInfoType, tvb, off, 1);
  off += 1;
  const info: TypeInfo = { type, maxLen: -1, precision: 0, scale: 0, plp: false };
  if (!isKnownType(type)) {
    tree.expert(item, F.typeInfoTypeInvalid, 'Warning', 'Invalid data type', tvb, start, 1);
    item.length = 1;
    return { info: null, end: off };
  }
  let lenBytes = 0;
  if (BYTELEN.has(type)) { lenBytes = 1; info.maxLen = tvb.u8(off); }
  else if (USHORTLEN.has(type)) {
    lenBytes = 2; info.maxLen = tvb.u16le(off);
    if (info.maxLen === 0xffff && (type === 0xa7 || type === 0xa5 || type === 0xe7)) info.plp = true;
  } else if (LONGLEN.has(type)) {
    lenBytes = 4; info.maxLen = tvb.u32le(off);
    if (type === 0xf1 || type === 0xf0) info.plp = true;
  }
  if (lenBytes) {
    tree.add(item, F.typeInfoVarlen, tvb, off, lenBytes, info.maxLen,
      info.plp ? `Maximal length: ${info.maxLen} (PLP - Partially Length-Prefixed data type)` : undefined);
    off += lenBytes;
  }
  if (NUMERIC.has(type)) {
    info.precision = tvb.u8(off);
    tree.item(item, F.typeInfoPrecision, tvb, off, 1);
    off += 1;
  }
  if (NUMERIC.has(type) || SCALE_ONLY.has(type)) {
    info.scale = tvb.u8(off);
    tree.item(item, F.typeInfoScale, tvb, off, 1);
    off += 1;
  } else if (COLLATED.has(type)) {
    const coll = tree.add(item, F.typeInfoCollation, tvb, off, 5, null);
    tree.item(coll, F.typeInfoCollationLcid, tvb, off, 4, 'le');
    tree.item(coll, F.typeInfoCollationSortid, tvb, off + 4, 1);
    off += 5;
  }
  item.length = off - start;
  return { info, end: off };
}

/** A value or token whose layout we do not know: decoding of the message stops cleanly (not malformed). */
export class UndecodableError extends Error {}

/** Text up to the first NUL, as Wireshark shows FT_STRING values. */
export function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** A decoded value: its display text (for the tree and for events) and where it ends. */
export interface ValueResult { text: string; end: number }

const EPOCH_1900 = 2208988800; // seconds from 1900-01-01 to 1970-01-01
const EPOCH_0001 = 62135596800; // seconds from 0001-01-01 to 1970-01-01

function guidText(b: Uint8Array): string {
  const h = (i: number) => b[i]!.toString(16).padStart(2, '0');
  return `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

function readUintLe(tvb: Tvb, off: number, len: number): number {
  let v = 0;
  for (let i = len - 1; i >= 0; i--) v = v * 256 + tvb.u8(off + i);
  return v;
}

function isoTime(secs: number, nanos: number): string {
  const d = new Date(secs * 1000 + Math.floor(nanos / 1e6));
  return Number.isNaN(d.getTime()) ? `${secs}s` : d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** Add a datetime item (value: bigint nanoseconds since the epoch). */
function addDatetime(tree: PacketTree, sub: ProtoNode, tvb: Tvb, off: number, len: number, secs: number, nanos: number): string {
  const text = isoTime(secs, nanos);
  tree.add(sub, F.varbyteDatetime, tvb, off, len, BigInt(secs) * 1_000_000_000n + BigInt(nanos), `Data: ${text}`);
  return text;
}

/** Integer types: the value by length (1 byte unsigned, 2/4/8 signed). */
function addInt(tree: PacketTree, sub: ProtoNode, tvb: Tvb, off: number, len: number, st: TdsState): string {
  if (len === 1) { const v = tvb.u8(off); tree.add(sub, F.varbyteInt, tvb, off, 1, v); return String(v); }
  if (len === 2) {
    const raw = st.int2Le ? tvb.u16le(off) : tvb.u16(off);
    const v = (raw << 16) >> 16;
    tree.add(sub, F.varbyteInt, tvb, off, 2, v); return String(v);
  }
  if (len === 4) { const v = st.int4Le ? tvb.i32le(off) : tvb.i32(off); tree.add(sub, F.varbyteInt, tvb, off, 4, v); return String(v); }
  const v = tvb.i64le(off);
  tree.add(sub, F.varbyteInt64, tvb, off, 8, v);
  return String(v);
}

function addMoney(tree: PacketTree, sub: ProtoNode, tvb: Tvb, off: number, len: number): string {
  // 8-byte money is two little-endian 32-bit halves, high half first; units of 1/10000.
  const v = len === 4 ? tvb.i32le(off) : Number((BigInt(tvb.i32le(off)) << 32n) | BigInt(tvb.u32le(off + 4)));
  const money = v / 10000;
  tree.add(sub, F.varbyteFloat, tvb, off, len, money, `Data: ${money.toFixed(4)}`);
  return money.toFixed(4);
}

function addDatetimeClassic(tree: PacketTree, sub: ProtoNode, tvb: Tvb, off: number, len: number): string {
  if (len === 4) {
    const days = tvb.u16le(off);
    const minutes = tvb.u16le(off + 2);
    return addDatetime(tree, sub, tvb, off, 4, days * 86400 + minutes * 60 - EPOCH_1900, 0);
  }
  const days = tvb.i32le(off);
  const ticks = tvb.u32le(off + 4); // 1/300 s
  return addDatetime(tree, sub, tvb, off, 8, days * 86400 + Math.floor(ticks / 300) - EPOCH_1900, Math.floor(((ticks % 300) * 1e7) / 3));
}

/** time(n) scaled integer of 3-5 bytes → seconds since midnight. */
function timeSeconds(tvb: Tvb, off: number, len: number, scale: number): number {
  return readUintLe(tvb, off, len) / 10 ** scale;
}

const timeLen = (scale: number): number => (scale <= 2 ? 3 : scale <= 4 ? 4 : 5);

/**
 * One value of `type` at `off` (a row column or a parameter), added as children of `sub`.
 * Returns its display text and end offset. Unknown types throw (the caller stops cleanly).
 */
export function dissectValue(tvb: Tvb, off: number, tree: PacketTree, sub: ProtoNode, ti: TypeInfo, st: TdsState): ValueResult {
  const t = ti.type;
  if (ti.plp) return dissectPlp(tvb, off, tree, sub, t);
  const fixed = FIXED[t];
  if (fixed !== undefined) {
    if (fixed === 0) return { text: 'NULL', end: off };
    return { text: fixedValue(tvb, off, tree, sub, t, fixed, st), end: off + fixed };
  }
  if (BYTELEN.has(t) || SCALE_ONLY.has(t)) {
    const len = tvb.u8(off);
    tree.add(sub, F.varbyteLength, tvb, off, 1, len);
    off += 1;
    if (len === 0) {
      tree.add(sub, F.varbyteNull, tvb, off, 0, null);
      return { text: 'NULL', end: off };
    }
    tvb.check(off, len);
    return { text: byteLenValue(tvb, off, len, tree, sub, ti, st), end: off + len };
  }
  if (USHORTLEN.has(t)) {
    if (t === 0xaf && lessThanTds7(st) && !isTds7(st)) {
      // Sybase LONGCHAR: 4-byte length, single-byte characters.
      const len = st.int4Le ? tvb.u32le(off) : tvb.u32(off);
      tree.add(sub, F.varbyteLength, tvb, off, 4, len);
      const s = tvb.str(off + 4, len, 'latin1');
      tree.add(sub, F.varbyteString, tvb, off + 4, len, s);
      return { text: s, end: off + 4 + len };
    }
    const len = tvb.u16le(off);
    tree.add(sub, F.varbyteLength, tvb, off, 2, len, len === 0xffff ? 'Length: 65535 (CHARBIN_NULL)' : undefined);
    off += 2;
    if (len === 0xffff) { tree.add(sub, F.varbyteNull, tvb, off, 0, null); return { text: 'NULL', end: off }; }
    return { text: addCharBin(tvb, off, len, tree, sub, t), end: off + len };
  }
  if (LONGLEN.has(t)) {
    const ptrLen = tvb.u8(off);
    tree.add(sub, F.varbyteTextptrLen, tvb, off, 1, ptrLen);
    off += 1;
    if (ptrLen === 0) return { text: 'NULL', end: off };
    tree.item(sub, F.varbyteTextptr, tvb, off, ptrLen);
    off += ptrLen;
    tree.item(sub, F.varbyteTextTs, tvb, off, 8);
    off += 8;
    const len = st.int4Le ? tvb.u32le(off) : tvb.u32(off);
    tree.add(sub, F.varbyteLength, tvb, off, 4, len);
    off += 4;
    if (len === 0xffffffff) { tree.add(sub, F.varbyteNull, tvb, off, 0, null); return { text: 'NULL', end: off }; }
    const text = t === 0x63 ? tvb.str(off, len, 'utf16le') : t === 0x23 ? tvb.str(off, len, 'latin1') : null;
    if (text !== null) tree.add(sub, F.varbyteString, tvb, off, len, text);
    else tree.item(sub, F.varbyteBytes, tvb, off, len);
    return { text: text ?? `<${len} bytes>`, end: off + len };
  }
  throw new UndecodableError(`TDS data type 0x${t.toString(16)} cannot be decoded`);
}

function fixedValue(tvb: Tvb, off: number, tree: PacketTree, sub: ProtoNode, t: number, len: number, st: TdsState): string {
  switch (t) {
    case 0x32: { const v = tvb.u8(off) !== 0; tree.add(sub, F.varbyteBool, tvb, off, 1, v); return v ? '1' : '0'; }
    case 0x30: case 0x34: case 0x38: case 0x7f: return addInt(tree, sub, tvb, off, len, st);
    case 0x3b: { const v = tvb.f32le(off); tree.add(sub, F.varbyteFloat, tvb, off, 4, v); return String(v); }
    case 0x3e: { const v = tvb.f64le(off); tree.add(sub, F.varbyteFloat, tvb, off, 8, v); return String(v); }
    case 0x3c: case 0x7a: return addMoney(tree, sub, tvb, off, len);
    default: return addDatetimeClassic(tree, sub, tvb, off, len);
  }
}

function byteLenValue(tvb: Tvb, off: number, len: number, tree: PacketTree, sub: ProtoNode, ti: TypeInfo, st: TdsState): string {
  switch (ti.type) {
    case 0x24: {
      if (len !== 16) break;
      const g = guidText(tvb.bytes(off, 16));
      tree.add(sub, F.varbyteGuid, tvb, off, 16, g);
      return g;
    }
    case 0x68: { const v = tvb.u8(off) !== 0; tree.add(sub, F.varbyteBool, tvb, off, 1, v); return v ? '1' : '0'; }
    case 0x26: if (len === 1 || len === 2 || len === 4 || len === 8) return addInt(tree, sub, tvb, off, len, st); break;
    case 0x6d:
      if (len === 4) { const v = tvb.f32le(off); tree.add(sub, F.varbyteFloat, tvb, off, 4, v); return String(v); }
      if (len === 8) { const v = tvb.f64le(off); tree.add(sub, F.varbyteFloat, tvb, off, 8, v); return String(v); }
      break;
    case 0x6e: if (len === 4 || len === 8) return addMoney(tree, sub, tvb, off, len); break;
    case 0x6f: if (len === 4 || len === 8) return addDatetimeClassic(tree, sub, tvb, off, len); break;
    case 0x28: if (len === 3) return addDatetime(tree, sub, tvb, off, 3, readUintLe(tvb, off, 3) * 86400 - EPOCH_0001, 0); break;
    case 0x29: {
      const secs = timeSeconds(tvb, off, len, ti.scale);
      tree.add(sub, F.varbyteTime, tvb, off, len, secs);
      return `${secs}s`;
    }
    case 0x2a: case 0x2b: {
      const tl = timeLen(ti.scale);
      if (len < tl + 3) break;
      const secs = timeSeconds(tvb, off, tl, ti.scale);
      const days = readUintLe(tvb, off + tl, 3);
      const whole = Math.floor(secs);
      return addDatetime(tree, sub, tvb, off, len, days * 86400 - EPOCH_0001 + whole, Math.round((secs - whole) * 1e9));
    }
    case 0x37: case 0x3f: case 0x6a: case 0x6c: {
      // Sign byte then a little-endian magnitude (TDS 7); scaled by 10^scale.
      let p = off;
      let negative = false;
      if (!lessThanTds7(st) || isTds7(st)) {
        negative = tvb.u8(off) === 0;
        tree.add(sub, F.varbyteSign, tvb, off, 1, !negative);
        p += 1;
      }
      const n = len - (p - off);
      let mag = 0n;
      for (let i = n - 1; i >= 0; i--) mag = (mag << 8n) | BigInt(tvb.u8(p + i));
      const digits = mag.toString().padStart(ti.scale + 1, '0');
      const text = (negative ? '-' : '') + (ti.scale ? `${digits.slice(0, -ti.scale)}.${digits.slice(-ti.scale)}` : digits);
      if (n === 4 || n === 8) tree.add(sub, n === 4 ? F.varbyteInt : F.varbyteInt64, tvb, p, n, n === 4 ? Number(mag) | 0 : BigInt.asIntN(64, mag), `Data: ${text}`);
      else tree.add(sub, F.varbyteBytes, tvb, p, n, tvb.bytes(p, n), `Data: ${text}`);
      return text;
    }
    case 0x2f: case 0x27: { const s = tvb.str(off, len, st.charUtf16 ? 'latin1' : 'latin1'); tree.add(sub, F.varbyteString, tvb, off, len, s); return s; }
    case 0x2d: case 0x25: tree.item(sub, F.varbyteBytes, tvb, off, len); return `<${len} bytes>`;
  }
  tree.expert(sub, F.invalidLength, 'Warning', `Invalid length ${len} for ${typeName(ti.type)}`, tvb, off - 1, 1);
  return `<${len} bytes>`;
}

function addCharBin(tvb: Tvb, off: number, len: number, tree: PacketTree, sub: ProtoNode, t: number): string {
  if (t === 0xa5 || t === 0xad) { tree.item(sub, F.varbyteBytes, tvb, off, len); return `0x${hex(tvb.bytes(off, len))}`; }
  const s = tvb.str(off, len, t === 0xe7 || t === 0xef ? 'utf16le' : 'latin1');
  tree.add(sub, F.varbyteString, tvb, off, len, s);
  return s;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length && i < 64; i++) s += b[i]!.toString(16).padStart(2, '0');
  return b.length > 64 ? `${s}…` : s;
}

/** PLP value: 8-byte total length (or NULL / unknown), then chunks each with a 4-byte length, ending with a 0 chunk. */
function dissectPlp(tvb: Tvb, off: number, tree: PacketTree, sub: ProtoNode, t: number): ValueResult {
  const total = tvb.u64le(off);
  const isNull = total === 0xffffffffffffffffn;
  tree.add(sub, F.varbytePlpLen, tvb, off, 8, BigInt.asIntN(64, total),
    isNull ? 'PLP length: -1 (PLP_NULL)' : total === 0xfffffffffffffffen ? 'PLP length: -2 (UNKNOWN_PLP_LEN)' : undefined);
  off += 8;
  if (isNull) return { text: 'NULL', end: off };
  const pieces: string[] = [];
  for (;;) {
    const len = tvb.u32le(off);
    tree.add(sub, F.varbytePlpChunkLen, tvb, off, 4, len, len === 0 ? 'PLP chunk length: 0 (PLP_TERMINATOR)' : undefined);
    off += 4;
    if (len === 0) break;
    tvb.check(off, len);
    if (t === 0xe7 || t === 0xa7) {
      const s = tvb.str(off, len, t === 0xe7 ? 'utf16le' : 'latin1');
      tree.add(sub, F.varbyteString, tvb, off, len, s);
      if (pieces.length < 64) pieces.push(s);
    } else {
      tree.item(sub, F.varbyteBytes, tvb, off, len);
    }
    off += len; // len > 0, so the loop always advances
  }
  return { text: t === 0xe7 || t === 0xa7 ? pieces.join('') : '<binary>', end: off };
}
