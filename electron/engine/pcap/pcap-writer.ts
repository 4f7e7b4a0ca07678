import { AtomicFile } from './atomic-file';
import { MAX_PACKET_STANDARD } from './link-types';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap-reader';
import { normaliseTime, type CaptureWriter, type PacketToWrite } from './writer-types';

export interface PcapWriterOptions {
  linkType: number;
  /** Default 262144 (what tcpdump and Wireshark write). */
  snapLen?: number;
  /** Nanosecond timestamps (magic a1b23c4d); default microseconds. */
  nanosecond?: boolean;
  /** Default little-endian, as written on x86. */
  bigEndian?: boolean;
}

/** Classic pcap writer (v2.4). */
export class PcapWriter implements CaptureWriter {
  readonly format = 'pcap' as const;
  count = 0;
  private readonly out: AtomicFile;
  private readonly ns: boolean;
  private readonly le: boolean;

  constructor(path: string, opts: PcapWriterOptions) {
    this.out = new AtomicFile(path);
    this.ns = opts.nanosecond ?? false;
    this.le = !opts.bigEndian;
    const { buf, at } = this.out.reserve(24);
    const v = new DataView(buf.buffer, buf.byteOffset + at, 24);
    v.setUint32(0, this.ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, this.le);
    v.setUint16(4, 2, this.le);
    v.setUint16(6, 4, this.le);
    v.setInt32(8, 0, this.le);
    v.setUint32(12, 0, this.le);
    v.setUint32(16, opts.snapLen ?? MAX_PACKET_STANDARD, this.le);
    v.setUint32(20, opts.linkType, this.le);
  }

  writePacket(p: PacketToWrite): void {
    const { sec, nsec } = normaliseTime(p.tsSec, p.tsNsec);
    const { buf, at } = this.out.reserve(16);
    const v = new DataView(buf.buffer, buf.byteOffset + at, 16);
    v.setUint32(0, sec >>> 0, this.le);
    // µs files truncate, as Wireshark does when saving ns timestamps as µs
    v.setUint32(4, this.ns ? nsec : Math.floor(nsec / 1000), this.le);
    v.setUint32(8, p.data.length, this.le);
    v.setUint32(12, (p.origLen ?? p.data.length) >>> 0, this.le);
    this.out.write(p.data);
    this.count++;
  }

  close(): void {
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}
