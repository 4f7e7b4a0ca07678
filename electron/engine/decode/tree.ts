/**
 * The field tree of one packet (Wireshark's proto_tree): items with a field, a value and a byte
 * range in a data source. It also indexes items by field name, which is what `-e FIELD` and the
 * display filter read.
 */
import type { FieldDef, ProtocolDef } from '../../../shared/fields/types';
import { WS } from '../../../shared/fields/ws';
import type { Tvb } from './tvb';

/** A value as decoded. Integers above 2^53 are bigint; addresses are raw bytes. */
export type FieldValue = number | bigint | string | boolean | Uint8Array | null;

export interface ProtoNode {
  /** The field, or null for a text-only line. */
  readonly def: FieldDef | null;
  value: FieldValue;
  /** Data source (0 = frame bytes) and byte range within it; length 0 for generated items. */
  readonly ds: number;
  readonly start: number;
  length: number;
  /** Label override; otherwise the renderer formats "Label: value". */
  text?: string;
  /** Computed by us rather than read from the bytes (Wireshark's [brackets]). */
  generated?: boolean;
  /** Filterable but not shown (Wireshark's hidden items). */
  hidden?: boolean;
  children: ProtoNode[] | null;
}

export interface DataSource {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type IntEncoding = 'be' | 'le';

/** Lookups a tree answers by scanning its items before it makes an index by name. */
const SCANS_BEFORE_INDEX = 4;

function indexNode(index: Map<string, ProtoNode[]>, node: ProtoNode): void {
  const list = index.get(node.def!.name);
  if (list) list.push(node);
  else index.set(node.def!.name, [node]);
}

export class PacketTree {
  readonly roots: ProtoNode[] = [];
  readonly dataSources: DataSource[] = [];
  /** Items with a field, in order of insertion. */
  private readonly added: ProtoNode[] = [];
  /**
   * Items by field name, in order of insertion: made at the first lookups past a few (a filter
   * naming one or two fields scans `added` instead; most trees are never looked up at all).
   */
  private index: Map<string, ProtoNode[]> | null = null;
  private scans = 0;
  /** Names of protocol items in order, for frame.protocols. */
  readonly protocols: string[] = [];
  /**
   * True for a tree that keeps no items (the first pass's SummaryTree): layers may then skip
   * building items and texts, but never a read or bounds check that can make a packet malformed.
   */
  get lean(): boolean { return false; }

  constructor(frameBytes: Uint8Array) {
    this.dataSources.push({ name: 'Frame', bytes: frameBytes });
  }

  addDataSource(name: string, bytes: Uint8Array): number {
    this.dataSources.push({ name, bytes });
    return this.dataSources.length - 1;
  }

  protected attach(parent: ProtoNode | null, node: ProtoNode): ProtoNode {
    if (parent) (parent.children ??= []).push(node);
    else this.roots.push(node);
    if (node.def) {
      this.added.push(node);
      if (this.index) indexNode(this.index, node);
    }
    return node;
  }

  /** Whether this lookup scans the items (the first few, while there is no index). */
  private scanning(): boolean {
    return !this.index && ++this.scans <= SCANS_BEFORE_INDEX;
  }

  /** The index, made now if it is not yet. */
  private byName(): Map<string, ProtoNode[]> {
    if (!this.index) {
      this.index = new Map();
      for (const n of this.added) indexNode(this.index, n);
    }
    return this.index;
  }

  /** Add an item whose value the caller already decoded. */
  add(parent: ProtoNode | null, def: FieldDef, tvb: Tvb, off: number, len: number, value: FieldValue, text?: string): ProtoNode {
    return this.attach(parent, { def, value, ds: tvb.ds, start: tvb.base + off, length: len, text, children: null });
  }

  /** Add an item, reading its value from the bytes according to the field's type (proto_tree_add_item). */
  item(parent: ProtoNode | null, def: FieldDef, tvb: Tvb, off: number, len: number, enc: IntEncoding = 'be'): ProtoNode {
    return this.add(parent, def, tvb, off, len, readValue(def, tvb, off, len, enc));
  }

  /** A computed item with no bytes of its own (shown in brackets). */
  generated(parent: ProtoNode | null, def: FieldDef, value: FieldValue, text?: string, ds = 0, start = 0): ProtoNode {
    return this.attach(parent, { def, value, ds, start, length: 0, text, generated: true, children: null });
  }

  /** A filterable item not shown in the tree. */
  hidden(parent: ProtoNode | null, def: FieldDef, tvb: Tvb, off: number, len: number, value: FieldValue): ProtoNode {
    const n = this.add(parent, def, tvb, off, len, value);
    n.hidden = true;
    return n;
  }

  text(parent: ProtoNode | null, tvb: Tvb, off: number, len: number, text: string): ProtoNode {
    return this.attach(parent, { def: null, value: null, ds: tvb.ds, start: tvb.base + off, length: len, text, children: null });
  }

  /** The protocol's own item, parent of its fields. */
  protocol(parent: ProtoNode | null, proto: ProtocolDef, tvb: Tvb, off: number, len: number, text?: string): ProtoNode {
    this.protocols.push(proto.name);
    const self = proto.fields[0]!;
    const label = text ?? proto.label;
    // tshark prints a protocol item's label as its -T fields value.
    return this.attach(parent, { def: self, value: label, ds: tvb.ds, start: tvb.base + off, length: len, text: label, children: null });
  }

  /** Expert info: the flag field plus _ws.expert with the message (as Wireshark's expert items). */
  expert(parent: ProtoNode | null, def: FieldDef, severity: ExpertSeverity, message: string, tvb?: Tvb, off = 0, len = 0): ProtoNode {
    const node = tvb ? this.add(parent, def, tvb, off, len, null, message) : this.generated(parent, def, null, message);
    const ex = this.generated(node, WS.f.expert, null, `Expert Info (${severity}): ${message}`);
    this.generated(ex, WS.f.expertMessage, message);
    this.generated(ex, WS.f.expertSeverity, SEVERITY_VALUES[severity]);
    return node;
  }

  /** Change a protocol item's label (and so its -T fields value) once more is known. */
  setProtocolText(node: ProtoNode, text: string): void {
    node.text = text;
    node.value = text;
  }

  /** The capture cut the packet short where `protoShort` needed more bytes (Wireshark's _ws.short). */
  short(parent: ProtoNode | null, protoShort: string): ProtoNode {
    return this.generated(parent, WS.f.short, `[Packet size limited during capture: ${protoShort} truncated]`, `[Packet size limited during capture: ${protoShort} truncated]`);
  }

  /** Mark the packet malformed under `parent` (Wireshark's "[Malformed Packet: PROTO]"). */
  malformed(parent: ProtoNode | null, protoShort: string, reason: string): ProtoNode {
    const n = this.generated(parent, WS.f.malformed, null, `[Malformed Packet: ${protoShort}] ${reason}`);
    this.protocols.push('_ws.malformed');
    return n;
  }

  /** Every item of a field, in tree order. */
  all(name: string): readonly ProtoNode[] {
    if (!this.scanning()) return this.byName().get(name) ?? EMPTY;
    let found: ProtoNode[] | null = null;
    for (const n of this.added) if (n.def!.name === name) (found ??= []).push(n);
    return found ?? EMPTY;
  }

  first(name: string): ProtoNode | undefined {
    if (!this.scanning()) return this.byName().get(name)?.[0];
    for (const n of this.added) if (n.def!.name === name) return n;
    return undefined;
  }

  has(name: string): boolean {
    return this.first(name) !== undefined;
  }

  /** Field names present, for filter pre-checks. */
  names(): IterableIterator<string> {
    return this.byName().keys();
  }
}

const EMPTY: readonly ProtoNode[] = [];

export type ExpertSeverity = 'Chat' | 'Note' | 'Warning' | 'Error' | 'Comment';
const SEVERITY_VALUES: Record<ExpertSeverity, number> = {
  Comment: 0x00100000, Chat: 0x00200000, Note: 0x00400000, Warning: 0x00600000, Error: 0x00800000,
};

/** Read a field's value from bytes by its declared type, as proto_tree_add_item does. */
export function readValue(def: FieldDef, tvb: Tvb, off: number, len: number, enc: IntEncoding): FieldValue {
  switch (def.type) {
    case 'uint':
    case 'int':
    case 'bool': {
      let v: number;
      if (len === 1) v = tvb.u8(off);
      else if (len === 2) v = enc === 'be' ? tvb.u16(off) : tvb.u16le(off);
      else if (len === 3) v = enc === 'be' ? tvb.u24(off) : tvb.u24le(off);
      else if (len === 4) v = enc === 'be' ? tvb.u32(off) : tvb.u32le(off);
      else throw new Error(`field ${def.name}: integer of ${len} bytes`);
      if (def.mask !== undefined) {
        v = (v & def.mask) >>> 0;
        if (def.type !== 'bool') v = v / lowestBit(def.mask);
      }
      if (def.type === 'int' && len < 4) { const sh = 32 - len * 8; v = (v << sh) >> sh; }
      else if (def.type === 'int') v = v | 0;
      return def.type === 'bool' ? v !== 0 : v;
    }
    case 'uint64':
    case 'int64': {
      const v = len === 8 ? (enc === 'be' ? tvb.u64(off) : tvb.u64le(off)) : BigInt(len <= 4 ? readValue({ ...def, type: 'uint' }, tvb, off, len, enc) as number : 0);
      return def.type === 'int64' ? BigInt.asIntN(64, v) : v;
    }
    case 'string': return tvb.str(off, len, 'utf8');
    case 'char': return String.fromCharCode(tvb.u8(off));
    case 'bytes':
    case 'ether':
    case 'ipv4':
    case 'ipv6': return tvb.bytes(off, len);
    case 'double': return len === 4 ? tvb.f32le(off) : tvb.f64le(off);
    case 'none':
    case 'protocol': tvb.check(off, len); return null;
    default: throw new Error(`field ${def.name}: cannot read type ${def.type}`);
  }
}

function lowestBit(mask: number): number {
  return (mask & -mask) >>> 0 || 1;
}
