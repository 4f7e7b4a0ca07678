/**
 * MessageTransport over an Electron MessagePortMain (the engine process's end of a window's
 * port). Unlike the DOM port, MessagePortMain says when the other end closed (window closed or
 * reloaded), so the endpoint can close that window's sessions.
 */
import type { MessagePortMain } from 'electron';
import type { MessageTransport } from '../../shared/api/transport';
import { isWireMessage, type WireMessage } from '../../shared/api/wire';

export class MainPortTransport implements MessageTransport {
  private receiver: ((msg: WireMessage) => void) | null = null;
  private closeReceiver: ((reason: string) => void) | null = null;
  private isClosed = false;

  constructor(private readonly port: MessagePortMain) {
    port.on('message', (e) => {
      if (!this.isClosed && isWireMessage(e.data)) this.receiver?.(e.data);
    });
    port.on('close', () => this.finish('the window closed its port'));
    port.start();
  }

  send(msg: WireMessage): void {
    if (this.isClosed) throw new Error('port closed');
    this.port.postMessage(msg);
  }

  onMessage(receiver: (msg: WireMessage) => void): void { this.receiver = receiver; }
  onClose(receiver: (reason: string) => void): void { this.closeReceiver = receiver; }

  close(): void {
    this.port.close();
    this.finish('closed by the engine');
  }

  private finish(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeReceiver?.(reason);
  }
}
