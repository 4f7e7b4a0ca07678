import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CaptureError } from './capture-error';
import { decompressToTemp } from './decompress';
import { EmptyReader } from './empty-reader';
import { FileWindow } from './file-window';
import { DETECT_BYTES, detectFormat } from './format-detect';
import { PcapReader } from './pcap-reader';
import { PcapngReader } from './pcapng-reader';
import type { ReaderSource } from './reader-base';
import type { CaptureCompression, CaptureReader } from './types';

export interface OpenCaptureOptions {
  /** Read-window size in bytes (tests use a tiny one to exercise window boundaries). */
  chunkSize?: number;
}

/**
 * Open a pcap or pcapng file, plain, gzip- or zstd-compressed (detected from content).
 * Rejects with a one-line CaptureError when the file is not a readable capture; damage later in
 * the file is reported through reader.error after the last good frame.
 */
export async function openCapture(path: string, opts: OpenCaptureOptions = {}): Promise<CaptureReader> {
  const head = readHead(path);
  const fmt = detectFormat(head.bytes, head.size);
  switch (fmt.kind) {
    case 'empty':
      return new EmptyReader('none');
    case 'unknown':
      throw new CaptureError(0, fmt.reason, false);
    case 'pcap':
    case 'pcapng':
      return openPlain(path, 'none', fmt.kind, opts);
    case 'gzip':
    case 'zstd': {
      const tmp = await decompressToTemp(path, fmt.kind);
      try {
        const inner = readHead(tmp.path);
        const innerFmt = detectFormat(inner.bytes, inner.size);
        if (innerFmt.kind === 'empty') {
          if (tmp.problem) throw new CaptureError(0, tmp.problem, false);
          tmp.cleanup();
          return new EmptyReader(fmt.kind);
        }
        if (innerFmt.kind !== 'pcap' && innerFmt.kind !== 'pcapng') {
          const why = innerFmt.kind === 'unknown' ? innerFmt.reason : `nested ${innerFmt.kind} compression is not supported`;
          throw new CaptureError(0, `${fmt.kind}-compressed file: ${why}`, false);
        }
        return openPlain(tmp.path, fmt.kind, innerFmt.kind, opts, tmp.cleanup, tmp.problem);
      } catch (e) {
        tmp.cleanup();
        throw e;
      }
    }
  }
}

function openPlain(
  path: string,
  compression: CaptureCompression,
  kind: 'pcap' | 'pcapng',
  opts: OpenCaptureOptions,
  cleanup?: () => void,
  sourceProblem?: string,
): CaptureReader {
  const win = new FileWindow(path, opts.chunkSize);
  // With the file open, a POSIX temp file can be removed at once, so nothing leaks even if
  // close() is never called; where that fails (Windows), close() removes it.
  cleanup?.();
  const src: ReaderSource = { win, compression };
  if (cleanup) src.onClose = cleanup;
  if (sourceProblem) src.sourceProblem = sourceProblem;
  try {
    return kind === 'pcap' ? new PcapReader(src) : new PcapngReader(src);
  } catch (e) {
    win.close();
    cleanup?.();
    if (e instanceof CaptureError) throw new CaptureError(e.offset, `cannot read ${kind} file: ${e.reason}`, false);
    throw e;
  }
}

function readHead(path: string): { bytes: Uint8Array; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(Math.min(DETECT_BYTES, size));
    const n = bytes.length > 0 ? readSync(fd, bytes, 0, bytes.length, 0) : 0;
    return { bytes: bytes.subarray(0, n), size };
  } finally {
    closeSync(fd);
  }
}
