// Synthetic packet-list pages for component tests, packed with the real page encoder (rows.ts).
import { encodeRows, ROW_COLOR_CODE, type RowInput } from '../../shared/api/rows';
import type { PageLoader } from '../../renderer/src/lib/row-cache';

export function syntheticRow(i: number): RowInput {
  const colors = ['tcp', 'db', 'syn-fin', 'rst', 'bad-tcp', 'db-error'] as const;
  return {
    num: i + 1, time: i * 0.001, length: 60 + (i % 1400), stream: i % 50,
    source: `10.0.${(i >> 8) & 255}.${i & 255}`, destination: '10.0.0.1', protocol: i % 3 ? 'TCP' : 'MySQL',
    info: `row ${i + 1} info`, color: ROW_COLOR_CODE[colors[i % colors.length]!],
  };
}

/** A loader over `total` synthetic rows (what api.rows returns, minus the session). */
export function syntheticLoader(total: number): PageLoader {
  return (start, count) => {
    const n = Math.max(0, Math.min(count, total - start));
    const rows: RowInput[] = [];
    for (let i = 0; i < n; i++) rows.push(syntheticRow(start + i));
    return Promise.resolve({ start, count: n, total, buffer: encodeRows(rows) });
  };
}
