import { CaptureError } from './capture-error';
import type { FileWindow } from './file-window';
import type { CaptureCompression, CaptureInterface, CaptureReader, FrameRecord } from './types';

export interface ReaderSource {
  win: FileWindow;
  compression: CaptureCompression;
  /** Set when the decompressor failed part-way: the data before it is read, then this is reported. */
  sourceProblem?: string;
  /** Called once on close (removes a decompressed temp file). */
  onClose?: () => void;
}

/** What pcap and pcapng readers share: end/error bookkeeping, random access, closing. */
export abstract class ReaderBase implements CaptureReader {
  abstract readonly format: 'pcap' | 'pcapng';
  abstract readonly interfaces: readonly CaptureInterface[];
  abstract readonly sectionComments: readonly string[];
  readonly compression: CaptureCompression;
  readonly size: number;
  error: CaptureError | null = null;
  bytesRead = 0;
  protected frames = 0;
  protected done = false;
  protected readonly win: FileWindow;
  private readonly src: ReaderSource;

  constructor(src: ReaderSource) {
    this.src = src;
    this.win = src.win;
    this.compression = src.compression;
    this.size = src.win.size;
  }

  abstract next(): FrameRecord | null;

  readPacket(dataOffset: number, capLen: number, into?: Uint8Array): Uint8Array {
    const out = this.win.copy(dataOffset, capLen, into);
    if (!out) {
      throw new CaptureError(dataOffset, `packet bytes out of range: ${capLen} bytes at offset ${dataOffset}, file has ${this.size}`);
    }
    return out;
  }

  close(): void {
    this.done = true;
    if (!this.win.closed) {
      this.win.close();
      this.src.onClose?.();
    }
  }

  /** Stop reading; `err` null means a clean end of file. Always returns null (for `return this.stop(...)`). */
  protected stop(err: CaptureError | null): null {
    this.done = true;
    const problem = this.src.sourceProblem;
    if (problem) err = err ? new CaptureError(err.offset, `${err.reason}; ${problem}`) : new CaptureError(this.size, problem);
    this.error = err;
    return null;
  }
}

export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
