/**
 * A message transport between an API client and the engine side: the Electron MessagePort
 * (transport-port.ts) or a WebSocket (transport-websocket.ts). The client (client.ts) is written
 * once against this interface.
 */
import type { WireMessage } from './wire';

export interface MessageTransport {
  send(msg: WireMessage): void;
  /** Receives every message from the other side (one receiver; set once). */
  onMessage(receiver: (msg: WireMessage) => void): void;
  /** Called once when the transport can no longer carry messages. */
  onClose(receiver: (reason: string) => void): void;
  close(): void;
}
