/** The contract between a capture backend and the capture process that spools its packets. */
import type { SpoolInterface } from '../spool';

export interface PacketSink {
  /** Registers an interface; returns the index to pass to packet(). */
  addInterface(ifc: SpoolInterface): number;
  /** One packet; `data` may be reused by the backend after the call returns. */
  packet(iface: number, tsSec: number, tsNsec: number, data: Uint8Array, origLen: number): void;
}

export interface CaptureBackend {
  readonly name: string;
  /** Resolves once packets are being captured; rejects with a CaptureFailure. */
  start(): Promise<void>;
  /** Stops capturing and delivers what is still in flight. */
  stop(): Promise<void>;
  /** Packets the backend says it dropped (null: it does not say). */
  dropped(): number | null;
  /** Called if the capture ends by itself (tool exited, connection lost). */
  onEnd: ((error: Error | null) => void) | null;
}
