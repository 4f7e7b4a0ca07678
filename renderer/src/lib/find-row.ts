/**
 * The index of a frame in the displayed view. Rows are in frame order, so a binary search over
 * one-row pages finds it in about log2(displayed) calls; null when the frame is filtered out.
 */
import { RowsView } from '../../../shared/api/rows';
import type { PageLoader } from './row-cache';

export async function findRowIndex(load: PageLoader, total: number, frame: number): Promise<number | null> {
  let lo = 0;
  let hi = total - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const page = await load(mid, 1);
    const view = new RowsView(page.buffer);
    if (view.count === 0) return null;
    const num = view.row(0).num;
    if (num === frame) return mid;
    if (num < frame) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}
