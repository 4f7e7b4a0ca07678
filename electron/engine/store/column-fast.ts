/**
 * The common column filters (port, stream, length, flag, TCP analysis and presence tests combined
 * with and/or/not) compiled to loops over whole chunks of the typed-array columns: each test reads its
 * columns' chunk arrays directly and writes a byte per frame, and and/or/not combine those bytes.
 * No call or object per frame, and each loop sees one column type (a per-frame `get` through the
 * shared ChunkedColumn code met five array types and cost ~45 ns a frame).
 * Anything else returns null and goes through ColumnTree, which has the same semantics.
 * Multi-valued fields (tcp.port) follow Wireshark: == any, != all (and present), === all, !== any.
 */
import type { CheckedExpr, CheckedValue, CmpOp } from '../../../shared/filter/ast';
import { lookupField } from '../../../shared/fields/registry';
import { KIND_TCP, KIND_UDP } from './batch';
import { CHUNK, type ChunkedColumn } from './chunked';
import { ANALYSIS_BITS, TCP_FLAG_MASKS } from './column-tree';
import type { FrameStore } from './frame-store';

/** Sets out[j] to 1 when frame c × CHUNK + j matches, else 0, for j < n. */
export type ChunkPredicate = (c: number, n: number, out: Uint8Array) => void;

type IntColumn = ChunkedColumn<Uint8Array | Uint16Array | Uint32Array | Int32Array>;

/**
 * An integer field's values in chunk c: a[j] (and b[j] for tcp.port-like pairs) when has[j] is 1.
 * Values are doubles so one comparison loop serves every column type.
 */
interface ChunkValues {
  readonly two: boolean;
  fill(c: number, n: number): void;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly has: Uint8Array;
}

/** Reads column `x` (and `y`) of the frames whose kind has `bit` (0: every frame); `mask` turns a flag word into 0/1. */
function columnValues(st: FrameStore, bit: number, x: IntColumn, y: IntColumn | null, mask = 0): ChunkValues {
  const a = new Float64Array(CHUNK), b = new Float64Array(CHUNK), has = new Uint8Array(CHUNK);
  return {
    two: y !== null, a, b, has,
    fill(c, n) {
      const xs = x.chunk(c)!, ys = y?.chunk(c), kind = bit ? st.kind.chunk(c)! : null;
      for (let j = 0; j < n; j++) has[j] = kind === null || (kind[j]! & bit) !== 0 ? 1 : 0;
      if (mask) for (let j = 0; j < n; j++) a[j] = (xs[j]! & mask) !== 0 ? 1 : 0;
      else for (let j = 0; j < n; j++) a[j] = xs[j]!;
      if (ys) for (let j = 0; j < n; j++) b[j] = ys[j]!;
    },
  };
}

function valuesOf(st: FrameStore, name: string): ChunkValues | null {
  const l4 = name[0] === 't' ? KIND_TCP : KIND_UDP;
  switch (name) {
    case 'frame.number': {
      const a = new Float64Array(CHUNK), has = new Uint8Array(CHUNK).fill(1);
      return { two: false, a, b: a, has, fill(c, n) { for (let j = 0; j < n; j++) a[j] = c * CHUNK + j + 1; } };
    }
    case 'frame.len': return columnValues(st, 0, st.origLen, null);
    case 'frame.cap_len': return columnValues(st, 0, st.capLen, null);
    case 'frame.interface_id': return columnValues(st, 0, st.iface, null);
    case 'tcp.srcport': case 'udp.srcport': return columnValues(st, l4, st.srcPort, null);
    case 'tcp.dstport': case 'udp.dstport': return columnValues(st, l4, st.dstPort, null);
    case 'tcp.port': case 'udp.port': return columnValues(st, l4, st.srcPort, st.dstPort);
    case 'tcp.stream': case 'udp.stream': return columnValues(st, l4, st.stream, null);
    case 'tcp.flags': return columnValues(st, KIND_TCP, st.tcpFlags, null);
  }
  const m = TCP_FLAG_MASKS[name];
  return m === undefined ? null : columnValues(st, KIND_TCP, st.tcpFlags, null, m);
}

function constant(v: CheckedValue): number | null {
  if (v.k !== 'const') return null;
  const c = v.c;
  if (c.kind === 'int') return Number(c.value);
  if (c.kind === 'bool') return c.value ? 1 : 0;
  return null;
}

/** out[j] = whether value x passes, for the values in `v` (any of two, or all of two for all_*). */
function compare(v: ChunkValues, every: boolean, test: (x: number) => boolean): ChunkPredicate {
  const { a, b, has } = v;
  return (c, n, out) => {
    v.fill(c, n);
    if (!v.two) { for (let j = 0; j < n; j++) out[j] = has[j] && test(a[j]!) ? 1 : 0; return; }
    if (every) for (let j = 0; j < n; j++) out[j] = has[j] && test(a[j]!) && test(b[j]!) ? 1 : 0;
    else for (let j = 0; j < n; j++) out[j] = has[j] && (test(a[j]!) || test(b[j]!)) ? 1 : 0;
  };
}

/** `field == k` (any value equal), the commonest test, without a call per value. */
function equals(v: ChunkValues, k: number): ChunkPredicate {
  const { a, b, has } = v;
  return (c, n, out) => {
    v.fill(c, n);
    if (v.two) for (let j = 0; j < n; j++) out[j] = has[j] && (a[j] === k || b[j] === k) ? 1 : 0;
    else for (let j = 0; j < n; j++) out[j] = has[j] && a[j] === k ? 1 : 0;
  };
}

function testOf(op: CmpOp, k: number): (x: number) => boolean {
  switch (op) {
    case 'any_eq': case 'all_eq': return (x) => x === k;
    case 'any_ne': case 'all_ne': return (x) => x !== k;
    case 'gt': return (x) => x > k;
    case 'ge': return (x) => x >= k;
    case 'lt': return (x) => x < k;
    case 'le': return (x) => x <= k;
  }
}

/** Both sides into out: `and` keeps frames both match, `or` frames either matches. */
function combine(l: ChunkPredicate, r: ChunkPredicate, and: boolean): ChunkPredicate {
  const tmp = new Uint8Array(CHUNK);
  return (c, n, out) => {
    l(c, n, out);
    r(c, n, tmp);
    if (and) for (let j = 0; j < n; j++) out[j] = out[j]! & tmp[j]!;
    else for (let j = 0; j < n; j++) out[j] = out[j]! | tmp[j]!;
  };
}

export function compileColumnFast(e: CheckedExpr, st: FrameStore): ChunkPredicate | null {
  switch (e.k) {
    case 'true': return (_c, n, out) => { out.fill(1, 0, n); };
    case 'and': case 'or': {
      const l = compileColumnFast(e.l, st), r = compileColumnFast(e.r, st);
      return l && r ? combine(l, r, e.k === 'and') : null;
    }
    case 'not': {
      const x = compileColumnFast(e.e, st);
      return x ? (c, n, out) => { x(c, n, out); for (let j = 0; j < n; j++) out[j] = out[j]! ^ 1; } : null;
    }
    case 'exists': {
      // A protocol's presence and a TCP analysis flag are bits of a column: the bit read as 0/1, equal to 1.
      if (lookupField(e.field)?.type === 'protocol') {
        const bit = st.protoBit(e.field);
        if (bit < 0) return (_c, n, out) => { out.fill(0, 0, n); };
        return equals(columnValues(st, 0, st.protoMask, null, 1 << bit), 1);
      }
      const a = ANALYSIS_BITS[e.field];
      if (a !== undefined) return equals(columnValues(st, KIND_TCP, st.analysis, null, a), 1);
      const v = valuesOf(st, e.field);
      return v ? (c, n, out) => { v.fill(c, n); out.set(v.has.subarray(0, n)); } : null;
    }
    case 'cmp': {
      if (e.l.k !== 'field') return null;
      const v = valuesOf(st, e.l.def.name);
      const k = constant(e.r);
      if (!v || k === null) return null;
      if (e.op === 'any_eq') return equals(v, k);
      return compare(v, e.op === 'all_eq' || e.op === 'all_ne', testOf(e.op, k));
    }
    case 'in': {
      if (e.l.k !== 'field') return null;
      const v = valuesOf(st, e.l.def.name);
      if (!v) return null;
      const ranges: [number, number][] = [];
      for (const it of e.items) {
        const lo = constant(it.lo), hi = it.hi ? constant(it.hi) : lo;
        if (lo === null || hi === null) return null;
        ranges.push([lo, hi]);
      }
      const member = (x: number) => ranges.some(([lo, hi]) => x >= lo && x <= hi);
      // `not in`: present, and no value in any range (so every value outside them).
      return e.negated ? compare(v, true, (x) => !member(x)) : compare(v, false, member);
    }
    default: return null;
  }
}
