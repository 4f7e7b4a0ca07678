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

/**
 * Runs the plan over frames [from, upTo) (a growing capture extends its view with from > 0; TCP
 * frames are still dissected with their whole connection before them); `progress` gets the
 * frames examined so far.
 */
export function runFilter(plan: FilterPlan, st: FrameStore, replay: Replayer, upTo: number, progress?: (done: number) => void, from = 0): Uint32Array {
  const hits = new Uint8Array(upTo);
  const deep: number[] = [];
  const fast = plan.columns ? compileColumnFast(plan.ast, st) : null;
  if (fast) {
    const out = new Uint8Array(CHUNK);
    // The matches in order as they are found: when no frame needs dissecting, that is the view.
    const found = new Uint32Array(Math.max(0, upTo - from));
    let k = 0;
    for (let c = Math.floor(from / CHUNK); c * CHUNK < upTo; c++) {
      const base = c * CHUNK, end = Math.min(upTo, base + CHUNK);
      fast(c, end - base, out);
      k = collectChunk(st.kind.chunk(c)!, out, base, Math.max(from, base), end, found, k, deep);
    }
    if (!deep.length) return found.slice(0, k);
    for (let j = 0; j < k; j++) hits[found[j]!] = 1;
  } else if (plan.columns) {
    const view = new ColumnTree(st);
    const match = plan.filter.match;
    for (let i = from; i < upTo; i++) {
      if (!(st.kind.get(i) & KIND_SIMPLE)) { deep.push(i); continue; }
      view.i = i;
      if (match(view)) hits[i] = 1;
    }
  } else {
    let mask = 0;
    let any = plan.required === null;
    for (const p of plan.required ?? []) {
      const bit = st.protoBit(p);
      if (bit >= 0) mask |= 1 << bit;
      if (p === 'frame' || p === '_ws') any = true;
    }
    if (any) for (let i = from; i < upTo; i++) deep.push(i);
    else if (mask !== 0) for (let i = from; i < upTo; i++) if (st.protoMask.get(i) & mask) deep.push(i);
  }
  dissectAndMatch(plan.filter, st, replay, deep, hits, progress);
  let n = 0;
  for (let i = from; i < upTo; i++) n += hits[i]!;
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < upTo; i++) if (hits[i]) out[k++] = i;
  return out;
}

/**
 * One chunk's results into the view: matches (of frames the columns answer) to `found` from k on,
 * frames needing dissection to `deep`; returns the new k. (Its own small function: it is optimized
 * within the first chunk, where a loop inside runFilter ran cold for much longer.)
 */
function collectChunk(kind: Uint8Array, out: Uint8Array, base: number, from: number, end: number, found: Uint32Array, k: number, deep: number[]): number {
  for (let i = from; i < end; i++) {
    if (!(kind[i - base]! & KIND_SIMPLE)) deep.push(i);
    else if (out[i - base]) found[k++] = i;
  }
  return k;
}

/** Full dissection of the candidate frames (TCP ones by replaying their connections). */
function dissectAndMatch(f: CompiledFilter, st: FrameStore, replay: Replayer, frames: readonly number[], hits: Uint8Array, progress?: (done: number) => void): void {
  if (!frames.length) return;
  const idx = replay.streams();
  const wanted = new Uint8Array(hits.length);
  const flows = new Set<number>();
  let done = 0;
  for (const i of frames) {
    wanted[i] = 1;
    if ((st.kind.get(i) & KIND_TCP) && st.stream.get(i) >= 0) flows.add(idx.flowOf[st.stream.get(i)]!);
    else {
      if (f.match(replay.single(i).tree)) hits[i] = 1;
      if (++done % 4096 === 0) progress?.(done);
    }
  }
  replay.replayFlows([...flows], (i) => wanted[i] === 1, (i, d) => {
    if (f.match(d.tree)) hits[i] = 1;
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
