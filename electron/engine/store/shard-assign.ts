/**
 * Which shard of the parallel pass owns each TCP connection. Every worker reads every frame, so
 * each can make the same decision on its own, with no messages: a connection (by its flow hash)
 * goes, at its first frame, to the shard with the least work so far. A hash modulo the shard
 * count left one worker with most of the work when a capture has a few busy connections (pgbench
 * with 8 clients: one worker took 25 % longer than the other). Non-TCP frames stay on shard 0,
 * and so does indexing every frame, which counts in shard 0's load.
 */
import { NOT_TCP } from './flow-key';

/** A frame's cost in captured-byte equivalents: the per-frame work dwarfs the per-byte work. */
const FRAME_COST = 512;
/**
 * Shard 0's work for every frame, owned or not: it fills the index columns (offsets, times,
 * lengths) and sends them. Without it shard 0 finished 0.1–0.25 s after shard 1 on the bench
 * capture (pass ~3.2 s); 48 evened them out (96 tipped it the other way).
 */
const INDEX_COST = 48;

export class ShardAssigner {
  private readonly owners = new Map<number, number>();
  private readonly load: Float64Array;

  constructor(readonly shards: number) {
    this.load = new Float64Array(shards);
  }

  /** The shard owning a frame with this flow hash (NOT_TCP for others) and captured length. */
  ownerOf(hash: number, capLen: number): number {
    let s = 0;
    if (hash !== NOT_TCP && this.shards > 1) {
      const known = this.owners.get(hash);
      if (known === undefined) {
        for (let k = 1; k < this.shards; k++) if (this.load[k]! < this.load[s]!) s = k;
        this.owners.set(hash, s);
      } else s = known;
    }
    this.load[s] += FRAME_COST + capLen;
    this.load[0] += INDEX_COST;
    return s;
  }
}
