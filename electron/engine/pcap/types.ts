import type { CaptureError } from './capture-error';

/** One capture interface. pcap files have exactly one; pcapng has one per IDB (numbered across
 *  sections in file order: `id` is the index in `reader.interfaces`). */
export interface CaptureInterface {
  id: number;
  linkType: number;
  snapLen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (1e6 for µs, 1e9 for ns, 2^k for the power-of-2 if_tsresol form).
   *  A float only when units exceed 2^53 (if_tsresol 10^-16 and finer), which no real capture uses. */
  tsUnitsPerSec: number;
  /** if_tsoffset: seconds added to every timestamp of this interface. */
  tsOffsetSec: number;
  /** FCS bytes at the end of each packet, when the file says (pcap link field bits / if_fcslen). */
  fcsLen?: number;
  /** 0-based pcapng section index (always 0 for pcap). */
  section: number;
}

export interface FrameRecord {
  /** 1-based frame number. */
  num: number;
  /** Offset of the record header / block start in the (decompressed) file. */
  recordOffset: number;
  /** Offset of the packet bytes, for readPacket() later. */
  dataOffset: number;
  capLen: number;
  origLen: number;
  /** Absolute time: seconds since the epoch and nanoseconds (0..999999999), exact. */
  tsSec: number;
  tsNsec: number;
  /** Index into reader.interfaces. */
  iface: number;
  linkType: number;
  /** opt_comment values of the EPB/SPB/OPB. */
  comments?: string[];
  /** Set for Simple Packet Blocks, which carry no timestamp (tsSec/tsNsec are then 0). */
  noTimestamp?: boolean;
  /** epb_flags when present. */
  flags?: number;
  /** Set for pcapng Custom Blocks (iface and linkType are -1): the Private Enterprise Number. */
  custom?: { pen: number; copyAllowed: boolean };
  /** Packet bytes; a view into the reader's buffer, valid only until the next next() call. */
  data: Uint8Array;
}

export type CaptureFormat = 'pcap' | 'pcapng';
export type CaptureCompression = 'none' | 'gzip' | 'zstd';

export interface CaptureReader {
  readonly format: CaptureFormat;
  readonly compression: CaptureCompression;
  /** Grows while reading pcapng (IDBs may appear anywhere); complete once next() returned null. */
  readonly interfaces: readonly CaptureInterface[];
  /** opt_comment values of every SHB seen so far. */
  readonly sectionComments: readonly string[];
  /** Size of the (decompressed) file in bytes. */
  readonly size: number;
  /** Bytes consumed so far (offset just past the last record read). */
  readonly bytesRead: number;
  /** Next frame, or null at the end of the file or when reading stopped on bad data (see error). */
  next(): FrameRecord | null;
  /** Set when reading stopped on bad data: byte offset + reason. */
  readonly error: CaptureError | null;
  /**
   * Random-access re-read of packet bytes: a fresh copy, or with `into` large enough, a view of
   * `into` (a caller that uses the bytes at once, such as an export, saves an allocation per frame).
   * Throws CaptureError when out of range.
   */
  readPacket(dataOffset: number, capLen: number, into?: Uint8Array): Uint8Array;
  close(): void;
}
