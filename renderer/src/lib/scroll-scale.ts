/**
 * Maps a scroll position to rows for a virtual list with fixed-height rows. Chromium caps an
 * element's height (about 33.5M px), so past MAX_SCROLL_PX the scroll range is scaled: the
 * scroller is MAX_SCROLL_PX tall and a scroll position stands for a proportionally larger
 * "virtual" offset. Both ends map exactly, so the first and the last row are always reachable.
 */
export const MAX_SCROLL_PX = 10_000_000;

export interface ScrollGeometry {
  readonly total: number;
  readonly rowHeight: number;
  readonly viewport: number;
}

/** Height of the scroller's spacer element. */
export function scrollHeight(g: ScrollGeometry): number {
  return Math.min(g.total * g.rowHeight, MAX_SCROLL_PX);
}

/** Virtual pixels per real scroll pixel (1 when the list fits under the cap). */
function ratio(g: ScrollGeometry): number {
  const virtual = g.total * g.rowHeight - g.viewport;
  const real = scrollHeight(g) - g.viewport;
  return real > 0 && virtual > real ? virtual / real : 1;
}

export interface VisibleRange {
  /** First row (partly) visible. */
  readonly first: number;
  /** Pixels of the first row hidden above the viewport. */
  readonly offset: number;
  /** Rows to draw (enough to cover the viewport). */
  readonly count: number;
}

export function visibleRange(g: ScrollGeometry, scrollTop: number): VisibleRange {
  if (g.total <= 0 || g.rowHeight <= 0) return { first: 0, offset: 0, count: 0 };
  const maxTop = Math.max(0, scrollHeight(g) - g.viewport);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const maxVirtual = Math.max(0, g.total * g.rowHeight - g.viewport);
  // At the very bottom, snap to the exact end so rounding never hides the last row.
  const virtualTop = top >= maxTop ? maxVirtual : Math.min(top * ratio(g), maxVirtual);
  const first = Math.min(g.total - 1, Math.floor(virtualTop / g.rowHeight));
  const offset = virtualTop - first * g.rowHeight;
  const count = Math.min(g.total - first, Math.ceil((g.viewport + offset) / g.rowHeight) + 1);
  return { first, offset, count };
}

/** The scrollTop that shows `row` (the least movement: unchanged when it is already fully visible). */
export function scrollTopFor(g: ScrollGeometry, row: number, currentTop: number): number {
  const r = ratio(g);
  const cur = visibleRange(g, currentTop);
  const curVirtual = cur.first * g.rowHeight + cur.offset;
  const rowTop = row * g.rowHeight;
  let virtualTop = curVirtual;
  if (rowTop < curVirtual) virtualTop = rowTop;
  else if (rowTop + g.rowHeight > curVirtual + g.viewport) virtualTop = rowTop + g.rowHeight - g.viewport;
  else return currentTop;
  const maxTop = Math.max(0, scrollHeight(g) - g.viewport);
  if (row >= g.total - 1) return maxTop;
  // Round up so the row lands inside the viewport, not a fraction of a pixel above it.
  return Math.min(maxTop, Math.max(0, Math.ceil(virtualTop / r)));
}

/** Row count of a full viewport (for PageUp / PageDown). */
export function pageRows(g: ScrollGeometry): number {
  return Math.max(1, Math.floor(g.viewport / g.rowHeight) - 1);
}
