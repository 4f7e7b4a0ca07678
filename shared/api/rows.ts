/**
 * Packed row pages: the packet list travels as one ArrayBuffer per page (no object per row), built
 * by the engine (encodeRows) and read by the renderer (decodeRows / RowsView). Little-endian.
 *
 *   header   16 bytes   u32 magic 0x31524244 ("DBR1"), u32 rowCount, u32 stringCount, u32 textBytes
 *   rows     48 bytes   f64 time (s since the first frame), u32 num, u32 length (bytes on the wire),
 *            each       i32 stream (tcp.stream or -1), u32 source, u32 destination, u32 protocol
 *                       (the three are indexes into the string table), u32 infoOffset, u32 infoLength
 *                       (UTF-8 bytes in the text section), u8 colour (index into ROW_COLORS), 7 pad
 *   strings  8 bytes    u32 offset, u32 length into the text section (UTF-8)
 *            each
 *   text     textBytes  UTF-8 bytes of the strings and the Info texts
 *
 * Source/destination/protocol repeat across rows, so each page lists them once.
 */
import type { PacketRow, RowColor } from './types';

export const ROWS_MAGIC = 0x31524244;
export const ROW_HEADER_BYTES = 16;
export const ROW_BYTES = 48;
export const ROW_STRING_BYTES = 8;

/** Colour classes by their code in a page. */
export const ROW_COLORS: readonly RowColor[] = ['none', 'bad-tcp', 'rst', 'syn-fin', 'db-error', 'db', 'tcp', 'udp'];
export const ROW_COLOR_CODE: Readonly<Record<RowColor, number>> = Object.fromEntries(ROW_COLORS.map((c, i) => [c, i])) as Record<RowColor, number>;

/** One row as the engine has it: strings for the repeated columns, Info as UTF-8 bytes or text. */
export interface RowInput {
  readonly num: number;
  readonly time: number;
  readonly length: number;
  readonly stream: number;
  readonly source: string;
  readonly destination: string;
  readonly protocol: string;
  readonly info: Uint8Array | string;
  readonly color: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeRows(rows: readonly RowInput[]): ArrayBuffer {
  const strings = new Map<string, number>();
  const stringBytes: Uint8Array[] = [];
  const intern = (s: string): number => {
    let i = strings.get(s);
    if (i === undefined) { i = stringBytes.length; strings.set(s, i); stringBytes.push(enc.encode(s)); }
    return i;
  };
  const refs = rows.map((r) => [intern(r.source), intern(r.destination), intern(r.protocol)] as const);
  const infos = rows.map((r) => (typeof r.info === 'string' ? enc.encode(r.info) : r.info));
  let text = 0;
  for (const b of stringBytes) text += b.length;
  for (const b of infos) text += b.length;
  const stringsAt = ROW_HEADER_BYTES + rows.length * ROW_BYTES;
  const textAt = stringsAt + stringBytes.length * ROW_STRING_BYTES;
  const buf = new ArrayBuffer(textAt + text);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  v.setUint32(0, ROWS_MAGIC, true);
  v.setUint32(4, rows.length, true);
  v.setUint32(8, stringBytes.length, true);
  v.setUint32(12, text, true);
  let t = 0;
  stringBytes.forEach((b, i) => {
    v.setUint32(stringsAt + i * 8, t, true);
    v.setUint32(stringsAt + i * 8 + 4, b.length, true);
    u8.set(b, textAt + t);
    t += b.length;
  });
  rows.forEach((r, i) => {
    const o = ROW_HEADER_BYTES + i * ROW_BYTES;
    const info = infos[i]!;
    v.setFloat64(o, r.time, true);
    v.setUint32(o + 8, r.num, true);
    v.setUint32(o + 12, r.length, true);
    v.setInt32(o + 16, r.stream, true);
    v.setUint32(o + 20, refs[i]![0], true);
    v.setUint32(o + 24, refs[i]![1], true);
    v.setUint32(o + 28, refs[i]![2], true);
    v.setUint32(o + 32, t, true);
    v.setUint32(o + 36, info.length, true);
    v.setUint8(o + 40, r.color);
    u8.set(info, textAt + t);
    t += info.length;
  });
  return buf;
}

/** Reads rows of a page lazily (a virtual list decodes only what it shows). */
export class RowsView {
  readonly count: number;
  private readonly v: DataView;
  private readonly u8: Uint8Array;
  private readonly strings: string[];
  private readonly textAt: number;

  constructor(buffer: ArrayBuffer) {
    this.v = new DataView(buffer);
    this.u8 = new Uint8Array(buffer);
    if (buffer.byteLength < ROW_HEADER_BYTES || this.v.getUint32(0, true) !== ROWS_MAGIC) throw new Error('not a packed row page');
    this.count = this.v.getUint32(4, true);
    const nStrings = this.v.getUint32(8, true);
    const stringsAt = ROW_HEADER_BYTES + this.count * ROW_BYTES;
    this.textAt = stringsAt + nStrings * ROW_STRING_BYTES;
    if (this.textAt + this.v.getUint32(12, true) > buffer.byteLength) throw new Error('row page is truncated');
    this.strings = [];
    for (let i = 0; i < nStrings; i++) {
      const off = this.v.getUint32(stringsAt + i * 8, true), len = this.v.getUint32(stringsAt + i * 8 + 4, true);
      this.strings.push(dec.decode(this.u8.subarray(this.textAt + off, this.textAt + off + len)));
    }
  }

  row(i: number): PacketRow {
    if (i < 0 || i >= this.count) throw new RangeError(`row ${i} of ${this.count}`);
    const o = ROW_HEADER_BYTES + i * ROW_BYTES;
    const v = this.v;
    const infoOff = v.getUint32(o + 32, true), infoLen = v.getUint32(o + 36, true);
    return {
      time: v.getFloat64(o, true),
      num: v.getUint32(o + 8, true),
      length: v.getUint32(o + 12, true),
      stream: v.getInt32(o + 16, true),
      source: this.strings[v.getUint32(o + 20, true)] ?? '',
      destination: this.strings[v.getUint32(o + 24, true)] ?? '',
      protocol: this.strings[v.getUint32(o + 28, true)] ?? '',
      info: dec.decode(this.u8.subarray(this.textAt + infoOff, this.textAt + infoOff + infoLen)),
      color: ROW_COLORS[v.getUint8(o + 40)] ?? 'none',
    };
  }
}

export function decodeRows(buffer: ArrayBuffer): PacketRow[] {
  const view = new RowsView(buffer);
  const out: PacketRow[] = [];
  for (let i = 0; i < view.count; i++) out.push(view.row(i));
  return out;
}
