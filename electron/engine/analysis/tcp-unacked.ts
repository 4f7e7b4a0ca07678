/**
 * The segments one direction has sent that the other has not yet acknowledged (Wireshark's
 * tcp_unacked_t list): they give acks_frame / ack_rtt, the RTO reference of a retransmission and
 * bytes in flight. Kept as parallel arrays, oldest first, bounded like Wireshark's list.
 */
import { geSeq, gtSeq, leSeq } from './tcp-seq';
import { emptyDoubles } from '../packed-arrays';

/** Wireshark stops adding segments past this many (e.g. when the ACKs are not captured). */
export const MAX_UNACKED_SEGMENTS = 10000;

export class UnackedSegments {
  length = 0;
  private seq: number[] = [];
  private next: number[] = [];
  private frame: number[] = [];
  /** Time sent, ns relative to the conversation's first packet. */
  private ts: number[] = emptyDoubles();
  /** Cached extent (relative to `extentBase`) for bytes in flight; recomputed when invalid. */
  private extentValid = false;
  private extentBase = 0;
  private minRel = 0;
  private maxRel = 0;

  push(seq: number, next: number, frame: number, ts: number): void {
    const i = this.length++;
    this.seq[i] = seq;
    this.next[i] = next;
    this.frame[i] = frame;
    this.ts[i] = ts;
    if (this.extentValid) {
      const lo = (seq - this.extentBase) >>> 0, hi = (next - this.extentBase) >>> 0;
      if (lo < this.minRel) this.minRel = lo;
      if (hi > this.maxRel) this.maxRel = hi;
    }
  }

  /**
   * Apply an acknowledgment: drop what it covers, trim what it covers in part. Returns the index
   * data of the segment it acks exactly (the oldest such, as Wireshark's newest-first walk ends
   * on it) through `out`, or false when it acks none exactly.
   */
  ack(ack: number, out: { frame: number; ts: number }): boolean {
    let w = 0;
    let matched = false;
    let trimmed = false;
    const n = this.length;
    for (let r = 0; r < n; r++) {
      const s = this.seq[r]!, nx = this.next[r]!;
      let keep: boolean;
      let newSeq = s;
      if (ack === nx) {
        if (!matched) { matched = true; out.frame = this.frame[r]!; out.ts = this.ts[r]!; }
        keep = false;
      } else if (gtSeq(ack, s) && leSeq(ack, nx)) {
        newSeq = ack;
        keep = true;
        trimmed = true;
      } else {
        keep = gtSeq(nx, ack);
      }
      if (keep) {
        this.seq[w] = newSeq;
        this.next[w] = nx;
        this.frame[w] = this.frame[r]!;
        this.ts[w] = this.ts[r]!;
        w++;
      }
    }
    if (w !== n || trimmed) this.extentValid = false;
    this.length = w;
    // Entries past `length` are dead; shrinking the arrays on every ACK (a runtime call each) cost
    // ~2% of the first pass, so they are let go only when far larger than what is in use.
    if (this.seq.length > 4 * w + 64) this.seq.length = this.next.length = this.frame.length = this.ts.length = w;
    return matched;
  }

  /**
   * The RTO reference of a retransmission starting at `seq`: the oldest unacked segment that
   * starts at or after it. Returns its index or -1.
   */
  oldestAtOrAfter(seq: number): number {
    for (let i = 0; i < this.length; i++) if (geSeq(this.seq[i]!, seq)) return i;
    return -1;
  }

  frameAt(i: number): number { return this.frame[i]!; }
  tsAt(i: number): number { return this.ts[i]!; }

  /** Span from the lowest start to the highest end, both taken relative to `base` (mod 2^32). */
  extent(base: number): number {
    if (!this.extentValid || this.extentBase !== base) {
      let lo = (this.seq[this.length - 1]! - base) >>> 0;
      let hi = (this.next[this.length - 1]! - base) >>> 0;
      for (let i = 0; i < this.length; i++) {
        const a = (this.seq[i]! - base) >>> 0, b = (this.next[i]! - base) >>> 0;
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
      this.minRel = lo;
      this.maxRel = hi;
      this.extentBase = base;
      this.extentValid = true;
    }
    return (this.maxRel - this.minRel) >>> 0;
  }
}
