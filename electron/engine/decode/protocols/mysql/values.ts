/**
 * Values in the binary protocol (COM_STMT_EXECUTE parameters, query attributes, binary result rows):
 * each type has its own fixed or length-prefixed layout. Items use Wireshark's mysql.exec.field.* names;
 * the returned text is what AppEvents carry.
 */
import type { ProtoNode } from '../../tree';
import { asLength, readLenEnc } from './lenenc';
import { F, type Msg } from './items';
import { TYPE } from './constants';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Decode one value of `type` at off. Returns the offset after it and its text, or null when the
 * type is unknown (the caller then stops: the value's length cannot be known).
 */
export function decodeBinaryValue(m: Msg, parent: ProtoNode, off: number, type: number, unsigned: boolean): { next: number; text: string } | null {
  const { tree, tvb } = m;
  switch (type) {
    case TYPE.TINY: {
      const v = unsigned ? tvb.u8(off) : (tvb.u8(off) << 24) >> 24;
      tree.add(parent, unsigned ? F.execFieldUnsignedTiny : F.execFieldTiny, tvb, off, 1, v);
      return { next: off + 1, text: String(v) };
    }
    case TYPE.SHORT:
    case TYPE.YEAR: {
      const raw = tvb.u16le(off);
      const v = unsigned || type === TYPE.YEAR ? raw : (raw << 16) >> 16;
      tree.add(parent, type === TYPE.YEAR ? F.execFieldYear : unsigned ? F.execFieldUnsignedShort : F.execFieldShort, tvb, off, 2, v);
      return { next: off + 2, text: String(v) };
    }
    case TYPE.LONG:
    case TYPE.INT24: {
      const v = unsigned ? tvb.u32le(off) : tvb.i32le(off);
      tree.add(parent, type === TYPE.INT24 ? F.execFieldInt24 : unsigned ? F.execFieldUnsignedLong : F.execFieldLong, tvb, off, 4, v);
      return { next: off + 4, text: String(v) };
    }
    case TYPE.LONGLONG: {
      const big = unsigned ? tvb.u64le(off) : tvb.i64le(off);
      const v = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
      tree.add(parent, unsigned ? F.execFieldUnsignedLonglong : F.execFieldLonglong, tvb, off, 8, v);
      return { next: off + 8, text: String(big) };
    }
    case TYPE.FLOAT: {
      const v = tvb.f32le(off);
      tree.add(parent, F.execFieldFloat, tvb, off, 4, v);
      return { next: off + 4, text: String(v) };
    }
    case TYPE.DOUBLE: {
      const v = tvb.f64le(off);
      tree.add(parent, F.execFieldDouble, tvb, off, 8, v);
      return { next: off + 8, text: String(v) };
    }
    case TYPE.NULL:
      tree.add(parent, F.execFieldNull, tvb, off, 0, null);
      return { next: off, text: 'NULL' };
    case TYPE.DATE:
    case TYPE.DATETIME:
    case TYPE.TIMESTAMP:
      return dateTime(m, parent, off);
    case TYPE.TIME:
      return time(m, parent, off);
    case TYPE.GEOMETRY: {
      const le = readLenEnc(tvb, off);
      const len = asLength(le.value);
      tree.add(parent, F.execFieldBlob, tvb, off + le.size, len, tvb.bytes(off + le.size, len));
      return { next: off + le.size + len, text: `<${len} bytes>` };
    }
    case TYPE.DECIMAL: case TYPE.NEWDECIMAL: case TYPE.VARCHAR: case TYPE.VAR_STRING: case TYPE.STRING:
    case TYPE.ENUM: case TYPE.SET: case TYPE.BIT: case TYPE.JSON: case TYPE.TINY_BLOB:
    case TYPE.MEDIUM_BLOB: case TYPE.LONG_BLOB: case TYPE.BLOB: case TYPE.NEWDATE: {
      const le = readLenEnc(tvb, off);
      const len = asLength(le.value);
      const text = tvb.str(off + le.size, len);
      // Wireshark's FT_UINT_STRING item spans the length prefix and the text.
      tree.add(parent, F.execFieldString, tvb, off, le.size + len, text);
      return { next: off + le.size + len, text };
    }
    default:
      return null;
  }
}

function dateTime(m: Msg, parent: ProtoNode, off: number): { next: number; text: string } {
  const { tree, tvb } = m;
  const len = tvb.u8(off);
  tree.add(parent, F.execFieldDatetimeLength, tvb, off, 1, len);
  const p = off + 1;
  tvb.check(p, len);
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0;
  if (len >= 2) { y = tvb.u16le(p); tree.add(parent, F.execFieldYear, tvb, p, 2, y); }
  if (len >= 4) {
    mo = tvb.u8(p + 2); d = tvb.u8(p + 3);
    tree.add(parent, F.execFieldMonth, tvb, p + 2, 1, mo);
    tree.add(parent, F.execFieldDay, tvb, p + 3, 1, d);
  }
  if (len >= 7) {
    h = tvb.u8(p + 4); mi = tvb.u8(p + 5); s = tvb.u8(p + 6);
    tree.add(parent, F.execFieldHour, tvb, p + 4, 1, h);
    tree.add(parent, F.execFieldMinute, tvb, p + 5, 1, mi);
    tree.add(parent, F.execFieldSecond, tvb, p + 6, 1, s);
  }
  if (len >= 11) { us = tvb.u32le(p + 7); tree.add(parent, F.execFieldSecondb, tvb, p + 7, 4, us | 0); }
  let text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (len >= 7) text += ` ${pad(h)}:${pad(mi)}:${pad(s)}`;
  if (len >= 11) text += `.${pad(us, 6)}`;
  return { next: p + len, text };
}

function time(m: Msg, parent: ProtoNode, off: number): { next: number; text: string } {
  const { tree, tvb } = m;
  const len = tvb.u8(off);
  tree.add(parent, F.execFieldTimeLength, tvb, off, 1, len);
  const p = off + 1;
  tvb.check(p, len);
  let neg = 0, days = 0, h = 0, mi = 0, s = 0, us = 0;
  if (len >= 1) { neg = tvb.u8(p); tree.add(parent, F.execFieldTimeSign, tvb, p, 1, neg); }
  if (len >= 5) { days = tvb.i32le(p + 1); tree.add(parent, F.execFieldTimeDays, tvb, p + 1, 4, days); }
  if (len >= 8) {
    h = tvb.u8(p + 5); mi = tvb.u8(p + 6); s = tvb.u8(p + 7);
    tree.add(parent, F.execFieldHour, tvb, p + 5, 1, h);
    tree.add(parent, F.execFieldMinute, tvb, p + 6, 1, mi);
    tree.add(parent, F.execFieldSecond, tvb, p + 7, 1, s);
  }
  if (len >= 12) { us = tvb.u32le(p + 8); tree.add(parent, F.execFieldSecondb, tvb, p + 8, 4, us | 0); }
  let text = `${neg ? '-' : ''}${pad(days * 24 + h)}:${pad(mi)}:${pad(s)}`;
  if (len >= 12) text += `.${pad(us, 6)}`;
  return { next: p + len, text };
}
