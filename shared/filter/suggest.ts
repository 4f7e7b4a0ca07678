/** Field-name help for the filter bar: "did you mean" for unknown names, and completion. */
import type { FieldDef } from '../fields/types';

/** Where the filter looks up field names; the registry by default, a fixed table in tests. */
export interface FieldSource {
  lookup(name: string): FieldDef | undefined;
  all(): Iterable<FieldDef>;
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of adjacent characters
 * (optimal string alignment: "tcp.prot" is one edit from "tcp.port"). Stops early once the
 * distance must exceed `max`, returning max + 1.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** The closest known field name to an unknown one, if it is close enough to be a likely typo. */
export function suggestField(name: string, fields: FieldSource): string | undefined {
  const max = name.length <= 4 ? 1 : name.length <= 10 ? 2 : 3;
  const want = name.toLowerCase();
  let best: string | undefined;
  let bestD = max + 1;
  for (const fd of fields.all()) {
    const d = editDistance(want, fd.name, Math.min(max, bestD));
    if (d > max) continue;
    if (d < bestD || (d === bestD && best !== undefined && fd.name.length < best.length)) {
      best = fd.name;
      bestD = d;
    }
  }
  return best;
}

export interface FieldCompletion {
  readonly name: string;
  readonly label: string;
  readonly type: FieldDef['type'];
}

/**
 * Fields whose name starts with `prefix`, children of the typed prefix first: after "tcp." the
 * direct children ("tcp.port") come before grandchildren ("tcp.analysis.ack_rtt").
 */
export function completeFieldFrom(fields: FieldSource, prefix: string, limit = 50): FieldCompletion[] {
  const p = prefix.toLowerCase();
  const hits: FieldDef[] = [];
  for (const fd of fields.all()) if (fd.name.startsWith(p)) hits.push(fd);
  const depth = (n: string) => n.split('.').length;
  hits.sort((a, b) => depth(a.name) - depth(b.name) || a.name.localeCompare(b.name));
  return hits.slice(0, Math.max(0, limit)).map((fd) => ({ name: fd.name, label: fd.label, type: fd.type }));
}
