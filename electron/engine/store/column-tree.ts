/**
 * A PacketTree view of one frame's summary columns, for display filters that read only fields the
 * first pass stored (ports, stream, flags, analysis flags, addresses, frame numbers and lengths,
 * protocol presence). The compiled filter runs on it unchanged, so column filtering has exactly
 * the filter's semantics without re-dissecting anything.
 */
import type { CheckedExpr, CheckedValue } from '../../../shared/filter/ast';
import { lookupField } from '../../../shared/fields/registry';
import type { FieldDef } from '../../../shared/fields/types';
import { TA } from '../analysis/tcp-types';
import { PacketTree, type FieldValue, type ProtoNode } from '../decode/tree';
import { KIND_SIMPLE, KIND_TCP, KIND_UDP } from './batch';
import type { FrameStore } from './frame-store';

/** tcp.analysis.* fields and their bits in the analysis column. */
export const ANALYSIS_BITS: Readonly<Record<string, number>> = {
  'tcp.analysis.retransmission': TA.RETRANSMISSION, 'tcp.analysis.fast_retransmission': TA.FAST_RETRANSMISSION,
  'tcp.analysis.spurious_retransmission': TA.SPURIOUS_RETRANSMISSION, 'tcp.analysis.out_of_order': TA.OUT_OF_ORDER,
  'tcp.analysis.lost_segment': TA.LOST_SEGMENT, 'tcp.analysis.ack_lost_segment': TA.ACK_LOST_SEGMENT,
  'tcp.analysis.duplicate_ack': TA.DUPLICATE_ACK, 'tcp.analysis.zero_window': TA.ZERO_WINDOW,
  'tcp.analysis.zero_window_probe': TA.ZERO_WINDOW_PROBE, 'tcp.analysis.zero_window_probe_ack': TA.ZERO_WINDOW_PROBE_ACK,
  'tcp.analysis.window_full': TA.WINDOW_FULL, 'tcp.analysis.window_update': TA.WINDOW_UPDATE,
  'tcp.analysis.keep_alive': TA.KEEP_ALIVE, 'tcp.analysis.keep_alive_ack': TA.KEEP_ALIVE_ACK, 'tcp.analysis.reused_ports': TA.REUSED_PORTS,
};

/** tcp.flags.* fields and their bits in the TCP flags column. */
export const TCP_FLAG_MASKS: Readonly<Record<string, number>> = {
  'tcp.flags.res': 0xe00, 'tcp.flags.ae': 0x100, 'tcp.flags.cwr': 0x80, 'tcp.flags.ece': 0x40, 'tcp.flags.urg': 0x20,
  'tcp.flags.ack': 0x10, 'tcp.flags.push': 0x8, 'tcp.flags.reset': 0x4, 'tcp.flags.syn': 0x2, 'tcp.flags.fin': 0x1,
};

/** Fields (as values) the columns answer. */
const VALUE_FIELDS = new Set([
  'frame.number', 'frame.len', 'frame.cap_len', 'frame.interface_id', 'frame.time_relative',
  'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.stream', 'tcp.flags', ...Object.keys(TCP_FLAG_MASKS), ...Object.keys(ANALYSIS_BITS),
  'udp.srcport', 'udp.dstport', 'udp.port', 'udp.stream', 'ip.src', 'ip.dst', 'ip.addr',
]);

/** True when the filter reads only what the columns hold (protocols only as presence tests). */
export function answeredByColumns(ast: CheckedExpr): boolean {
  const value = (v: CheckedValue): boolean => {
    switch (v.k) {
      case 'field': return VALUE_FIELDS.has(v.def.name);
      case 'const': return true;
      case 'arith': return value(v.l) && value(v.r);
      case 'neg': return value(v.e);
      case 'call': return v.args.every(value);
      case 'slice': return false;
    }
  };
  const expr = (e: CheckedExpr): boolean => {
    switch (e.k) {
      case 'true': return true;
      case 'and': case 'or': case 'xor': return expr(e.l) && expr(e.r);
      case 'not': return expr(e.e);
      case 'exists': return VALUE_FIELDS.has(e.field) || isProtocol(e.field);
      case 'truthy': return value(e.v);
      case 'cmp': case 'contains': return value(e.l) && value(e.r);
      case 'matches': return value(e.l);
      case 'in': return value(e.l) && e.items.every((it) => value(it.lo) && (!it.hi || value(it.hi)));
    }
  };
  return expr(ast);
}

function isProtocol(name: string): boolean {
  return lookupField(name)?.type === 'protocol';
}

const defCache = new Map<string, FieldDef>();
function def(name: string): FieldDef {
  let d = defCache.get(name);
  if (!d) { d = lookupField(name)!; defCache.set(name, d); }
  return d;
}

const NONE: readonly ProtoNode[] = [];

export class ColumnTree extends PacketTree {
  /** The frame (0-based index) the view shows. */
  i = 0;
  private readonly ipBit: number;
  private readonly v4 = new Map<number, Uint8Array | null>();

  constructor(private readonly st: FrameStore) {
    super(new Uint8Array(0));
    this.ipBit = st.protoBit('ip');
  }

  /** Whether the columns describe frame i completely for these fields (else dissect it). */
  exact(i: number): boolean {
    return (this.st.kind.get(i) & KIND_SIMPLE) !== 0;
  }

  override has(name: string): boolean {
    const st = this.st, i = this.i;
    const bit = st.protoBit(name);
    if (bit >= 0 && isProtocol(name)) return (st.protoMask.get(i) & (1 << bit)) !== 0;
    if (isProtocol(name)) return false;
    return this.all(name).length > 0;
  }

  override first(name: string): ProtoNode | undefined {
    return this.all(name)[0];
  }

  override all(name: string): readonly ProtoNode[] {
    const st = this.st, i = this.i;
    const kind = st.kind.get(i);
    switch (name) {
      case 'frame.number': return one(name, i + 1);
      case 'frame.len': return one(name, st.origLen.get(i));
      case 'frame.cap_len': return one(name, st.capLen.get(i));
      case 'frame.interface_id': return one(name, st.iface.get(i));
      case 'frame.time_relative': return one(name, st.nsOf(i) - st.firstNs());
    }
    if (name.startsWith('tcp.')) {
      if (!(kind & KIND_TCP)) return NONE;
      switch (name) {
        case 'tcp.srcport': return one(name, st.srcPort.get(i));
        case 'tcp.dstport': return one(name, st.dstPort.get(i));
        case 'tcp.port': return two(name, st.srcPort.get(i), st.dstPort.get(i));
        case 'tcp.stream': return one(name, st.stream.get(i));
        case 'tcp.flags': return one(name, st.tcpFlags.get(i));
      }
      const m = TCP_FLAG_MASKS[name];
      if (m !== undefined) return one(name, (st.tcpFlags.get(i) & m) !== 0);
      const a = ANALYSIS_BITS[name];
      if (a !== undefined) return st.analysis.get(i) & a ? one(name, null) : NONE;
      return NONE;
    }
    if (name.startsWith('udp.')) {
      if (!(kind & KIND_UDP)) return NONE;
      switch (name) {
        case 'udp.srcport': return one(name, st.srcPort.get(i));
        case 'udp.dstport': return one(name, st.dstPort.get(i));
        case 'udp.port': return two(name, st.srcPort.get(i), st.dstPort.get(i));
        case 'udp.stream': return one(name, st.stream.get(i));
      }
      return NONE;
    }
    if (name === 'ip.src' || name === 'ip.dst' || name === 'ip.addr') {
      if (this.ipBit < 0 || !(st.protoMask.get(i) & (1 << this.ipBit))) return NONE;
      const s = this.addr(st.src.get(i)), d = this.addr(st.dst.get(i));
      if (!s || !d) return NONE;
      return name === 'ip.src' ? one(name, s) : name === 'ip.dst' ? one(name, d) : two(name, s, d);
    }
    if (isProtocol(name) && this.has(name)) return one(name, def(name).label);
    return NONE;
  }

  private addr(id: number): Uint8Array | null {
    let b = this.v4.get(id);
    if (b === undefined) {
      const parts = this.st.strings.get(id).split('.');
      b = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p)) ? Uint8Array.from(parts.map(Number)) : null;
      this.v4.set(id, b);
    }
    return b;
  }
}

function node(name: string, value: FieldValue): ProtoNode {
  return { def: def(name), value, ds: 0, start: 0, length: 0, children: null };
}

function one(name: string, v: FieldValue): readonly ProtoNode[] {
  return [node(name, v)];
}

function two(name: string, a: FieldValue, b: FieldValue): readonly ProtoNode[] {
  return [node(name, a), node(name, b)];
}
