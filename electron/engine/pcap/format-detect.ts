import { BlockType } from './pcapng-blocks';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-reader';

export type DetectedFormat =
  | { kind: 'empty' }
  | { kind: 'pcap' }
  | { kind: 'pcapng' }
  | { kind: 'gzip' }
  | { kind: 'zstd' }
  | { kind: 'unknown'; reason: string };

/** Bytes needed to tell the formats apart. */
export const DETECT_BYTES = 4;

/** Recognise a capture by its first bytes (never by its file name). `size` is the file size. */
export function detectFormat(head: Uint8Array, size: number): DetectedFormat {
  if (size === 0) return { kind: 'empty' };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip' };
  if (head.length < 4) return { kind: 'unknown', reason: `not a capture file (only ${size} byte${size === 1 ? '' : 's'})` };
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  const le = ((head[3]! << 24) | (head[2]! << 16) | (head[1]! << 8) | head[0]!) >>> 0;
  if (be === 0x28b52ffd) return { kind: 'zstd' };
  if (be === BlockType.SHB) return { kind: 'pcapng' };
  for (const m of [be, le]) if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS) return { kind: 'pcap' };
  const magic = `0x${be.toString(16).padStart(8, '0')}`;
  for (const m of [be, le]) if (m === 0xa1b2cd34) return { kind: 'unknown', reason: `unsupported capture format: modified libpcap (magic ${magic})` };
  if (be === 0x04224d18) return { kind: 'unknown', reason: 'unsupported compression: lz4' };
  if (be === 0xfd377a58) return { kind: 'unknown', reason: 'unsupported compression: xz' };
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return { kind: 'unknown', reason: 'unsupported compression: bzip2' };
  return { kind: 'unknown', reason: `not a capture file (unknown magic ${magic})` };
}
