/**
 * The common column filters (port, stream, length, flag and presence tests combined with
 * and/or/not) compiled straight to reads of the typed-array columns, with no object per frame.
 * Anything else returns null and goes through ColumnTree, which has the same semantics.
 * Multi-valued fields (tcp.port) follow Wireshark: == any, != all (and present), === all, !== any.
 */
import type { CheckedExpr, CheckedValue, CmpOp } from '../../../shared/filter/ast';
import { lookupField } from '../../../shared/fields/registry';
import { KIND_TCP, KIND_UDP } from './batch';
import type { FrameStore } from './frame-store';

export type FramePredicate = (i: number) => boolean;
type Values = (i: number, out: number[]) => number;

const TCP_FLAG_MASKS: Readonly<Record<string, number>> = {
  'tcp.flags.res': 0xe00, 'tcp.flags.ae': 0x100, 'tcp.flags.cwr': 0x80, 'tcp.flags.ece': 0x40, 'tcp.flags.urg': 0x20,
  'tcp.flags.ack': 0x10, 'tcp.flags.push': 0x8, 'tcp.flags.reset': 0x4, 'tcp.flags.syn': 0x2, 'tcp.flags.fin': 0x1,
};

/** Values of an integer column field for frame i into out; returns how many (0 when absent). */
function valuesOf(st: FrameStore, name: string): Values | null {
  const l4 = (bit: number, f: (i: number, out: number[]) => number): Values => (i, out) => (st.kind.get(i) & bit ? f(i, out) : 0);
  switch (name) {
    case 'frame.number': return (i, out) => { out[0] = i + 1; return 1; };
    case 'frame.len': return (i, out) => { out[0] = st.origLen.get(i); return 1; };
    case 'frame.cap_len': return (i, out) => { out[0] = st.capLen.get(i); return 1; };
    case 'frame.interface_id': return (i, out) => { out[0] = st.iface.get(i); return 1; };
    case 'tcp.srcport': case 'udp.srcport': return l4(name[0] === 't' ? KIND_TCP : KIND_UDP, (i, out) => { out[0] = st.srcPort.get(i); return 1; });
    case 'tcp.dstport': case 'udp.dstport': return l4(name[0] === 't' ? KIND_TCP : KIND_UDP, (i, out) => { out[0] = st.dstPort.get(i); return 1; });
    case 'tcp.port': case 'udp.port':
      return l4(name[0] === 't' ? KIND_TCP : KIND_UDP, (i, out) => { out[0] = st.srcPort.get(i); out[1] = st.dstPort.get(i); return 2; });
    case 'tcp.stream': case 'udp.stream': return l4(name[0] === 't' ? KIND_TCP : KIND_UDP, (i, out) => { out[0] = st.stream.get(i); return 1; });
    case 'tcp.flags': return l4(KIND_TCP, (i, out) => { out[0] = st.tcpFlags.get(i); return 1; });
  }
  const m = TCP_FLAG_MASKS[name];
  if (m !== undefined) return l4(KIND_TCP, (i, out) => { out[0] = st.tcpFlags.get(i) & m ? 1 : 0; return 1; });
  return null;
}

function constant(v: CheckedValue): number | null {
  if (v.k !== 'const') return null;
  const c = v.c;
  if (c.kind === 'int') return Number(c.value);
  if (c.kind === 'bool') return c.value ? 1 : 0;
  return null;
}

function cmp(op: CmpOp, get: Values, c: number): FramePredicate {
  const buf: number[] = [0, 0];
  const test = { any_eq: (a: number) => a === c, all_eq: (a: number) => a === c, all_ne: (a: number) => a !== c, any_ne: (a: number) => a !== c,
    gt: (a: number) => a > c, ge: (a: number) => a >= c, lt: (a: number) => a < c, le: (a: number) => a <= c }[op];
  const every = op === 'all_eq' || op === 'all_ne';
  return (i) => {
    const n = get(i, buf);
    if (n === 0) return false;
    if (every) { for (let k = 0; k < n; k++) if (!test(buf[k]!)) return false; return true; }
    for (let k = 0; k < n; k++) if (test(buf[k]!)) return true;
    return false;
  };
}

export function compileColumnFast(e: CheckedExpr, st: FrameStore): FramePredicate | null {
  switch (e.k) {
    case 'true': return () => true;
    case 'and': case 'or': {
      const l = compileColumnFast(e.l, st), r = compileColumnFast(e.r, st);
      if (!l || !r) return null;
      return e.k === 'and' ? (i) => l(i) && r(i) : (i) => l(i) || r(i);
    }
    case 'not': {
      const x = compileColumnFast(e.e, st);
      return x ? (i) => !x(i) : null;
    }
    case 'exists': {
      if (lookupField(e.field)?.type === 'protocol') {
        const bit = st.protoBit(e.field);
        if (bit < 0) return () => false;
        const m = (1 << bit) >>> 0;
        return (i) => (st.protoMask.get(i) & m) !== 0;
      }
      const get = valuesOf(st, e.field);
      if (!get) return null;
      const buf = [0, 0];
      return (i) => get(i, buf) > 0;
    }
    case 'cmp': {
      if (e.l.k !== 'field') return null;
      const get = valuesOf(st, e.l.def.name);
      const c = constant(e.r);
      if (!get || c === null) return null;
      return cmp(e.op, get, c);
    }
    case 'in': {
      if (e.l.k !== 'field') return null;
      const get = valuesOf(st, e.l.def.name);
      if (!get) return null;
      const ranges: [number, number][] = [];
      for (const it of e.items) {
        const lo = constant(it.lo), hi = it.hi ? constant(it.hi) : lo;
        if (lo === null || hi === null) return null;
        ranges.push([lo, hi]);
      }
      const buf = [0, 0];
      const member = (a: number) => ranges.some(([lo, hi]) => a >= lo && a <= hi);
      if (e.negated) return (i) => { const n = get(i, buf); if (!n) return false; for (let k = 0; k < n; k++) if (member(buf[k]!)) return false; return true; };
      return (i) => { const n = get(i, buf); for (let k = 0; k < n; k++) if (member(buf[k]!)) return true; return false; };
    }
    default: return null;
  }
}
