/**
 * Statement fingerprints and latency summaries, in the spirit of pt-query-digest: literals become
 * "?", IN lists collapse, whitespace and case fold, so the same query with other values groups.
 */
import type { Transaction } from '../../../shared/api/types';

export function fingerprint(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/'(?:[^'\\]|\\.|'')*'/g, '?')
    .replace(/"(?:[^"\\]|\\.)*"/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b0x[0-9a-f]+\b/gi, '?')
    .replace(/(?<![\w$])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\b(in|values)\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/gi, (_m, kw: string) => `${kw.toLowerCase()}(?+)`)
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface DigestRow {
  readonly fingerprint: string;
  readonly protocol: string;
  readonly count: number;
  readonly errors: number;
  readonly total: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly example: string;
}

export function digest(txs: readonly Transaction[]): DigestRow[] {
  const groups = new Map<string, { protocol: string; count: number; errors: number; lat: number[]; example: string }>();
  for (const t of txs) {
    const fp = fingerprint(t.statement);
    const k = t.protocol + '\0' + fp;
    let g = groups.get(k);
    if (!g) { g = { protocol: t.protocol, count: 0, errors: 0, lat: [], example: t.statement }; groups.set(k, g); }
    g.count++;
    if (t.status === 'error') g.errors++;
    if (t.latency !== null) g.lat.push(t.latency);
  }
  const rows: DigestRow[] = [];
  for (const [k, g] of groups) {
    g.lat.sort((a, b) => a - b);
    const total = g.lat.reduce((a, b) => a + b, 0);
    rows.push({
      fingerprint: k.slice(k.indexOf('\0') + 1), protocol: g.protocol, count: g.count, errors: g.errors, total,
      p50: percentile(g.lat, 50), p95: percentile(g.lat, 95), max: g.lat.length ? g.lat[g.lat.length - 1]! : NaN, example: g.example,
    });
  }
  return rows.sort((a, b) => b.total - a.total || b.count - a.count);
}
