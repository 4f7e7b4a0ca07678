import { describe, expect, it } from 'vitest';
import { StringIds } from '../../../electron/engine/string-ids';

describe('StringIds', () => {
  it('numbers strings densely in order of first sight, the same id each time', () => {
    const ids = new StringIds();
    expect(['a', 'b', 'a', 'c', 'b', 'a'].map((s) => ids.id(s))).toEqual([0, 1, 0, 2, 1, 0]);
    expect(ids.strings).toEqual(['a', 'b', 'c']);
    expect(ids.size).toBe(3);
    expect(ids.get(2)).toBe('c');
    expect(ids.get(9)).toBe('');
  });

  it('gives equal texts one id whether or not they are the same string object', () => {
    const ids = new StringIds();
    const built = (n: number) => ['127', '0', '0', String(n)].join('.');
    const first = ids.id(built(1));
    expect(ids.id(built(1))).toBe(first);
    expect(ids.id('127.0.0.1')).toBe(first);
    expect(ids.id(built(2))).toBe(1);
  });

  it('stays right when more strings take turns than its recent front holds', () => {
    const ids = new StringIds();
    const texts = Array.from({ length: 50 }, (_, i) => `host-${i % 7}-${i % 11}`);
    const expected = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      for (const t of texts) {
        if (!expected.has(t)) expected.set(t, expected.size);
        expect(ids.id(t)).toBe(expected.get(t));
      }
    }
    expect(ids.strings).toEqual([...expected.keys()]);
  });
});
