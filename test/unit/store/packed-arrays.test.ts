import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { emptyDoubles, emptyObjects } from '../../../electron/engine/packed-arrays';

// V8's own checks of an array's elements kind (natives syntax, enabled for functions compiled after).
setFlagsFromString('--allow-natives-syntax');
const hasDoubleElements = new Function('a', 'return %HasDoubleElements(a)') as (a: unknown[]) => boolean;
const hasObjectElements = new Function('a', 'return %HasObjectElements(a)') as (a: unknown[]) => boolean;
const hasSmiElements = new Function('a', 'return %HasSmiElements(a)') as (a: unknown[]) => boolean;

describe('packed arrays', () => {
  it('a plain [] starts as small integers (what these avoid)', () => {
    expect(hasSmiElements([])).toBe(true);
  });

  it('emptyDoubles: empty, of doubles before anything is stored, and an ordinary array after', () => {
    const a = emptyDoubles();
    expect(a).toEqual([]);
    expect(hasDoubleElements(a)).toBe(true);
    a.push(1, 2 ** 40, 3);
    expect(a).toEqual([1, 2 ** 40, 3]);
    expect(hasDoubleElements(a)).toBe(true);
  });

  it('emptyObjects: empty, of heap values before anything is stored', () => {
    const a = emptyObjects<string>();
    expect(a).toEqual([]);
    expect(hasObjectElements(a)).toBe(true);
    a.push('sync');
    expect(a).toEqual(['sync']);
  });
});
