import { describe, expect, it } from 'vitest';
import { cloneState } from '../../../electron/engine/store/clone';
import { APP_DISSECTORS } from '../../../electron/engine/decode/protocols';

class Counter {
  n = 0;
  readonly seen = new Map<string, number[]>();
  bump(k: string): number { const l = this.seen.get(k) ?? []; l.push(++this.n); this.seen.set(k, l); return this.n; }
}

describe('cloneState (replay checkpoints)', () => {
  it('copies class instances with their prototype, Maps, Sets and typed arrays, independently', () => {
    const c = new Counter();
    c.bump('a');
    const state = { c, set: new Set([1, 2]), bytes: Uint8Array.of(1, 2, 3), big: 5n, arr: [c] };
    const copy = cloneState(state);
    expect(copy.c).toBeInstanceOf(Counter);
    expect(copy.c.bump('a')).toBe(2);
    expect(c.n).toBe(1);
    expect(c.seen.get('a')).toEqual([1]);
    expect(copy.c.seen.get('a')).toEqual([1, 2]);
    copy.bytes[0] = 9;
    expect(state.bytes[0]).toBe(1);
    expect(copy.set).toEqual(new Set([1, 2]));
    expect(copy.big).toBe(5n);
    // shared references stay shared
    expect(copy.arr[0]).toBe(copy.c);
  });

  it('keeps decoder singletons and functions by reference', () => {
    const fn = () => 1;
    const st = { dissector: APP_DISSECTORS[0], fn };
    const copy = cloneState(st);
    expect(copy.dissector).toBe(APP_DISSECTORS[0]);
    expect(copy.fn).toBe(fn);
  });

  it('handles cycles', () => {
    const a: { self?: unknown; v: number } = { v: 1 };
    a.self = a;
    const copy = cloneState(a);
    expect(copy.self).toBe(copy);
    expect(copy).not.toBe(a);
  });
});
