/**
 * TCP conversations (tcp.stream) and Wireshark's sequence analysis, in one pass over the frames
 * in order — the values `tshark -r` (without -2) prints: relative seq/ack, scaled window,
 * completeness, conversation timestamps and every tcp.analysis.* flag and measurement.
 *
 * The rules and their order follow Wireshark 4.0's packet-tcp.c (dissect_tcp and
 * tcp_analyze_sequence_number); tshark 4.0.17 is the oracle the tests compare against.
 */
import {
  TA, TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN,
  type TcpConversation, type TcpHeaderFacts, type TcpSegmentAnalysis,
} from './tcp-types';
import { add32, gtSeq, leSeq, ltSeq, sub32 } from './tcp-seq';
import { MAX_UNACKED_SEGMENTS, UnackedSegments } from './tcp-unacked';
import type { Mutable } from '../mutable';
import { StringIds } from '../string-ids';

/** tcp.completeness bits. */
export const COMPLETENESS = { SYN: 1, SYNACK: 2, ACK: 4, DATA: 8, FIN: 16, RST: 32 } as const;

const NS_PER_S = 1e9;
/**
 * Times in ns are fields and sums that V8 would keep as small integers until a connection is a
 * second old (2^30 ns), then change to doubles in the middle of the pass — each such change
 * deoptimizes the TCP analysis, recompiled at ~10–20 ms a time in each worker. So ns fields start
 * as the double -0 (equal to 0 in every use here), and since() adds SINCE_BIAS_S seconds that it
 * takes off again in ns, so that its products are past 32 bits from the first packet on (exact:
 * every value stays far below 2^53).
 */
const DOUBLE_ZERO = -0;
const SINCE_BIAS_S = 3;
const SINCE_BIAS_NS = SINCE_BIAS_S * NS_PER_S;
/** A fast retransmission follows the duplicate ACKs within this long. */
const FAST_RETRANSMISSION_NS = 20_000_000;
/** Out-of-order window when no initial RTT is known. */
const DEFAULT_OOO_NS = 3_000_000;
/** Wireshark keeps at most this many SACK blocks of a segment for bytes in flight. */
const MAX_SACK_BLOCKS = 3;
/** Bytes in flight at or above this are treated as nonsense and not shown. */
const MAX_BYTES_IN_FLIGHT = 2_000_000_000;
const SYN_FIN = TH_SYN | TH_FIN;
const SYN_FIN_RST = TH_SYN | TH_FIN | TH_RST;
const NO_SACK: readonly number[] = [];

/** One direction of a conversation (Wireshark's tcp_flow_t plus its analysis info). */
class TcpFlow {
  baseSeq = 0;
  baseSeqSet = false;
  /** Window shift: >= 0 known, -1 unknown, -2 not used. */
  winScale = -1;
  /** Last raw window advertised (starts at the all-ones "never seen" value). */
  window = 0xffffffff;
  isFirstAck = false;
  validBif = true;
  pushBytesSent = 0;
  pushSetLast = false;
  nextseq = 0;
  nextseqFrame = 0;
  /** Times are ns since the conversation's first packet; -Infinity stands for "never". */
  nextseqTime = -Infinity;
  lastack = 0;
  lastackTime = -Infinity;
  lastnondupack = 0;
  dupacknum = 0;
  maxseqtobeacked = 0;
  lastSegmentFlags = 0;
  sackRanges = 0;
  sackDelivered = 0;
  readonly unacked = new UnackedSegments();
}

class Conversation implements TcpConversation {
  synDir: -1 | 0 | 1 = -1;
  app: unknown = undefined;
  readonly flows: readonly [TcpFlow, TcpFlow] = [new TcpFlow(), new TcpFlow()];
  completeness = 0;
  /** Time of the previous packet (ns since the first). */
  prevTs = DOUBLE_ZERO;
  /** Time of the latest SYN (ns since the first); only when its absolute time is non-zero. */
  mruSynSet = false;
  mruSyn = DOUBLE_ZERO;
  /** iRTT in ns; 0 while unknown (as Wireshark's zero nstime). */
  firstRtt = DOUBLE_ZERO;

  constructor(
    readonly stream: number, readonly firstSrc: string, readonly firstSrcPort: number,
    private readonly firstSec: number, private readonly firstNsec: number,
  ) {}

  /** ns since this conversation's first packet. */
  since(sec: number, nsec: number): number {
    return (sec - this.firstSec + SINCE_BIAS_S) * NS_PER_S - SINCE_BIAS_NS + (nsec - this.firstNsec);
  }
}

/** Which end a segment comes from (0 = the end that sent the conversation's first packet). */
function directionOf(c: Conversation, h: TcpHeaderFacts): 0 | 1 {
  return h.src === c.firstSrc && h.srcPort === c.firstSrcPort ? 0 : 1;
}

/** Address ids below this make a numeric tuple key (2 × 10 bits of ids + 32 bits of ports < 2^53). */
const NUMERIC_KEY_IDS = 1024;

/**
 * The same key for both directions of a 4-tuple: a number while both addresses' ids are small (no
 * string to build and hash per segment), else a string. `ids` numbers address keys as first seen.
 */
function tupleKey(h: TcpHeaderFacts, ids: StringIds): number | string {
  const forward = h.src < h.dst || (h.src === h.dst && h.srcPort <= h.dstPort);
  const a = forward ? h.src : h.dst, b = forward ? h.dst : h.src;
  const ap = forward ? h.srcPort : h.dstPort, bp = forward ? h.dstPort : h.srcPort;
  const ia = ids.id(a), ib = ids.id(b);
  if (ia < NUMERIC_KEY_IDS && ib < NUMERIC_KEY_IDS) return (ia * NUMERIC_KEY_IDS + ib) * 2 ** 32 + ap * 65536 + bp;
  return `${a} ${ap} ${b} ${bp}`;
}

/** Unsigned view of a signed ns difference, as Wireshark's guint64 arithmetic sees it. */
function unsignedNs(t: number): number {
  return t < 0 ? Number.POSITIVE_INFINITY : t;
}

export class TcpConversationTable {
  private readonly byTuple = new Map<number | string, Conversation>();
  private readonly addressIds = new StringIds();
  private lastKey: number | string = -1;
  private lastConv: Conversation | undefined = undefined;
  private nextStream = 0;

  // The analysis record of the segment being processed (Wireshark's tcpd->ta); reset per call.
  private taExists = false;
  private taFlags = 0;
  private acksFrame = 0;
  private ackRttNs = DOUBLE_ZERO;
  private bytesInFlight = 0;
  private pushBytes = 0;
  private dupAckNum = 0;
  private dupAckFrame = 0;
  private rtoNs = DOUBLE_ZERO;
  private rtoFrame = 0;
  private readonly acked = { frame: 0, ts: 0 };
  /**
   * What process() returns: one object, refilled by each call — a segment's analysis is read
   * before the next segment is processed, and an object per segment (with its boxed times) was a
   * twelfth of the first pass's allocations. Every field is set, so its shape never changes.
   */
  private readonly result: Mutable<TcpSegmentAnalysis> = {
    stream: 0, conv: null as unknown as Conversation, dir: 0, relSeq: 0, relAck: 0, nxtSeq: 0, windowSize: 0, scaleFactor: 0, completeness: 0,
    timeRelative: 0.5, timeDelta: 0.5, relSack: NO_SACK, flags: 0, hasAnalysis: false, bytesInFlight: undefined, pushBytesSent: undefined,
    acksFrame: undefined, ackRtt: undefined, initialRtt: undefined, dupAckNum: undefined, dupAckFrame: undefined, rto: undefined, rtoFrame: undefined,
  };

  /** Number of conversations (tcp.stream values) seen so far. */
  get streamCount(): number {
    return this.nextStream;
  }

  /** The analysis of one segment; the object is this table's, valid until the next call. */
  process(h: TcpHeaderFacts): TcpSegmentAnalysis {
    const flags = h.flags;
    const key = tupleKey(h, this.addressIds);
    // The last segment's conversation first: segments of a connection come in runs.
    let conv = key === this.lastKey ? this.lastConv : this.byTuple.get(key);
    let isNew = false;
    if (!conv) {
      conv = this.newConversation(key, h);
      isNew = true;
    } else {
      this.lastKey = key;
      this.lastConv = conv;
    }
    let dir = directionOf(conv, h);
    let fwd = conv.flows[dir];
    let rev = conv.flows[dir ^ 1]!;
    this.resetTa();

    // A SYN on a known 4-tuple with another ISN starts a new connection (tshark 4.0 does not look
    // at FIN/RST here: a SYN with the same ISN is a retransmission of the old one).
    if ((flags & (TH_SYN | TH_ACK)) === TH_SYN && fwd.baseSeqSet && h.seq !== fwd.baseSeq) {
      conv = this.newConversation(key, h);
      dir = 0;
      fwd = conv.flows[0];
      rev = conv.flows[1];
      this.flag(TA.REUSED_PORTS);
      conv.completeness = COMPLETENESS.SYN;
    } else if ((flags & (TH_SYN | TH_ACK)) === TH_SYN && fwd.baseSeqSet) {
      // The same SYN again (a retried handshake): undo a nextseq that a RST carrying another
      // sequence number may have moved.
      fwd.nextseq = fwd.maxseqtobeacked;
    }
    // A SYN/ACK with a different ISN: Wireshark keeps the conversation but rebases it.
    if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK) && fwd.baseSeqSet && h.seq !== fwd.baseSeq) {
      fwd.baseSeq = h.seq;
      this.flag(TA.REUSED_PORTS);
    }

    // tcp.completeness shows the value before this segment is counted.
    const shownCompleteness = conv.completeness;
    fwd.sackRanges = 0;
    fwd.sackDelivered = 0;

    const now = conv.since(h.tsSec, h.tsNsec);
    const timeDelta = now - conv.prevTs;
    conv.prevTs = now;

    if (!fwd.baseSeqSet) {
      fwd.baseSeq = flags & TH_SYN ? h.seq : sub32(h.seq, 1);
      fwd.baseSeqSet = true;
    }
    if (!rev.baseSeqSet && flags & TH_ACK) {
      rev.baseSeq = sub32(h.ack, 1);
      rev.baseSeqSet = true;
    }

    this.analyze(h, conv, fwd, rev, now);

    const relSeq = sub32(h.seq, fwd.baseSeq);
    const relAck = flags & TH_ACK ? sub32(h.ack, rev.baseSeq) : h.ack;
    // SYNs are never scaled; the factor is the one known before this segment's own options.
    let windowSize = h.window;
    if (!(flags & TH_SYN) && fwd.winScale >= 0) windowSize = (h.window << fwd.winScale) >>> 0;
    const scaleFactor = fwd.winScale >= 0 ? 1 << fwd.winScale : fwd.winScale;
    const nxtSeq = add32(relSeq, h.seglen + (flags & SYN_FIN ? 1 : 0));

    this.updateCompleteness(conv, flags, h.seglen, isNew);

    if (flags & TH_SYN) {
      if (!(flags & TH_ACK)) {
        conv.mruSynSet = !(h.tsSec === 0 && h.tsNsec === 0);
        conv.mruSyn = now;
        if (conv.synDir === -1) conv.synDir = dir;
      }
      fwd.isFirstAck = true;
    }
    if ((flags & (TH_SYN | TH_ACK)) === TH_ACK) {
      // The first pure ACK after a SYN completes the handshake: that gives the iRTT.
      if (conv.mruSynSet && conv.firstRtt === 0) conv.firstRtt = now - conv.mruSyn;
      fwd.isFirstAck = false;
    }

    // Options are read after the analysis, so they count from the next segment on.
    if (h.wscale !== undefined) fwd.winScale = Math.min(h.wscale, 14);
    const sack = h.sack;
    if (sack.length >= 2) {
      let delivered = 0, n = 0;
      for (let i = 0; i + 1 < sack.length && n < MAX_SACK_BLOCKS; i += 2, n++) {
        delivered = add32(delivered, sub32(sack[i + 1]!, sack[i]!));
      }
      fwd.sackRanges = n;
      fwd.sackDelivered = delivered;
    }
    if (flags & TH_SYN) verifyWindowScaling((flags & TH_ACK) !== 0, fwd, rev);

    let relSack: readonly number[] = NO_SACK;
    if (sack.length > 0) {
      const rel: number[] = [];
      for (let i = 0; i < sack.length; i++) rel.push(sub32(sack[i]!, rev.baseSeq));
      relSack = rel;
    }

    const r = this.result;
    r.stream = conv.stream;
    r.conv = conv;
    r.dir = dir;
    r.relSeq = relSeq;
    r.relAck = relAck;
    r.nxtSeq = nxtSeq;
    r.windowSize = windowSize;
    r.scaleFactor = scaleFactor;
    r.completeness = shownCompleteness;
    r.timeRelative = now / NS_PER_S;
    r.timeDelta = timeDelta / NS_PER_S;
    r.relSack = relSack;
    r.flags = this.taFlags;
    r.hasAnalysis = this.taExists;
    r.bytesInFlight = this.bytesInFlight !== 0 ? this.bytesInFlight : undefined;
    r.pushBytesSent = this.bytesInFlight !== 0 ? this.pushBytes : undefined;
    r.acksFrame = this.acksFrame !== 0 ? this.acksFrame : undefined;
    r.ackRtt = this.acksFrame !== 0 && this.ackRttNs !== 0 ? this.ackRttNs / NS_PER_S : undefined;
    r.initialRtt = this.taExists && conv.firstRtt !== 0 ? conv.firstRtt / NS_PER_S : undefined;
    r.dupAckNum = this.dupAckNum !== 0 ? this.dupAckNum : undefined;
    r.dupAckFrame = this.dupAckNum !== 0 ? this.dupAckFrame : undefined;
    r.rto = this.taFlags & TA.RETRANSMISSION && this.rtoNs !== 0 ? this.rtoNs / NS_PER_S : undefined;
    r.rtoFrame = this.taFlags & TA.RETRANSMISSION && this.rtoNs !== 0 ? this.rtoFrame : undefined;
    return r;
  }

  private newConversation(key: number | string, h: TcpHeaderFacts): Conversation {
    const c = new Conversation(this.nextStream++, h.src, h.srcPort, h.tsSec, h.tsNsec);
    this.byTuple.set(key, c);
    this.lastKey = key;
    this.lastConv = c;
    return c;
  }

  private resetTa(): void {
    this.taExists = false;
    this.taFlags = 0;
    this.acksFrame = 0;
    this.ackRttNs = 0;
    this.bytesInFlight = 0;
    this.pushBytes = 0;
    this.dupAckNum = 0;
    this.dupAckFrame = 0;
    this.rtoNs = 0;
    this.rtoFrame = 0;
  }

  private flag(bit: number): void {
    this.taExists = true;
    this.taFlags |= bit;
  }

  private updateCompleteness(conv: Conversation, flags: number, seglen: number, isNew: boolean): void {
    let c = 0;
    if (isNew) {
      // Only a pure SYN opening a new conversation starts the count.
      if ((flags & (TH_SYN | TH_ACK)) === TH_SYN) {
        c |= COMPLETENESS.SYN;
        if (seglen > 0) c |= COMPLETENESS.DATA;
      }
    } else {
      c = conv.completeness;
      if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) c |= COMPLETENESS.SYNACK;
      if ((flags & (TH_SYN | TH_ACK)) === TH_ACK) c |= seglen > 0 ? COMPLETENESS.DATA : COMPLETENESS.ACK;
      if ((flags & (TH_FIN | TH_ACK)) === (TH_FIN | TH_ACK)) c |= COMPLETENESS.FIN;
      if (flags & TH_RST) c |= COMPLETENESS.RST;
    }
    conv.completeness = c;
  }

  /** Wireshark's tcp_analyze_sequence_number: the checks run in its order; some end the run. */
  private analyze(h: TcpHeaderFacts, conv: Conversation, fwd: TcpFlow, rev: TcpFlow, now: number): void {
    const { seq, ack, seglen, flags, window } = h;
    if (flags & TH_ACK) rev.validBif = true;

    checks: {
      // Zero window probe: one byte at the next expected seq into a closed window.
      if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
        this.flag(TA.ZERO_WINDOW_PROBE);
        break checks;
      }
      if (window === 0 && (flags & (TH_RST | TH_FIN | TH_SYN)) === 0) this.flag(TA.ZERO_WINDOW);
      // Lost segment: this one starts beyond what we have seen.
      if (fwd.nextseq !== 0 && gtSeq(seq, fwd.nextseq) && (flags & TH_RST) === 0) {
        this.flag(TA.LOST_SEGMENT);
        fwd.validBif = false;
      }
      // Keep-alive: 0 or 1 byte, one before the next expected seq.
      if ((seglen === 0 || seglen === 1) && seq === sub32(fwd.nextseq, 1) && (flags & SYN_FIN_RST) === 0) {
        this.flag(TA.KEEP_ALIVE);
      }
      const sameSeqAck = seq === fwd.nextseq && ack === fwd.lastack && (flags & SYN_FIN_RST) === 0;
      if (seglen === 0 && window !== 0 && window !== fwd.window && sameSeqAck) this.flag(TA.WINDOW_UPDATE);
      // Window full: the data reaches the right edge of the receiver's advertised window.
      if (seglen > 0 && rev.winScale !== -1 && (flags & SYN_FIN_RST) === 0) {
        const shift = rev.isFirstAck || rev.winScale === -2 ? 0 : rev.winScale;
        const edge = add32(rev.lastack, (rev.window << shift) >>> 0);
        if (add32(seq, seglen) === edge) this.flag(TA.WINDOW_FULL);
      }
      if (seglen === 0 && window !== 0 && window === fwd.window && sameSeqAck && rev.lastSegmentFlags & TA.KEEP_ALIVE) {
        this.flag(TA.KEEP_ALIVE_ACK);
        break checks;
      }
      if (seglen === 0 && window === 0 && window === fwd.window && sameSeqAck && rev.lastSegmentFlags & TA.ZERO_WINDOW_PROBE) {
        this.flag(TA.ZERO_WINDOW_PROBE_ACK);
        break checks;
      }
      if (seglen === 0 && window !== 0 && window === fwd.window && sameSeqAck) {
        fwd.dupacknum = fwd.dupacknum === -1 ? 1 : fwd.dupacknum + 1;
        this.flag(TA.DUPLICATE_ACK);
        this.dupAckNum = fwd.dupacknum;
        this.dupAckFrame = fwd.lastnondupack;
      }
    }

    if (ack !== fwd.lastack) {
      fwd.lastnondupack = h.frame;
      fwd.dupacknum = 0;
    }

    // ACKed unseen segment: this ACK covers data the other side sent that we never saw.
    if (rev.maxseqtobeacked !== 0 && gtSeq(ack, rev.maxseqtobeacked) && flags & TH_ACK) {
      this.taExists = true;
      if (ltSeq(rev.maxseqtobeacked, rev.nextseq)) {
        rev.maxseqtobeacked = rev.nextseq;
        this.taFlags |= TA.ACK_LOST_SEGMENT;
      } else {
        // Report one lost segment once even when the other side sends only pure ACKs.
        if (rev.dupacknum === 0) this.taFlags |= TA.ACK_LOST_SEGMENT;
        rev.dupacknum = -1;
      }
    }

    if (seglen > 0 || flags & SYN_FIN) this.classifyRetransmission(h, conv, fwd, rev, now);

    let nextseq = add32(seq, seglen);
    if ((seglen > 0 || flags & SYN_FIN) && fwd.unacked.length < MAX_UNACKED_SEGMENTS) {
      if (flags & SYN_FIN) nextseq = add32(nextseq, 1);
      fwd.unacked.push(seq, nextseq, h.frame, now);
    }
    const isProbe = (this.taFlags & TA.ZERO_WINDOW_PROBE) !== 0;
    if ((gtSeq(nextseq, fwd.nextseq) || fwd.nextseq === 0) && !isProbe) {
      fwd.nextseq = nextseq;
      fwd.nextseqFrame = h.frame;
      fwd.nextseqTime = now;
    }
    if ((seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0) && !isProbe) fwd.maxseqtobeacked = fwd.nextseq;

    fwd.window = window;
    fwd.lastack = ack;
    fwd.lastackTime = now;
    fwd.lastSegmentFlags = this.taFlags;

    // Segments of the other direction that this ACK covers (Wireshark does not check the ACK bit).
    if (rev.unacked.length > 0 && rev.unacked.ack(ack, this.acked)) {
      this.taExists = true;
      this.acksFrame = this.acked.frame;
      this.ackRttNs = now - this.acked.ts;
    }

    if (seglen !== 0 && fwd.unacked.length > 0 && fwd.validBif) {
      let inFlight = fwd.unacked.extent(fwd.baseSeq);
      if (rev.sackRanges > 0) inFlight = sub32(inFlight, rev.sackDelivered);
      this.taExists = true;
      if (inFlight > 0 && inFlight < MAX_BYTES_IN_FLIGHT) {
        this.bytesInFlight = flags & SYN_FIN ? inFlight - 1 : inFlight;
      }
      const push = (flags & TH_PUSH) !== 0;
      if (push || fwd.pushSetLast) {
        fwd.pushBytesSent = push && !fwd.pushSetLast ? fwd.pushBytesSent + seglen : seglen;
        fwd.pushSetLast = push;
      } else {
        fwd.pushBytesSent += seglen;
      }
      this.pushBytes = fwd.pushBytesSent >>> 0;
    }
  }

  /** Retransmission / fast / spurious / out-of-order, for segments that carry data, SYN or FIN. */
  private classifyRetransmission(h: TcpHeaderFacts, conv: Conversation, fwd: TcpFlow, rev: TcpFlow, now: number): void {
    const { seq, seglen, flags } = h;
    // A keep-alive is not a retransmission.
    if (this.taFlags & TA.KEEP_ALIVE) return;
    let notAdvanced = fwd.nextseq !== 0 && ltSeq(seq, fwd.nextseq);
    // More than one byte starting one before nextseq (after a zero window probe) is new data.
    if (seglen > 1 && sub32(fwd.nextseq, 1) === seq) notAdvanced = false;

    if (seglen > 0 && rev.lastack !== 0 && leSeq(add32(seq, seglen), rev.lastack)) {
      this.flag(TA.SPURIOUS_RETRANSMISSION);
      return;
    }
    // Wireshark's counter is unsigned: the -1 left by an ACKed-unseen segment counts as "many".
    if (notAdvanced && (rev.dupacknum >= 2 || rev.dupacknum === -1) && rev.lastack === seq
      && unsignedNs(now - rev.lastackTime) < FAST_RETRANSMISSION_NS) {
      this.flag(TA.FAST_RETRANSMISSION);
      return;
    }
    const oooWindow = conv.firstRtt === 0 ? DEFAULT_OOO_NS : unsignedNs(conv.firstRtt);
    if (notAdvanced && unsignedNs(now - fwd.nextseqTime) < oooWindow) {
      // Out of order unless it ends exactly at the highest seq seen (then it is a retransmission).
      // (Later Wireshark versions also count the one closing a run after a pure ACK; 4.0 does not.)
      if (fwd.nextseq !== add32(seq, seglen + (flags & SYN_FIN ? 1 : 0))) {
        this.flag(TA.OUT_OF_ORDER);
        return;
      }
    }
    if (notAdvanced) {
      this.flag(TA.RETRANSMISSION);
      // RTO from the oldest segment still unacked, else from the one that set the highest seq.
      if (fwd.unacked.length > 0) {
        this.rtoNs = now - fwd.unacked.tsAt(0);
        this.rtoFrame = fwd.unacked.frameAt(0);
      } else if (Number.isFinite(fwd.nextseqTime)) {
        this.rtoNs = now - fwd.nextseqTime;
        this.rtoFrame = fwd.nextseqFrame;
      }
    }
  }
}

/** After a SYN or SYN/ACK: scaling is used only when both ends offered it. */
function verifyWindowScaling(isSynAck: boolean, fwd: TcpFlow, rev: TcpFlow): void {
  if (fwd.winScale === -1) {
    fwd.winScale = -2;
    rev.winScale = -2;
  } else if (isSynAck && rev.winScale === -2) {
    fwd.winScale = -2;
  }
}
