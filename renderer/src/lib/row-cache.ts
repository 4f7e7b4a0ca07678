/**
 * Pages of the packet list, fetched by range and kept decoded lazily (RowsView) in a small LRU,
 * so the renderer never holds all rows. `generation` changes when the view changes (new filter,
 * new session); answers for an older generation are dropped.
 */
import type { PacketRow } from '../../../shared/api/types';
import { RowsView } from '../../../shared/api/rows';

export const PAGE_ROWS = 256;
const MAX_PAGES = 48;

/** Where pages come from: the API (api.rows bound to a session) or, in tests, a generator. */
export type PageLoader = (start: number, count: number) => Promise<{ readonly start: number; readonly count: number; readonly total: number; readonly buffer: ArrayBuffer }>;

/** What a virtual list reads rows from. */
export interface RowSource {
  readonly total: number;
  row(index: number): PacketRow | undefined;
  /** Asks for rows [first, first+count) to be loaded; `onChange` fires when they arrive. */
  want(first: number, count: number): void;
}

export class RowCache implements RowSource {
  total = 0;
  private pages = new Map<number, RowsView>();
  private decoded = new Map<number, PacketRow>();
  private loading = new Set<number>();
  private generation = 0;

  constructor(private loader: PageLoader | null, private readonly onChange: () => void) {}

  /** New view (filter applied, session opened): forget everything. */
  reset(loader: PageLoader | null, total: number): void {
    this.loader = loader;
    this.total = total;
    this.generation++;
    this.pages.clear();
    this.decoded.clear();
    this.loading.clear();
  }

  /** More rows at the end of the same view (live capture): keep pages, refetch the last partial one. */
  grow(total: number): void {
    if (total === this.total) return;
    if (total < this.total) { this.reset(this.loader, total); return; }
    const lastPage = Math.floor(Math.max(0, this.total - 1) / PAGE_ROWS);
    this.pages.delete(lastPage);
    this.dropDecoded(lastPage);
    this.total = total;
  }

  row(index: number): PacketRow | undefined {
    const hit = this.decoded.get(index);
    if (hit) return hit;
    const page = Math.floor(index / PAGE_ROWS);
    const view = this.pages.get(page);
    if (!view) return undefined;
    const i = index - page * PAGE_ROWS;
    if (i >= view.count) return undefined;
    const r = view.row(i);
    if (this.decoded.size > 4 * PAGE_ROWS) this.decoded.clear();
    this.decoded.set(index, r);
    return r;
  }

  want(first: number, count: number): void {
    if (!this.loader || this.total === 0) return;
    const from = Math.floor(Math.max(0, first) / PAGE_ROWS);
    const to = Math.floor(Math.min(this.total - 1, first + count - 1) / PAGE_ROWS);
    for (let p = from; p <= to; p++) {
      const view = this.pages.get(p);
      if (view) {
        // Touch for LRU order.
        this.pages.delete(p);
        this.pages.set(p, view);
        continue;
      }
      if (!this.loading.has(p)) void this.fetch(p);
    }
  }

  private async fetch(page: number): Promise<void> {
    const loader = this.loader;
    if (!loader) return;
    const gen = this.generation;
    this.loading.add(page);
    try {
      const res = await loader(page * PAGE_ROWS, PAGE_ROWS);
      if (gen !== this.generation) return;
      this.pages.set(page, new RowsView(res.buffer));
      this.dropDecoded(page);
      if (res.total > this.total) this.total = res.total;
      while (this.pages.size > MAX_PAGES) {
        const oldest = this.pages.keys().next().value as number;
        this.pages.delete(oldest);
        this.dropDecoded(oldest);
      }
      this.onChange();
    } catch {
      // Leave the rows blank; a later scroll asks again.
    } finally {
      if (gen === this.generation) this.loading.delete(page);
    }
  }

  private dropDecoded(page: number): void {
    for (let i = page * PAGE_ROWS; i < (page + 1) * PAGE_ROWS; i++) this.decoded.delete(i);
  }
}
