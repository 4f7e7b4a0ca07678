/**
 * MessageTransport over a WebSocket (the browser renderer talking to `dbwire serve`). Frames are
 * encoded by wire-codec.ts: JSON text frames, and binary frames for messages carrying bytes.
 */
import type { MessageTransport } from './transport';
import { decodeFrame, encodeFrame } from './wire-codec';
import type { WireMessage } from './wire';

/** What the transport needs of a socket: the browser WebSocket (and the `ws` package's) fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (e: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (e: { readonly code: number; readonly reason: string }) => void): void;
  addEventListener(type: 'error', listener: (e: unknown) => void): void;
  addEventListener(type: 'open', listener: (e: unknown) => void): void;
}

const OPEN = 1;

export class WebSocketTransport implements MessageTransport {
  private receiver: ((msg: WireMessage) => void) | null = null;
  /** Messages that arrived before the receiver was set (the hello comes first thing). */
  private early: WireMessage[] = [];
  private closeReceiver: ((reason: string) => void) | null = null;
  private closedReason: string | null = null;

  /** Listens from the start; see connectWebSocket for a socket still connecting. */
  constructor(private readonly socket: WebSocketLike) {
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (e) => {
      let msg: WireMessage;
      try {
        const d = e.data;
        if (typeof d !== 'string' && !(d instanceof ArrayBuffer) && !(d instanceof Uint8Array)) return;
        msg = decodeFrame(d);
      } catch {
        this.finish('the server sent a malformed message');
        socket.close(1002, 'malformed message');
        return;
      }
      if (this.receiver) this.receiver(msg);
      else this.early.push(msg);
    });
    socket.addEventListener('close', (e) => this.finish(e.reason || `connection closed (code ${e.code})`));
    socket.addEventListener('error', () => this.finish('connection error'));
  }

  send(msg: WireMessage): void {
    if (this.closedReason !== null || this.socket.readyState !== OPEN) throw new Error(`the server connection is closed: ${this.closedReason ?? 'not open'}`);
    this.socket.send(encodeFrame(msg));
  }

  onMessage(receiver: (msg: WireMessage) => void): void {
    this.receiver = receiver;
    for (const m of this.early.splice(0)) receiver(m);
  }

  onClose(receiver: (reason: string) => void): void {
    this.closeReceiver = receiver;
    if (this.closedReason !== null) receiver(this.closedReason);
  }

  close(): void {
    this.finish('closed by the client');
    this.socket.close(1000, 'bye');
  }

  private finish(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.closeReceiver?.(reason);
  }
}

/**
 * A transport on a socket that is still connecting: listens at once (so nothing sent right after
 * the handshake is missed) and resolves when the socket opens; rejects when it closes first
 * (refused token or origin, no server).
 */
export function connectWebSocket(socket: WebSocketLike): Promise<WebSocketTransport> {
  const transport = new WebSocketTransport(socket);
  return new Promise((resolve, reject) => {
    if (socket.readyState === OPEN) { resolve(transport); return; }
    socket.addEventListener('open', () => resolve(transport));
    socket.addEventListener('close', (e) => reject(new Error(`WebSocket closed before opening (code ${e.code}${e.reason ? `: ${e.reason}` : ''})`)));
  });
}
