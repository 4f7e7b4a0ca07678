import { describe, expect, it } from 'vitest';
import { RecycledBuffers } from '../../../electron/engine/store/batch-buffers';

describe('RecycledBuffers (a pass worker reusing the batch buffers the session hands back)', () => {
  it('gives the smallest returned buffer that fits, and a fresh one when none does', () => {
    const back: ArrayBuffer[] = [];
    const pool = new RecycledBuffers((give) => { for (const b of back.splice(0)) give(b); }, 4);
    const small = new ArrayBuffer(100), large = new ArrayBuffer(1000);
    back.push(large, small);
    expect(pool.take(50)).toBe(small);
    expect(pool.take(500)).toBe(large);
    const fresh = pool.take(500);
    expect(fresh).not.toBe(large);
    expect(fresh.byteLength).toBe(500);
  });

  it('keeps at most as many as it is told, and never a detached buffer', () => {
    const pool = new RecycledBuffers(() => {}, 4);
    const kept = Array.from({ length: 6 }, () => new ArrayBuffer(64));
    for (const b of kept) pool.give(b);
    const detached = new ArrayBuffer(64);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    const got = Array.from({ length: 6 }, () => pool.take(64));
    expect(got.filter((b) => kept.includes(b))).toHaveLength(4);
    expect(got).not.toContain(detached);
  });
});
