/**
 * The contract between the TCP header decoder (decode/tcp.ts) and TCP conversation analysis
 * (analysis/tcp-conversation.ts): header facts in, Wireshark's per-segment analysis out.
 */

/** What the header decoder read from one TCP segment. Sequence numbers are raw (absolute). */
export interface TcpHeaderFacts {
  readonly frame: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** Address keys of the two ends (family-tagged, e.g. "4:10.0.0.1", "6:::1"). */
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** The 12 flag bits (tcp.flags). */
  readonly flags: number;
  /** The raw 16-bit window field. */
  readonly window: number;
  /** Payload length (tcp.len). */
  readonly seglen: number;
  readonly mss?: number;
  /** Window-scale shift from the option, when present. */
  readonly wscale?: number;
  readonly sackPerm: boolean;
  /** SACK blocks as raw [left, right, left, right, ...]. */
  readonly sack: readonly number[];
  readonly tsval?: number;
  readonly tsecr?: number;
}

export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PUSH = 0x08;
export const TH_ACK = 0x10;
export const TH_URG = 0x20;
export const TH_ECE = 0x40;
export const TH_CWR = 0x80;
export const TH_AE = 0x100;

/** tcp.analysis.* flags, as bits. */
export const TA = {
  RETRANSMISSION: 1 << 0,
  FAST_RETRANSMISSION: 1 << 1,
  SPURIOUS_RETRANSMISSION: 1 << 2,
  OUT_OF_ORDER: 1 << 3,
  LOST_SEGMENT: 1 << 4,
  ACK_LOST_SEGMENT: 1 << 5,
  DUPLICATE_ACK: 1 << 6,
  ZERO_WINDOW: 1 << 7,
  ZERO_WINDOW_PROBE: 1 << 8,
  ZERO_WINDOW_PROBE_ACK: 1 << 9,
  WINDOW_FULL: 1 << 10,
  WINDOW_UPDATE: 1 << 11,
  KEEP_ALIVE: 1 << 12,
  KEEP_ALIVE_ACK: 1 << 13,
  REUSED_PORTS: 1 << 14,
} as const;

/** One TCP conversation (tcp.stream). `app` is a slot the reassembly/DB layer owns. */
export interface TcpConversation {
  readonly stream: number;
  /** Address key and port of the end that sent the first packet we saw. */
  readonly firstSrc: string;
  readonly firstSrcPort: number;
  /** 0 or 1: which direction (relative to the first packet) sent the first SYN without ACK; -1 if none seen. */
  synDir: -1 | 0 | 1;
  app: unknown;
}

export interface TcpSegmentAnalysis {
  readonly stream: number;
  readonly conv: TcpConversation;
  /** 0 when this segment goes the same way as the conversation's first packet, else 1. */
  readonly dir: 0 | 1;
  /** Relative sequence/ack numbers and next sequence number (tcp.seq, tcp.ack, tcp.nxtseq). */
  readonly relSeq: number;
  /** Relative when the ACK flag is set; otherwise the raw field, as Wireshark shows it. */
  readonly relAck: number;
  readonly nxtSeq: number;
  /**
   * Calculated window (tcp.window_size) and scale factor (tcp.window_size_scalefactor: -1 unknown,
   * -2 no scaling). Wireshark shows no scale factor on SYN segments.
   */
  readonly windowSize: number;
  readonly scaleFactor: number;
  /** tcp.completeness as known so far (single pass). */
  readonly completeness: number;
  /** tcp.time_relative / tcp.time_delta, seconds. */
  readonly timeRelative: number;
  readonly timeDelta: number;
  /** Relative SACK edges, same layout as TcpHeaderFacts.sack. */
  readonly relSack: readonly number[];
  /** TA bits. */
  readonly flags: number;
  /** Whether Wireshark shows the "SEQ/ACK analysis" item (tcp.analysis) for this segment. */
  readonly hasAnalysis: boolean;
  readonly bytesInFlight?: number;
  readonly pushBytesSent?: number;
  readonly acksFrame?: number;
  readonly ackRtt?: number;
  readonly initialRtt?: number;
  readonly dupAckNum?: number;
  readonly dupAckFrame?: number;
  readonly rto?: number;
  readonly rtoFrame?: number;
}
