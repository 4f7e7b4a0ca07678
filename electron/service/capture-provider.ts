/**
 * What the service needs from live capture (implemented by electron/capture/). A capture writes a
 * pcapng spool file; the service opens that file as a session, so decoding, filters and export
 * work the same on live and saved captures.
 */
import type { CaptureInterfaceInfo, CaptureRequest, CaptureStats } from '../../shared/api/types';

export interface LiveCapture {
  /** The pcapng spool file being written. */
  readonly spoolPath: string;
  /** Stops capturing; resolves once the spool file is complete. */
  stop(): Promise<void>;
  /** Copies the spool to `path` (pcapng), atomically. */
  save(path: string): Promise<void>;
  /** Capture counters as they change; returns the unsubscribe function. */
  onStats(listener: (s: Omit<CaptureStats, 'session'>) => void): () => void;
}

export interface CaptureProvider {
  interfaces(): Promise<readonly CaptureInterfaceInfo[]>;
  start(req: CaptureRequest): Promise<LiveCapture>;
}

export class NoCaptureProviderError extends Error {
  constructor(method: string) {
    super(`${method}: live capture is not available in this process (no capture provider is set)`);
  }
}
