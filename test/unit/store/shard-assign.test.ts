import { describe, expect, it } from 'vitest';
import { ShardAssigner } from '../../../electron/engine/store/shard-assign';
import { NOT_TCP } from '../../../electron/engine/store/flow-key';

describe('ShardAssigner', () => {
  it('keeps a connection on one shard and non-TCP frames on shard 0', () => {
    const a = new ShardAssigner(2);
    const first = a.ownerOf(7, 100);
    for (let i = 0; i < 50; i++) { a.ownerOf(8 + (i % 5), 1500); expect(a.ownerOf(7, 60)).toBe(first); }
    expect(a.ownerOf(NOT_TCP, 60)).toBe(0);
  });

  it('gives a new connection to the shard with the least work so far', () => {
    const a = new ShardAssigner(2);
    expect(a.ownerOf(1, 100)).toBe(0);
    for (let i = 0; i < 10; i++) a.ownerOf(1, 1500); // shard 0 is busy
    expect(a.ownerOf(2, 100)).toBe(1);
    expect(a.ownerOf(3, 100)).toBe(1); // still the lighter one
    for (let i = 0; i < 30; i++) a.ownerOf(2, 1500);
    expect(a.ownerOf(4, 100)).toBe(0);
  });

  it('decides the same in every worker: the same frames give the same owners', () => {
    const frames = Array.from({ length: 2000 }, (_, i) => [(i * 7919) % 37, 60 + ((i * 31) % 1400)] as const);
    const run = () => { const a = new ShardAssigner(3); return frames.map(([h, len]) => a.ownerOf(h, len)); };
    const owners = run();
    expect(run()).toEqual(owners);
    expect(new Set(owners)).toEqual(new Set([0, 1, 2]));
  });
});
