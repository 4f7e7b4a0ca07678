/**
 * The field tree of one complete RESP value, laid out as Wireshark's RESP dissector lays it out
 * (same items, nesting and Info column text). Recursion is bounded by MAX_DEPTH: deeper aggregates
 * are shown as their header alone and their elements follow as siblings, as Wireshark does.
 */
import { RESP } from '../../../../../shared/fields/resp';
import type { PacketInfo } from '../../packet-info';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { asciiString, isAscii, lineLength, lineSpan, parseInt64, toInt32 } from './lines';
import { MAX_DEPTH, aggregateWidth, impossibleCount, isBlobType } from './scan';

const F = RESP.f;
/** Bulk strings shorter than this are written into the Info column (BULK_STRING_MAX_DISPLAY). */
const INFO_MAX = 100;
/** Longest element text kept for the request statement. */
export const STATEMENT_ARG_MAX = 200;
/** Elements of a top-level aggregate kept for events. */
const KEEP_ELEMENTS = 256;

/** What the events layer needs to know about a top-level value. */
export interface RespValue {
  /** The type prefix byte ('+', '*', …), or 0 for an empty line. */
  readonly type: number;
  /** Text of a line type (simple string, error, integer, inline command line) or of a blob. */
  text?: string;
  /** For aggregates: the announced count (entries for maps) and the direct elements' texts. */
  count?: bigint;
  elements?: RespValue[];
  /** True when the line had an unknown type byte (inline command or garbage). */
  fragment?: boolean;
  /** Total elements seen (elements holds at most KEEP_ELEMENTS). */
  seen?: number;
}

interface Ctx {
  readonly tree: PacketTree;
  readonly tvb: Tvb;
  readonly data: Uint8Array;
  readonly pinfo: PacketInfo;
  readonly response: boolean;
}

function info(c: Ctx, text: string): void {
  c.pinfo.colInfo += text;
}

function keepText(c: Ctx, off: number, end: number): string {
  const cut = Math.min(end, off + STATEMENT_ARG_MAX);
  const s = new TextDecoder('utf-8').decode(c.data.subarray(off, cut));
  return cut < end ? `${s}…(${end - off} bytes)` : s;
}

/** Dissect the value at `off`; returns the bytes it took and its summary. */
function element(c: Ctx, parent: ProtoNode, off: number, depth: number): { span: number; value: RespValue } {
  const { tree, tvb, data } = c;
  const len = lineLength(data, off);
  if (len < 0) tvb.check(off, data.length - off + 1); // no line end: the message is cut short
  const t = data[off]!;
  const span = lineSpan(data, off, len);
  const body = () => asciiString(data, off + 1, off + len);
  const top = depth === 0;
  switch (t) {
    case 0x2b: { // + simple string
      const s = body();
      tree.add(parent, F.string, tvb, off, span, s);
      if (c.response && top) info(c, ' ' + s);
      return { span, value: { type: t, text: s } };
    }
    case 0x2d: { // - error
      const s = body();
      tree.add(parent, F.error, tvb, off, span, s);
      info(c, ' Error: ' + s);
      return { span, value: { type: t, text: s } };
    }
    case 0x3a: { // : integer
      const v = parseInt64(data, off + 1, off + len);
      tree.add(parent, F.integer, tvb, off, span, v);
      if (c.response && top) info(c, ' ' + v.toString());
      return { span, value: { type: t, text: v.toString() } };
    }
    case 0x5f: { // _ null
      if (len !== 1) {
        tree.expert(parent, F.malformedLength, 'Error', 'Malformed length specified', tvb, off, span);
        return { span, value: { type: t } };
      }
      tree.add(parent, F.null, tvb, off, Math.min(2, span), null);
      if (c.response && top) info(c, ' Null');
      return { span, value: { type: t } };
    }
    case 0x23: { // # boolean
      const ch = len >= 2 ? data[off + 1] : undefined;
      if (ch !== 0x74 && ch !== 0x66) {
        tree.expert(parent, F.invalidBoolean, 'Error', 'Invalid value received for a boolean field', tvb, off, span);
        return { span, value: { type: t } };
      }
      tree.add(parent, F.boolean, tvb, off + 1, 1, ch === 0x74);
      if (c.response && top) info(c, ch === 0x74 ? ' Boolean(True)' : ' Boolean(False)');
      return { span, value: { type: t, text: ch === 0x74 ? 'true' : 'false' } };
    }
    case 0x2c: { // , double
      const s = body();
      const v = parseDouble(s);
      tree.add(parent, F.double, tvb, off, span, v);
      if (c.response && top) info(c, ` Double(${v.toFixed(6)})`);
      return { span, value: { type: t, text: s } };
    }
    case 0x28: { // ( big number
      const s = body();
      const item = tree.add(parent, F.bigNumber, tvb, off, span, s);
      if (!/^[0-9+-][0-9]*$/.test(s)) {
        tree.expert(item, F.invalidBigNumber, 'Error', 'Invalid value received for a big number field');
      } else if (c.response && top) info(c, ' ' + s);
      return { span, value: { type: t, text: s } };
    }
    default:
      break;
  }
  if (isBlobType(t)) return blob(c, parent, off, len, depth);
  const width = aggregateWidth(t);
  if (width) return aggregate(c, parent, off, len, depth, width);
  // Unknown type: an inline command, or bytes that are not RESP.
  if (len === 0) return { span, value: { type: 0 } };
  info(c, ' [fragment]');
  tree.add(parent, F.fragment, tvb, off, span, null);
  return { span, value: { type: t, fragment: true, text: new TextDecoder('utf-8').decode(data.subarray(off, off + len)) } };
}

function blob(c: Ctx, parent: ProtoNode, off: number, len: number, depth: number): { span: number; value: RespValue } {
  const { tree, tvb, data } = c;
  const t = data[off]!;
  const verbatim = t === 0x3d;
  const hdr = lineSpan(data, off, len);
  const n = toInt32(parseInt64(data, off + 1, off + len));
  const itemDef = verbatim ? F.verbatimString : F.bulkString;
  const lenDef = verbatim ? F.verbatimStringLength : F.bulkStringLength;
  if (n < 0) {
    const item = tree.add(parent, itemDef, tvb, off, hdr, null, n === -1 ? `${itemDef.label}: [NULL]` : undefined);
    tree.add(item, lenDef, tvb, off, hdr, n);
    if (n !== -1 || verbatim) tree.expert(item, F.malformedLength, 'Error', 'Malformed length specified');
    return { span: hdr, value: { type: t } };
  }
  const start = off + len + 2;
  tvb.check(start, n + 2);
  const item = tree.add(parent, itemDef, tvb, off, len + 2 + n + 2, null);
  tree.add(item, lenDef, tvb, off, len + 2, n);
  let textStart = start;
  if (verbatim) {
    if (n > 0) {
      tree.add(item, F.verbatimStringEncoding, tvb, start, Math.min(3, n), asciiString(data, start, start + Math.min(3, n)));
      textStart = Math.min(start + 4, start + n);
      tree.add(item, F.verbatimStringValue, tvb, textStart, start + n - textStart, data.subarray(textStart, start + n));
    }
  } else if (n > 0) {
    tree.add(item, F.bulkStringValue, tvb, start, n, data.subarray(start, start + n));
  }
  const end = start + n;
  const kind = verbatim ? 'VerbatimString' : 'BulkString';
  if (isAscii(data, textStart, end)) {
    const s = asciiString(data, textStart, end);
    item.text = `${itemDef.label}: ${s}`;
    if (!c.response && depth === 1) info(c, n < INFO_MAX ? ' ' + s : ` ${kind}(${n})`);
    else if (c.response && depth === 0 && n < INFO_MAX) info(c, ' ' + s);
    else if (depth === 0) info(c, ` ${kind}(${n})`);
  } else if (depth === 0) {
    info(c, ` ${kind}(${n})`);
  }
  return { span: len + 2 + n + 2, value: { type: t, text: keepText(c, textStart, end) } };
}

const AGG: Record<number, { item: typeof F.array; length: typeof F.arrayLength; name: string }> = {
  0x2a: { item: F.array, length: F.arrayLength, name: 'Array' },
  0x7e: { item: F.set, length: F.setLength, name: 'Set' },
  0x3e: { item: F.push, length: F.pushLength, name: 'Push' },
  0x25: { item: F.map, length: F.mapLength, name: 'Map' },
  0x7c: { item: F.attribute, length: F.attributeLength, name: 'Attribute' },
};

function aggregate(c: Ctx, parent: ProtoNode, off: number, len: number, depth: number, width: number): { span: number; value: RespValue } {
  const { tree, tvb, data } = c;
  const t = data[off]!;
  const k = AGG[t]!;
  const hdr = lineSpan(data, off, len);
  const count = parseInt64(data, off + 1, off + len);
  const item = tree.add(parent, k.item, tvb, off, hdr, null);
  tree.add(item, k.length, tvb, off, hdr, count);
  const value: RespValue = { type: t, count, elements: [], seen: 0 };
  if (count <= 0n) {
    if (count === 0n) item.text = `${k.item.label}: Empty`;
    else if (count === -1n && width === 1) item.text = `${k.item.label}: NULL`;
    else tree.expert(item, F.malformedLength, 'Error', 'Malformed length specified');
    return { span: hdr, value };
  }
  item.text = `${k.item.label}: Length ${count}`;
  if (depth > MAX_DEPTH) {
    tree.expert(item, F.recursionTooDeep, 'Note', F.recursionTooDeep.label);
    return { span: hdr, value };
  }
  if (c.response && depth === 0) info(c, ` ${k.name}(${count})`);
  if (depth === 0 && impossibleCount(count, width)) {
    tree.expert(item, F.malformedLength, 'Error', `Malformed length specified: ${count} elements can never arrive`);
    return { span: hdr, value };
  }
  let pos = off + hdr;
  const want = Number(count) * width;
  let entry: ProtoNode = item;
  for (let i = 0; i < want; i++) {
    if (pos >= data.length) tvb.check(pos, 1); // elements missing: the message is cut short
    if (width === 2 && i % 2 === 0) entry = tree.text(item, tvb, pos, 1, `Entry[${i / 2}]`);
    const el = element(c, width === 2 ? entry : item, pos, depth + 1);
    if (value.elements!.length < KEEP_ELEMENTS) value.elements!.push(el.value);
    value.seen!++;
    pos += el.span;
  }
  item.length = pos - off;
  return { span: pos - off, value };
}

/** g_ascii_strtod on the line: the longest numeric prefix, "inf"/"nan" included; 0 if none. */
function parseDouble(s: string): number {
  const m = /^\s*([+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))/i.exec(s);
  if (!m) return 0;
  const v = m[1]!.toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity');
  return v.endsWith('nan') ? NaN : Number(v);
}

/** Dissect the top-level value that fills tvb; returns its summary. */
export function dissectValue(tree: PacketTree, tvb: Tvb, parent: ProtoNode, pinfo: PacketInfo, response: boolean): RespValue {
  const c: Ctx = { tree, tvb, data: tvb.data, pinfo, response };
  return element(c, parent, 0, 0).value;
}
