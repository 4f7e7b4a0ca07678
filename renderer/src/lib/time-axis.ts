/**
 * A time axis with idle gaps compressed: a connection that talks for 50 ms, idles 10 minutes and
 * closes should show both the talk and the close. Stretches of activity keep a linear scale;
 * each gap longer than `gapThreshold` is drawn as a fixed-width break labelled with its length.
 */
export interface AxisSegment {
  /** Time range (seconds, same clock as the input). */
  readonly t0: number;
  readonly t1: number;
  /** Horizontal range in axis units [0, width]. */
  readonly x0: number;
  readonly x1: number;
  /** True for a compressed idle gap. */
  readonly gap: boolean;
}

export interface TimeAxis {
  readonly segments: readonly AxisSegment[];
  readonly width: number;
  readonly start: number;
  readonly end: number;
  x(t: number): number;
  /** Inverse of x (for tooltips, zoom anchoring). */
  t(x: number): number;
}

export interface AxisOptions {
  readonly width: number;
  /** Width of one compressed gap, in axis units. */
  readonly gapWidth?: number;
  /** Gaps longer than this (seconds) are compressed; default: 10× the median gap, at least 0.5 s. */
  readonly gapThreshold?: number;
}

export function buildTimeAxis(times: readonly number[], opts: AxisOptions): TimeAxis {
  const sorted = [...times].filter(Number.isFinite).sort((a, b) => a - b);
  const start = sorted[0] ?? 0;
  const end = sorted[sorted.length - 1] ?? start;
  const gapWidth = opts.gapWidth ?? 28;
  const diffs: number[] = [];
  for (let i = 1; i < sorted.length; i++) diffs.push(sorted[i]! - sorted[i - 1]!);
  const med = [...diffs].sort((a, b) => a - b)[Math.floor(diffs.length / 2)] ?? 0;
  const threshold = opts.gapThreshold ?? Math.max(0.5, med * 10, (end - start) * 0.05);
  // Active stretches between compressed gaps.
  const stretches: [number, number][] = [];
  let s0 = start;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! - sorted[i - 1]! > threshold) {
      stretches.push([s0, sorted[i - 1]!]);
      s0 = sorted[i]!;
    }
  }
  stretches.push([s0, end]);
  const gaps = stretches.length - 1;
  const activeTotal = stretches.reduce((a, [x, y]) => a + (y - x), 0);
  const avail = Math.max(opts.width - gaps * gapWidth, opts.width * 0.3);
  // A zero-length stretch (one instant) still gets a little room.
  const minStretch = Math.min(24, avail / Math.max(1, stretches.length) / 2);
  const spare = Math.max(0, avail - minStretch * stretches.length);
  const segments: AxisSegment[] = [];
  let x = 0;
  stretches.forEach(([a, b], i) => {
    const w = minStretch + (activeTotal > 0 ? (spare * (b - a)) / activeTotal : spare / stretches.length);
    segments.push({ t0: a, t1: b, x0: x, x1: x + w, gap: false });
    x += w;
    const next = stretches[i + 1];
    if (next) {
      segments.push({ t0: b, t1: next[0], x0: x, x1: x + gapWidth, gap: true });
      x += gapWidth;
    }
  });
  const width = x;
  const xOf = (t: number): number => {
    if (segments.length === 0) return 0;
    if (t <= start) return segments[0]!.x0;
    for (const g of segments) {
      if (t <= g.t1) {
        if (g.t1 === g.t0) return (g.x0 + g.x1) / 2;
        return g.x0 + ((t - g.t0) / (g.t1 - g.t0)) * (g.x1 - g.x0);
      }
    }
    return width;
  };
  const tOf = (px: number): number => {
    for (const g of segments) {
      if (px <= g.x1) return g.x1 === g.x0 ? g.t0 : g.t0 + ((px - g.x0) / (g.x1 - g.x0)) * (g.t1 - g.t0);
    }
    return end;
  };
  return { segments, width, start, end, x: xOf, t: tOf };
}

/** "Nice" tick times inside a stretch, for axis labels. */
export function ticks(t0: number, t1: number, maxTicks: number): number[] {
  const span = t1 - t0;
  if (span <= 0 || maxTicks < 1) return [t0];
  const raw = span / maxTicks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1 + 1e-12 && out.length <= maxTicks + 1; t += step) out.push(t);
  return out;
}
