import { CaptureError } from './capture-error';
import type { CaptureCompression, CaptureInterface, CaptureReader, FrameRecord } from './types';

/** A 0-byte capture (e.g. a capture that never saw a packet): valid, with no frames. */
export class EmptyReader implements CaptureReader {
  readonly format = 'pcap' as const;
  readonly interfaces: readonly CaptureInterface[] = [];
  readonly sectionComments: readonly string[] = [];
  readonly size = 0;
  readonly bytesRead = 0;
  readonly error: CaptureError | null = null;

  constructor(
    readonly compression: CaptureCompression,
    private onClose?: () => void,
  ) {}

  next(): FrameRecord | null {
    return null;
  }

  readPacket(dataOffset: number, capLen: number): Uint8Array {
    if (capLen === 0 && dataOffset === 0) return new Uint8Array(0);
    throw new CaptureError(dataOffset, `packet bytes out of range: ${capLen} bytes at offset ${dataOffset}, file is empty`);
  }

  close(): void {
    this.onClose?.();
    this.onClose = undefined;
  }
}
