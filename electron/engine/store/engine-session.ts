/**
 * The dissection session as the engine runs it: it reports the udp.stream of the last UDP
 * datagram (the first pass stores it as a column) and, when re-dissecting one frame on its own,
 * can be told the udp.stream the first pass gave it.
 */
import { DissectSession } from '../decode/session';

export class EngineSession extends DissectSession {
  lastUdpStream = -1;
  forcedUdpStream: number | null = null;

  override udpStream(a: string, b: string): number {
    const n = this.forcedUdpStream ?? super.udpStream(a, b);
    this.lastUdpStream = n;
    return n;
  }
}
