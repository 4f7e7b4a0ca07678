// The virtual packet list over 2M rows: the DOM holds only the visible rows, the scaled scroll
// range reaches the last row (by scrolling and by End), keyboard moves the selection.
import { afterEach, describe, expect, test } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import PacketList from '../../renderer/src/components/packets/PacketList.svelte';
import { RowCache } from '../../renderer/src/lib/row-cache';
import { syntheticLoader } from './rows';
import { reactive } from './reactive.svelte';
import '../../renderer/src/theme.css';

const TOTAL = 2_000_000;
let app: ReturnType<typeof mount> | null = null;

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

function setup() {
  const host = document.createElement('div');
  host.style.height = '600px';
  host.style.width = '1100px';
  document.body.append(host);
  const state = { tick: 0, selected: null as number | null };
  let props: Record<string, unknown>;
  const cache = new RowCache(syntheticLoader(TOTAL), () => { state.tick++; (props as { tick: number }).tick = state.tick; });
  cache.reset(syntheticLoader(TOTAL), TOTAL);
  props = reactive({
    source: cache, total: TOTAL, tick: 0, selectedIndex: null,
    onselect: (i: number) => { state.selected = i; (props as { selectedIndex: number }).selectedIndex = i; },
  });
  app = mount(PacketList, { target: host, props: props as never });
  return { host, state, props };
}

async function until(fn: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!fn()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rowText = (host: HTMLElement, index: number) => host.querySelector(`[role="row"][aria-rowindex="${index + 2}"]`)?.textContent ?? null;

describe('PacketList (virtual, 2M rows)', () => {
  test('announces the row count and renders only visible rows', async () => {
    const { host } = setup();
    const grid = host.querySelector('[role="grid"]')!;
    expect(grid.getAttribute('aria-rowcount')).toBe(String(TOTAL + 1));
    await until(() => (rowText(host, 0) ?? '').includes('row 1 info'), 'first rows');
    const rendered = host.querySelectorAll('[role="row"]').length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
  });

  test('scrolling to the bottom of the scaled range shows the last row inside the viewport', async () => {
    const { host } = setup();
    const scroller = host.querySelector<HTMLElement>('[data-testid="packet-scroller"]')!;
    // The spacer is capped (Chromium cannot lay out 44M px), yet the end is reachable.
    expect(scroller.scrollHeight).toBeLessThan(33_000_000);
    scroller.scrollTop = scroller.scrollHeight;
    scroller.dispatchEvent(new Event('scroll'));
    await until(() => (rowText(host, TOTAL - 1) ?? '').includes(`row ${TOTAL} info`), 'last row');
    const last = host.querySelector<HTMLElement>(`[aria-rowindex="${TOTAL + 1}"]`)!;
    const r = last.getBoundingClientRect();
    const v = scroller.getBoundingClientRect();
    expect(r.bottom).toBeLessThanOrEqual(v.bottom + 0.5);
    expect(r.top).toBeGreaterThanOrEqual(v.top);
    // A row in the middle is reachable too, and rows stay in order.
    scroller.scrollTop = scroller.scrollHeight / 2;
    scroller.dispatchEvent(new Event('scroll'));
    await until(() => {
      const rows = Array.from(host.querySelectorAll('[role="row"][data-index]')).map((e) => Number((e as HTMLElement).dataset.index));
      return rows.length > 5 && rows[0]! > TOTAL / 2 - 100_000 && rows[0]! < TOTAL / 2 + 100_000;
    }, 'middle rows');
  });

  test('End selects the last row and Home the first; arrows move by one', async () => {
    const { host, state } = setup();
    const grid = host.querySelector<HTMLElement>('[role="grid"]')!;
    grid.focus();
    await until(() => rowText(host, 0) !== null && !rowText(host, 0)!.includes('…'), 'first rows');
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    await until(() => state.selected === TOTAL - 1, 'End to select the last row');
    flushSync();
    await until(() => host.querySelector(`[aria-rowindex="${TOTAL + 1}"][aria-selected="true"]`) !== null, 'last row selected in the DOM');
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    await until(() => state.selected === TOTAL - 2, 'ArrowUp');
    grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await until(() => state.selected === 0, 'Home');
    await until(() => (rowText(host, 0) ?? '').includes('row 1 info'), 'first row back in view');
  });
});
