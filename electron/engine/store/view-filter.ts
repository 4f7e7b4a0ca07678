/**
 * Builds the displayed-frames index for a display filter. Filters over summary columns run on the
 * columns (ColumnTree); other filters re-dissect only frames that can match — those carrying a
 * protocol the filter requires — replaying their whole connections so reassembly state is right.
 */
import type { CheckedExpr, CheckedValue } from '../../../shared/filter/ast';
import { compileChecked, type CompiledFilter } from '../filter/index';
import { KIND_SIMPLE, KIND_TCP } from './batch';
import { CHUNK } from './chunked';
import { answeredByColumns, ColumnTree } from './column-tree';
import { compileColumnFast } from './column-fast';
import type { FrameStore } from './frame-store';
import type { Replayer } from './replay';

export interface FilterPlan {
  readonly filter: CompiledFilter;
  /** Every field is a column: evaluate on columns (frames that are not KIND_SIMPLE are dissected). */
  readonly columns: boolean;
  /** Protocols one of which a frame must carry to match; null when any frame may match. */
  readonly required: ReadonlySet<string> | null;
  readonly ast: CheckedExpr;
}

export function planFilter(ast: CheckedExpr, text: string): FilterPlan {
  return { filter: compileChecked(ast, text), columns: answeredByColumns(ast), required: requiredProtocols(ast), ast };
}

/** A frame's marks in runFilter: it needs dissecting; it matched. */
const CANDIDATE = 1;
const HIT = 2;

/**
 * Runs the plan over frames [from, upTo) (a growing capture extends its view with from > 0; TCP
 * frames are still dissected with their whole connection before them); `progress` gets the
 * frames examined so far.
 */
export function runFilter(plan: FilterPlan, st: FrameStore, replay: Replayer, upTo: number, progress?: (done: number) => void, from = 0): Uint32Array {
  // One byte per frame for both marks: the deep filter's largest list was its candidates as
  // numbers (~8 bytes each, up to one per frame).
  const marks = new Uint8Array(upTo);
  let candidates = 0;
  const fast = plan.columns ? compileColumnFast(plan.ast, st) : null;
  if (fast) {
    const out = new Uint8Array(CHUNK);
    // The matches in order as they are found: when no frame needs dissecting, that is the view.
    const found = new Uint32Array(Math.max(0, upTo - from));
    let k = 0;
    for (let c = Math.floor(from / CHUNK); c * CHUNK < upTo; c++) {
      const base = c * CHUNK, end = Math.min(upTo, base + CHUNK);
      fast(c, end - base, out);
      k = collectChunk(st.kind.chunk(c)!, out, base, Math.max(from, base), end, found, k, marks);
    }
    candidates = countMarks(marks, from, upTo);
    if (!candidates) return found.slice(0, k);
    for (let j = 0; j < k; j++) marks[found[j]!] = HIT;
  } else if (plan.columns) {
    const view = new ColumnTree(st);
    const match = plan.filter.match;
    for (let i = from; i < upTo; i++) {
      if (!(st.kind.get(i) & KIND_SIMPLE)) { marks[i] = CANDIDATE; candidates++; continue; }
      view.i = i;
      if (match(view)) marks[i] = HIT;
    }
  } else {
    let mask = 0;
    let any = plan.required === null;
    for (const p of plan.required ?? []) {
      const bit = st.protoBit(p);
      if (bit >= 0) mask |= 1 << bit;
      if (p === 'frame' || p === '_ws') any = true;
    }
    if (any) { marks.fill(CANDIDATE, from, upTo); candidates = upTo - from; }
    else if (mask !== 0) for (let i = from; i < upTo; i++) if (st.protoMask.get(i) & mask) { marks[i] = CANDIDATE; candidates++; }
  }
  if (candidates) dissectAndMatch(plan.filter, st, replay, marks, from, upTo, progress);
  let n = 0;
  for (let i = from; i < upTo; i++) if (marks[i]! & HIT) n++;
  const out = new Uint32Array(n);
  for (let i = from, k = 0; i < upTo; i++) if (marks[i]! & HIT) out[k++] = i;
  return out;
}

/**
 * One chunk's results into the view: matches (of frames the columns answer) to `found` from k on,
 * frames needing dissection marked CANDIDATE; returns the new k. (Its own small function: it is
 * optimized within the first chunk, where a loop inside runFilter ran cold for much longer.)
 */
function collectChunk(kind: Uint8Array, out: Uint8Array, base: number, from: number, end: number, found: Uint32Array, k: number, marks: Uint8Array): number {
  for (let i = from; i < end; i++) {
    if (!(kind[i - base]! & KIND_SIMPLE)) marks[i] = CANDIDATE;
    else if (out[i - base]) found[k++] = i;
  }
  return k;
}

function countMarks(marks: Uint8Array, from: number, upTo: number): number {
  let n = 0;
  for (let i = from; i < upTo; i++) n += marks[i]! & CANDIDATE;
  return n;
}

/** Full dissection of the candidate frames (TCP ones by replaying their connections); matches get HIT. */
function dissectAndMatch(f: CompiledFilter, st: FrameStore, replay: Replayer, marks: Uint8Array, from: number, upTo: number, progress?: (done: number) => void): void {
  const idx = replay.streams();
  const flows = new Uint8Array(idx.flowCount);
  let done = 0;
  for (let i = from; i < upTo; i++) {
    if (!(marks[i]! & CANDIDATE)) continue;
    if ((st.kind.get(i) & KIND_TCP) && st.stream.get(i) >= 0) flows[idx.flowOf[st.stream.get(i)]!] = 1;
    else {
      if (f.match(replay.single(i).tree)) marks[i] = CANDIDATE | HIT;
      if (++done % 4096 === 0) progress?.(done);
    }
  }
  replay.replayFlows(flows, (i) => i < upTo && (marks[i]! & CANDIDATE) !== 0, (i, d) => {
    if (f.match(d.tree)) marks[i] = CANDIDATE | HIT;
    if (++done % 4096 === 0) progress?.(done);
  });
}

/**
 * Protocols of which a matching frame must carry at least one, or null when that cannot be said.
 * A comparison, test or membership on a field needs the field, hence its protocol; `and` needs
 * either side's, `or` both sides' together; `not` and functions (count(x) == 0) promise nothing.
 */
export function requiredProtocols(e: CheckedExpr): Set<string> | null {
  const ofValue = (v: CheckedValue): Set<string> | null => {
    switch (v.k) {
      case 'field': return new Set([v.def.name.split('.')[0]!]);
      case 'slice': return ofValue(v.of);
      case 'arith': return ofValue(v.l) ?? ofValue(v.r);
      case 'neg': return ofValue(v.e);
      default: return null;
    }
  };
  switch (e.k) {
    case 'true': case 'not': return null;
    case 'exists': return new Set([e.field.split('.')[0]!]);
    case 'truthy': return ofValue(e.v);
    case 'matches': case 'in': return ofValue(e.l);
    case 'cmp': case 'contains': return ofValue(e.l) ?? ofValue(e.r);
    case 'and': {
      const l = requiredProtocols(e.l), r = requiredProtocols(e.r);
      if (!l) return r;
      if (!r) return l;
      return l.size <= r.size ? l : r;
    }
    case 'or':
    case 'xor': {
      // a match satisfies one side at least, so it carries that side's protocol
      const l = requiredProtocols(e.l), r = requiredProtocols(e.r);
      return l && r ? new Set([...l, ...r]) : null;
    }
  }
}
