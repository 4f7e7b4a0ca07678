/**
 * Compile a checked filter tree into closures over a PacketTree: every node becomes a function
 * once, so matching a packet is plain calls, not a walk over the tree.
 * Semantics are Wireshark 4.0's: a field with several occurrences matches `==` if any does,
 * `!=` only if all differ (and at least one exists), `===` if all are equal, `!==` if any differs.
 */
import type { CheckedExpr, CheckedSetItem, CheckedValue, CmpOp, Constant, SliceRange, ValueKind } from '../../../shared/filter/ast';
import type { PacketTree } from '../decode/tree';
import { formatEther, formatIPv4, formatIPv6, normalize, protocolTail, toBytes, type Val } from './values';

export type Predicate = (tree: PacketTree) => boolean;
type Getter = (tree: PacketTree) => Val[];
type Eq = (a: Val, b: Val) => boolean;
type Ord = (a: Val, b: Val) => number;

const NONE: Val[] = [];

export function compileExpr(e: CheckedExpr): Predicate {
  switch (e.k) {
    case 'true': return () => true;
    case 'and': { const l = compileExpr(e.l); const r = compileExpr(e.r); return (t) => l(t) && r(t); }
    case 'or': { const l = compileExpr(e.l); const r = compileExpr(e.r); return (t) => l(t) || r(t); }
    case 'xor': { const l = compileExpr(e.l); const r = compileExpr(e.r); return (t) => l(t) !== r(t); }
    case 'not': { const x = compileExpr(e.e); return (t) => !x(t); }
    case 'exists': { const name = e.field; return (t) => t.has(name); }
    case 'truthy': {
      const g = compileValue(e.v);
      if (e.v.k === 'arith') return (t) => g(t).some(nonZero);
      return (t) => g(t).length > 0;
    }
    case 'cmp': return compileCmp(e.op, e.l, e.r);
    case 'contains': {
      const l = searchedValue(e.l);
      const r = compileValue(e.r);
      const has = e.l.kind === 'string' ? stringContains : bytesContains;
      return (t) => {
        const rs = r(t);
        if (!rs.length) return false;
        return l(t).some((a) => rs.some((b) => has(a, b)));
      };
    }
    case 'matches': {
      const l = searchedValue(e.l);
      const re = new RegExp(e.source, e.flags);
      const asText = e.l.kind === 'string' ? (v: Val) => v as string : (v: Val) => latin1(v as Uint8Array);
      return (t) => l(t).some((a) => re.test(asText(a)));
    }
    case 'in': return compileIn(e.negated, e.l, e.items);
  }
}

function compileCmp(op: CmpOp, lv: CheckedValue, rv: CheckedValue): Predicate {
  const l = compileValue(lv);
  const r = compileValue(rv);
  const kind = lv.kind === 'float' || rv.kind === 'float' ? 'float' : lv.kind;
  const eq = equality(kind, rv);
  const ord = ordering(kind);
  const test: (a: Val, b: Val) => boolean = {
    any_eq: eq, all_ne: eq, all_eq: eq, any_ne: eq,
    gt: (a: Val, b: Val) => ord(a, b) > 0, ge: (a: Val, b: Val) => ord(a, b) >= 0,
    lt: (a: Val, b: Val) => ord(a, b) < 0, le: (a: Val, b: Val) => ord(a, b) <= 0,
  }[op];
  // all_ne and any_ne negate equality; all_* need every pair, any_* one pair.
  const every = op === 'all_ne' || op === 'all_eq';
  const negate = op === 'all_ne' || op === 'any_ne';
  return (t) => {
    const ls = l(t);
    if (!ls.length) return false;
    const rs = r(t);
    if (!rs.length) return false;
    if (every) {
      for (const a of ls) for (const b of rs) if (test(a, b) === negate) return false;
      return true;
    }
    for (const a of ls) for (const b of rs) if (test(a, b) !== negate) return true;
    return false;
  };
}

function compileIn(negated: boolean, lv: CheckedValue, items: readonly CheckedSetItem[]): Predicate {
  const l = compileValue(lv);
  const ord = ordering(lv.kind);
  const tests = items.map((it): ((t: PacketTree, a: Val) => boolean) => {
    const lo = compileValue(it.lo);
    const eq = equality(lv.kind, it.lo);
    if (!it.hi) return (t, a) => lo(t).some((b) => eq(a, b));
    const hi = compileValue(it.hi);
    return (t, a) => lo(t).some((x) => ord(a, x) >= 0) && hi(t).some((y) => ord(a, y) <= 0);
  });
  const member = (t: PacketTree, a: Val) => tests.some((f) => f(t, a));
  if (negated) return (t) => { const ls = l(t); return ls.length > 0 && ls.every((a) => !member(t, a)); };
  return (t) => l(t).some((a) => member(t, a));
}

// ---------------------------------------------------------------------------------------------
// Values

/** The haystack of `contains` / `matches`: a protocol searches to the end of its data. */
function searchedValue(v: CheckedValue): Getter {
  if (v.k !== 'field' || v.def.type !== 'protocol') return compileValue(v);
  const name = v.def.name;
  return (t) => {
    const out: Val[] = [];
    for (const n of t.all(name)) {
      const b = protocolTail(t, n);
      if (b) out.push(b);
    }
    return out;
  };
}

export function compileValue(v: CheckedValue): Getter {
  switch (v.k) {
    case 'const': {
      const one = [constValue(v.c)];
      return () => one;
    }
    case 'field': {
      const { def, kind } = v;
      const name = def.name;
      return (t) => {
        const nodes = t.all(name);
        if (!nodes.length) return NONE;
        const out: Val[] = [];
        for (const n of nodes) {
          const x = normalize(t, n, def, kind);
          if (x !== undefined) out.push(x);
        }
        return out;
      };
    }
    case 'slice': {
      const of = compileValue(v.of);
      const ranges = v.ranges;
      return (t) => {
        const out: Val[] = [];
        for (const x of of(t)) {
          const b = toBytes(x);
          const s = b && sliceBytes(b, ranges);
          if (s) out.push(s);
        }
        return out;
      };
    }
    case 'neg': {
      const e = compileValue(v.e);
      return (t) => e(t).map((x) => (typeof x === 'bigint' ? -x : -(x as number)));
    }
    case 'arith': return compileArith(v.op, compileValue(v.l), compileValue(v.r), v.kind);
    case 'call': return compileCall(v);
  }
}

function compileArith(op: string, l: Getter, r: Getter, kind: ValueKind): Getter {
  if (kind === 'bytes') {
    return (t) => {
      const out: Val[] = [];
      for (const a of l(t) as Uint8Array[]) for (const b of r(t) as Uint8Array[]) {
        if (a.length !== b.length) continue;
        out.push(a.map((x, i) => x & b[i]!));
      }
      return out;
    };
  }
  const float = kind === 'float';
  return (t) => {
    const out: Val[] = [];
    for (const a of l(t)) for (const b of r(t)) {
      const x = arith(op, a as number | bigint, b as number | bigint, float);
      if (x !== undefined) out.push(x);
    }
    return out;
  };
}

function arith(op: string, a: number | bigint, b: number | bigint, float: boolean): number | bigint | undefined {
  if (float) {
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '+': return x + y;
      case '-': return x - y;
      case '*': return x * y;
      case '/': return y === 0 ? undefined : x / y;
      case '%': return y === 0 ? undefined : x % y;
      default: return undefined;
    }
  }
  const x = BigInt(a);
  const y = BigInt(b);
  let z: bigint;
  switch (op) {
    case '+': z = x + y; break;
    case '-': z = x - y; break;
    case '*': z = x * y; break;
    case '/': if (y === 0n) return undefined; z = x / y; break;
    case '%': if (y === 0n) return undefined; z = x % y; break;
    case '&': z = x & y; break;
    default: return undefined;
  }
  return z >= -9007199254740991n && z <= 9007199254740991n ? Number(z) : z;
}

function compileCall(v: Extract<CheckedValue, { k: 'call' }>): Getter {
  const args = v.args.map(compileValue);
  const a0 = args[0]!;
  const arg = v.args[0]!;
  switch (v.fn) {
    case 'count': {
      const name = arg.k === 'field' ? arg.def.name : '';
      return (t) => { const n = t.all(name).length; return n ? [n] : NONE; };
    }
    case 'len': {
      const intBytes = arg.k === 'field' ? Math.max(1, Math.ceil((arg.def.bits ?? 32) / 8)) : 8;
      const len = (x: Val): number => {
        if (typeof x === 'string') return utf8Length(x);
        if (x instanceof Uint8Array) return x.length;
        if (arg.kind === 'ipv4') return 4;
        if (arg.kind === 'int') return intBytes;
        if (arg.kind === 'float' || arg.kind === 'time') return 8;
        return 1;
      };
      return (t) => a0(t).map(len);
    }
    case 'upper': return (t) => a0(t).map((x) => (x as string).toUpperCase());
    case 'lower': return (t) => a0(t).map((x) => (x as string).toLowerCase());
    case 'string': {
      const fmt: (x: Val) => string =
        arg.kind === 'ipv4' ? (x) => formatIPv4(x as number)
          : arg.kind === 'ipv6' ? (x) => formatIPv6(x as Uint8Array)
            : arg.kind === 'bytes' ? (x) => formatEther(x as Uint8Array)
              : (x) => String(x);
      return (t) => a0(t).map(fmt);
    }
    case 'abs': return (t) => a0(t).map((x) => (typeof x === 'bigint' ? (x < 0n ? -x : x) : Math.abs(x as number)));
    case 'min':
    case 'max': {
      const ord = ordering(v.kind);
      const sign = v.fn === 'min' ? -1 : 1;
      // Every field named as an argument must exist (Wireshark's implicit existence test).
      return (t) => {
        let best: Val | undefined;
        for (const g of args) {
          const xs = g(t);
          if (!xs.length) return NONE;
          for (const x of xs) if (best === undefined || ord(x, best) * sign > 0) best = x;
        }
        return best === undefined ? NONE : [best];
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparisons per value kind

function constValue(c: Constant): Val {
  return c.value;
}

/** Equality; a CIDR constant on the right compares only its prefix. */
function equality(kind: ValueKind, r: CheckedValue): Eq {
  const prefix = r.k === 'const' && (r.c.kind === 'ipv4' || r.c.kind === 'ipv6') ? r.c.prefix : undefined;
  switch (kind) {
    case 'ipv4': {
      if (prefix === undefined || prefix === 32) return (a, b) => a === b;
      const shift = 32 - prefix;
      return (a, b) => shift >= 32 || ((a as number) >>> shift) === ((b as number) >>> shift);
    }
    case 'ipv6': {
      const bits = prefix ?? 128;
      return (a, b) => prefixEqual(a as Uint8Array, b as Uint8Array, bits);
    }
    case 'bytes': return (a, b) => bytesCompare(a as Uint8Array, b as Uint8Array) === 0;
    case 'bool': return (a, b) => asBool(a) === asBool(b);
    case 'int': return (a, b) => typeof a === 'boolean' || typeof b === 'boolean' ? asBool(a) === asBool(b) : a == b; // eslint-disable-line eqeqeq -- number vs bigint
    case 'float': return (a, b) => Number(a) === Number(b);
    default: return (a, b) => a === b;
  }
}

function ordering(kind: ValueKind): Ord {
  switch (kind) {
    case 'bytes':
    case 'ipv6': return (a, b) => bytesCompare(a as Uint8Array, b as Uint8Array);
    case 'bool': return (a, b) => Number(asBool(a)) - Number(asBool(b));
    case 'float': return (a, b) => { const x = Number(a); const y = Number(b); return x < y ? -1 : x > y ? 1 : 0; };
    case 'string': return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    default: return (a, b) => {
      const x = typeof a === 'boolean' ? Number(a) : a as number | bigint;
      const y = typeof b === 'boolean' ? Number(b) : b as number | bigint;
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
}

function asBool(v: Val): boolean {
  return typeof v === 'boolean' ? v : v !== 0 && v !== 0n;
}

function nonZero(v: Val): boolean {
  if (v instanceof Uint8Array) return v.some((x) => x !== 0);
  return asBool(v);
}

function prefixEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (b[full]! & mask);
}

function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function stringContains(a: Val, b: Val): boolean {
  return (a as string).includes(b as string);
}

function bytesContains(a: Val, b: Val): boolean {
  const h = a as Uint8Array;
  const n = b as Uint8Array;
  if (n.length === 0) return true;
  const first = n[0]!;
  outer: for (let i = h.indexOf(first); i >= 0 && i + n.length <= h.length; i = h.indexOf(first, i + 1)) {
    for (let j = 1; j < n.length; j++) if (h[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Apply slice ranges; undefined when any range falls outside the value. */
function sliceBytes(b: Uint8Array, ranges: readonly SliceRange[]): Uint8Array | undefined {
  const n = b.length;
  const parts: Uint8Array[] = [];
  for (const r of ranges) {
    const s = r.start < 0 ? n + r.start : r.start;
    let e: number;
    if (r.k === 'len') e = s + r.length;
    else if (r.k === 'end') e = (r.end < 0 ? n + r.end : r.end) + 1;
    else e = n;
    if (s < 0 || e > n || s > e || (r.k === 'toEnd' && s >= n)) return undefined;
    parts.push(b.subarray(s, e));
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((x, p) => x + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
