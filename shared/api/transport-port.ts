/**
 * MessageTransport over a MessagePort (the Electron preload's port straight to the engine utility
 * process; a worker_threads MessagePort works the same). Messages travel by structured clone, so
 * ArrayBuffers and Uint8Arrays cross as they are. A port has no reliable close event in
 * Chromium: whoever owns it calls `closed(reason)` when it learns the other side is gone (the
 * Electron main process tells the preload when the engine process exits).
 */
import type { MessageTransport } from './transport';
import { isWireMessage, type WireMessage } from './wire';

/** What the transport needs of a port: the DOM MessagePort and Node's both fit. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { readonly data: unknown }) => void): void;
  start(): void;
  close(): void;
}

export class PortTransport implements MessageTransport {
  private receiver: ((msg: WireMessage) => void) | null = null;
  private closeReceiver: ((reason: string) => void) | null = null;
  private isClosed = false;

  constructor(private readonly port: PortLike) {
    port.addEventListener('message', (e) => {
      if (this.isClosed || !isWireMessage(e.data)) return;
      this.receiver?.(e.data);
    });
    port.start();
  }

  send(msg: WireMessage): void {
    if (this.isClosed) throw new Error('the engine connection is closed');
    this.port.postMessage(msg);
  }

  onMessage(receiver: (msg: WireMessage) => void): void { this.receiver = receiver; }

  onClose(receiver: (reason: string) => void): void { this.closeReceiver = receiver; }

  /** The other side is gone (or we are closing): stop, and tell the client once. */
  closed(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try { this.port.close(); } catch { /* already closed */ }
    this.closeReceiver?.(reason);
  }

  close(): void { this.closed('closed by the client'); }
}
