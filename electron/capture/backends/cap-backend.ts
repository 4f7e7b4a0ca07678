/**
 * The `cap` backend: libpcap in this process. Must run on the main JS thread of its own process.
 * cap (patched by build/cap-patch.mjs) copies each packet into one buffer we give it at open() and
 * emits 'packet' synchronously while libpcap dispatches, with the kernel's timestamp and the wire
 * length; we hand the bytes to the sink before returning.
 *
 * Block mode, not immediate mode: in immediate mode libpcap sizes every ring slot by the snap
 * length, so a 64 MiB ring holds ~1000 packets (10 ms at 100k packets/s) and any pause of this
 * thread drops packets (measured: 0.19-0.60 % lost at 100k/s). In block mode the kernel packs
 * packets into the ring (hundreds of thousands of small ones) and hands over a block when it is
 * full or BLOCK_TIMEOUT_MS old, which bounds the added latency.
 */
import { tryLoadCap, capLoadError, capLinkType, type CapHandle, type CapStats } from '../cap-module';
import { CaptureFailure, classifyCaptureError } from '../failure';
import { permissionFix } from '../permission';
import type { CaptureBackend, PacketSink } from './backend';

/** cap's libpcap snaplen is fixed at 65535; one more byte tells truncation apart. */
const PACKET_BUFFER = 65536;
const SNAPLEN = 65535;
/** Longest a packet waits in a partly filled ring block: well inside the live view's half second. */
export const BLOCK_TIMEOUT_MS = 100;

export class CapBackend implements CaptureBackend {
  readonly name = 'cap';
  onEnd: ((error: Error | null) => void) | null = null;
  private handle: CapHandle | null = null;
  private lastStats: CapStats | null = null;
  // Kept for the whole capture: libpcap's callback writes into it (cap holds only a raw pointer).
  private readonly buffer = Buffer.alloc(PACKET_BUFFER);

  constructor(private readonly iface: string, private readonly filter: string, private readonly bufferBytes: number, private readonly sink: PacketSink) {}

  async start(): Promise<void> {
    const cap = tryLoadCap();
    if (!cap) throw new CaptureFailure('missing-tool', capLoadError() ?? 'cap is not available');
    const h = new cap.Cap();
    let link: string;
    try {
      link = h.open(this.iface, this.filter, this.bufferBytes, this.buffer, { immediate: false, timeoutMs: BLOCK_TIMEOUT_MS });
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
    const ifc = this.sink.addInterface({ linkType, snapLen: SNAPLEN, name: this.iface });
    const buf = this.buffer, sink = this.sink;
    h.on('packet', (nbytes: number, _truncated: boolean, tsSec: number, tsNsec: number, wireLength: number) => {
      sink.packet(ifc, tsSec, tsNsec, buf.subarray(0, nbytes), wireLength);
    });
  }

  async stop(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (!h) return;
    // The last, partly filled block reaches us only when its timeout retires it.
    await new Promise((r) => setTimeout(r, 2 * BLOCK_TIMEOUT_MS));
    this.lastStats = readStats(h);
    h.close();
    h.removeAllListeners('packet');
  }

  dropped(): number | null {
    const s = this.handle ? readStats(this.handle) : this.lastStats;
    return s ? s.dropped : null; // as tcpdump's "dropped by kernel"
  }
}

function readStats(h: CapHandle): CapStats | null {
  try {
    return h.stats();
  } catch {
    return null; // not open (anymore)
  }
}
