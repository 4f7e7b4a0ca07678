/** Groups statements that differ only in literals (the digest), with latency percentiles. */
import type { Transaction } from '../../../shared/api/types';

/** A statement with its literals replaced: numbers, quoted strings and IN-lists become '?'. */
export function normalizeStatement(s: string): string {
  return s
    .replace(/'(?:[^'\\]|\\.|'')*'/g, '?')
    .replace(/"(?:[^"\\]|\\.)*"/g, '?')
    .replace(/\b0x[0-9a-f]+\b/gi, '?')
    .replace(/(?<![\w$.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(?)')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Nearest-rank percentile of sorted values. */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface DigestRow {
  readonly statement: string;
  readonly protocol: string;
  readonly count: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly total: number;
  /** A request frame of the slowest one. */
  readonly slowestFrame: number;
  readonly slowestStream: number;
}

export function digest(txs: readonly Transaction[]): DigestRow[] {
  const groups = new Map<string, Transaction[]>();
  for (const t of txs) {
    const k = `${t.protocol}\u0000${normalizeStatement(t.statement)}`;
    let g = groups.get(k);
    if (!g) { g = []; groups.set(k, g); }
    g.push(t);
  }
  const out: DigestRow[] = [];
  for (const [k, g] of groups) {
    const lat = g.map((t) => t.latency).filter((x): x is number => x !== null).sort((a, b) => a - b);
    let slow = g[0]!;
    for (const t of g) if ((t.latency ?? -1) > (slow.latency ?? -1)) slow = t;
    const [protocol, statement] = k.split('\u0000') as [string, string];
    out.push({
      statement, protocol, count: g.length, errors: g.filter((t) => t.status === 'error').length,
      p50: percentileOf(lat, 50), p95: percentileOf(lat, 95), max: lat[lat.length - 1] ?? NaN,
      total: lat.reduce((a, b) => a + b, 0), slowestFrame: slow.requestFrame, slowestStream: slow.stream,
    });
  }
  return out.sort((a, b) => b.total - a.total || b.count - a.count);
}
