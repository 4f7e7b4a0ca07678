/**
 * What one shard of the first pass reports for a range of frames: the index columns of every
 * frame in the range (shard 0 only), the summary columns of the frames it owns, and the strings
 * and streams it saw first. Plain typed arrays, so a batch crosses threads as transferred buffers.
 */
import type { ConnectionDetail } from '../analysis/connections/report';
import type { PackedTransactions } from '../analysis/transaction-table';

/** FrameBatch.kind bits. */
export const KIND_TCP = 1;
export const KIND_UDP = 2;
export const KIND_MALFORMED = 4;
/** The frame's L3/L4 fields are all in the columns (one IP layer, one TCP/UDP layer): column filters are exact for it. */
export const KIND_SIMPLE = 8;
/** Set on every dissected frame (a summary row); a stored frame without it was never dissected. */
export const KIND_OWNED = 128;

export interface FrameBatch {
  readonly shard: number;
  /** Index (0-based frame number - 1) of the first frame and the number of frames. */
  readonly first: number;
  readonly count: number;
  // index columns, every frame of the range: shard 0's batches only (the others' are empty)
  readonly offset: Float64Array;
  readonly capLen: Uint32Array;
  readonly origLen: Uint32Array;
  readonly tsSec: Float64Array;
  readonly tsNsec: Float64Array;
  readonly iface: Uint16Array;
  // summary columns, a row per frame this shard owns, in frame order
  /** Each row's frame, as its index in the range (0 = `first`). */
  readonly row: Uint32Array;
  readonly kind: Uint8Array;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly proto: Uint32Array;
  readonly tcpFlags: Uint16Array;
  readonly analysis: Uint16Array;
  /** Shard-local tcp.stream / udp.stream (-1 none); remapped to global numbers on merge. */
  readonly stream: Int32Array;
  readonly color: Uint8Array;
  readonly protoMask: Uint32Array;
  readonly infoLen: Uint32Array;
  /** The Info texts of owned frames, UTF-8, back to back in frame order. */
  readonly info: Uint8Array;
  /** Shard-local string ids added since the previous batch: `strings[i]` has id `stringBase + i`. */
  readonly stringBase: number;
  readonly strings: readonly string[];
  /** Protocol names given bits in protoMask since the previous batch (bit = protoBitBase + i). */
  readonly protoBitBase: number;
  readonly protoBits: readonly string[];
  /** Shard-local TCP streams first seen in this batch, with the index of their first frame. */
  readonly newTcpStreams: readonly (readonly [number, number])[];
  /** Frames with pcapng comments / flags (rare): frame index → facts. */
  readonly extras: readonly FrameExtra[];
  /** The capture's interfaces known so far (pcapng may add some later). */
  readonly interfaces: readonly InterfaceSummary[];
}

export interface InterfaceSummary {
  readonly linkType: number;
  readonly snapLen: number;
  readonly name?: string;
  readonly description?: string;
  readonly tsUnitsPerSec: number;
}

export interface FrameExtra {
  readonly index: number;
  readonly comments?: readonly string[];
  readonly flags?: number;
  /** pcapng Simple Packet Block: the record has no timestamp. */
  readonly noTimestamp?: boolean;
  /** pcapng Custom Block read as a frame (no interface: iface and linkType are -1). */
  readonly custom?: { readonly pen: number; readonly copyAllowed: boolean };
}

export interface ShardResult {
  readonly shard: number;
  readonly frames: number;
  readonly error: string | null;
  /** In request order; connections' timelines leave the requests out (see buildReport's requestEvents). */
  readonly transactions: PackedTransactions;
  readonly connections: readonly ConnectionDetail[];
  readonly interfaces: readonly InterfaceSummary[];
  readonly format: 'pcap' | 'pcapng';
  readonly compression: 'none' | 'gzip' | 'zstd';
  readonly sectionComments: readonly string[];
}

/** Buffers of a batch, for postMessage's transfer list (columns may share one). */
export function batchTransfer(b: FrameBatch): ArrayBuffer[] {
  return [...new Set([b.offset, b.capLen, b.origLen, b.tsSec, b.tsNsec, b.iface, b.row, b.kind, b.src, b.dst, b.srcPort, b.dstPort, b.proto,
    b.tcpFlags, b.analysis, b.stream, b.color, b.protoMask, b.infoLen, b.info].map((a) => a.buffer as ArrayBuffer))];
}

/** Bytes of a batch's buffers. */
export function batchBytes(b: FrameBatch): number {
  return batchTransfer(b).reduce((n, a) => n + a.byteLength, 0);
}
