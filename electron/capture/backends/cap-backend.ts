/**
 * The `cap` backend: libpcap in this process. Must run on the main JS thread of its own process.
 * cap copies each packet into one buffer we give it at open() and emits 'packet' synchronously
 * while libpcap dispatches; we stamp the time and hand the bytes to the sink before returning.
 */
import { tryLoadCap, capLoadError, capLinkType, type CapHandle } from '../cap-module';
import { MonotonicWallClock } from '../clock';
import { CaptureFailure, classifyCaptureError } from '../failure';
import { permissionFix } from '../permission';
import type { CaptureBackend, PacketSink } from './backend';

/** cap's libpcap snaplen is fixed at 65535; one more byte tells truncation apart. */
const PACKET_BUFFER = 65536;

export class CapBackend implements CaptureBackend {
  readonly name = 'cap';
  onEnd: ((error: Error | null) => void) | null = null;
  private handle: CapHandle | null = null;
  // Kept for the whole capture: libpcap's callback writes into it (cap holds only a raw pointer).
  private readonly buffer = Buffer.alloc(PACKET_BUFFER);

  constructor(private readonly iface: string, private readonly filter: string, private readonly bufferBytes: number, private readonly sink: PacketSink) {}

  async start(): Promise<void> {
    const cap = tryLoadCap();
    if (!cap) throw new CaptureFailure('missing-tool', capLoadError() ?? 'cap is not available');
    const h = new cap.Cap();
    let link: string;
    try {
      link = h.open(this.iface, this.filter, this.bufferBytes, this.buffer);
    } catch (e) {
      // No close(): after a failed open cap's close() touches an uninitialised poll handle and
      // crashes. The capture process ends right after this anyway.
      const text = (e as Error).message;
      const kind = classifyCaptureError(text);
      const what = kind === 'filter' ? `capture filter "${this.filter}": ${text}` : `${this.iface}: ${text}`;
      throw new CaptureFailure(kind, what, kind === 'permission' ? permissionFix() : undefined);
    }
    const linkType = capLinkType(link);
    if (linkType === null) {
      h.close();
      throw new CaptureFailure('interface', `${this.iface}: unsupported link type ${link}`);
    }
    this.handle = h;
    const ifc = this.sink.addInterface({ linkType, snapLen: 65535, name: this.iface });
    const clock = new MonotonicWallClock();
    const buf = this.buffer, sink = this.sink;
    h.on('packet', (nbytes: number) => {
      clock.stamp(); // first: every step before it would add to the timestamp error
      // cap does not report the wire length; a truncated packet records its captured length.
      sink.packet(ifc, clock.sec, clock.nsec, buf.subarray(0, nbytes), nbytes);
    });
  }

  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) { h.close(); h.removeAllListeners('packet'); }
  }

  dropped(): number | null {
    return null; // cap does not expose pcap_stats
  }
}
