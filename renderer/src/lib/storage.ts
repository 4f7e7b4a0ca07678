/** Small lists the UI remembers across runs (filter history, recent files) in localStorage. */

function read(key: string): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function write(key: string, list: readonly string[]): void {
  try { localStorage.setItem(key, JSON.stringify(list)); } catch { /* storage full or disabled: not worth failing for */ }
}

/** A most-recent-first list without duplicates, capped at `max`. */
export class RecentList {
  constructor(private readonly key: string, private readonly max = 20) {}

  items(): string[] {
    return read(this.key);
  }

  add(item: string): string[] {
    const t = item.trim();
    if (!t) return this.items();
    const list = [t, ...this.items().filter((x) => x !== t)].slice(0, this.max);
    write(this.key, list);
    return list;
  }

  remove(item: string): string[] {
    const list = this.items().filter((x) => x !== item);
    write(this.key, list);
    return list;
  }
}

export const filterHistory = new RecentList('dbwire.filterHistory', 30);
export const recentFiles = new RecentList('dbwire.recentFiles', 12);
/** Spool files of live captures not yet saved (offered for recovery on the start view). */
export const unsavedCaptures = new RecentList('dbwire.unsavedCaptures', 5);
