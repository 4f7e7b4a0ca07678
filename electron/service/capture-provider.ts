/**
 * What the service needs from live capture (implemented by capture-provider-live.ts over
 * electron/capture/). A capture writes a pcapng spool file; the service follows that file as a
 * session while it grows, so decoding, filters and export work the same on live and saved captures.
 */
import type { CaptureInterfaceInfo, CaptureRequest, CaptureStats } from '../../shared/api/types';
import type { CaptureReader } from '../engine/pcap';
import type { FollowHooks } from '../engine/store/shard-pass';

export interface LiveCapture {
  /** The pcapng spool file being written. */
  readonly spoolPath: string;
  /** A reader over the growing spool and the hooks that say when it has more (call once). */
  follow(): { readonly reader: CaptureReader; readonly hooks: FollowHooks };
  /** Stops capturing; resolves once the spool file is complete. */
  stop(): Promise<void>;
  /** Saves the spool to `path` (pcapng): a copy while capturing, a move once stopped. */
  save(path: string): Promise<void>;
  /** Stops and deletes the spool. */
  discard(): Promise<void>;
  /** Capture counters as they change; returns the unsubscribe function. */
  onStats(listener: (s: Omit<CaptureStats, 'session'>) => void): () => void;
  /** The local process owning a TCP endpoint ("addr:port", "[v6]:port"), when it can be told. */
  processOf?(endpoint: string): { readonly pid: number; readonly name: string } | undefined;
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
