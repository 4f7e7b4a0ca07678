/**
 * Writes selected frames of an open capture to a new pcap or pcapng file, keeping timestamps,
 * original lengths, interfaces and comments. The writers write to a temporary file renamed at the
 * end, so the user's file name never holds half a capture.
 */
import { PcapWriter, PcapngWriter, type CaptureWriter, type FrameRecord } from '../pcap';

export type ExportFormat = 'pcap' | 'pcapng';

/** What the writer needs of the source capture (a CaptureReader has it; so does a session). */
export interface ExportSource {
  readonly interfaces: readonly { linkType: number; snapLen: number; name?: string; description?: string; tsUnitsPerSec: number }[];
  readonly sectionComments: readonly string[];
}

export class ExportWriter {
  private writer: CaptureWriter | null = null;
  /** Source interface index → output interface index (pcapng). */
  private ifaceMap = new Map<number, number>();
  private pcapLinkType = -1;

  constructor(private readonly path: string, private readonly format: ExportFormat, private readonly reader: ExportSource) {}

  get count(): number { return this.writer?.count ?? 0; }

  add(fr: FrameRecord): void {
    if (fr.custom) return; // pcapng Custom Blocks are not packets; our writers do not copy them
    const w = this.writer ?? this.open(fr);
    if (this.format === 'pcap' && fr.linkType !== this.pcapLinkType) {
      throw new Error(`pcap holds one link type (${this.pcapLinkType}), frame ${fr.num} has ${fr.linkType}: export as pcapng`);
    }
    w.writePacket({
      tsSec: fr.tsSec, tsNsec: fr.tsNsec, origLen: fr.origLen, data: fr.data,
      iface: this.ifaceMap.get(fr.iface) ?? 0, comments: fr.comments, flags: fr.flags,
    });
  }

  /** Finish the file (an export of nothing still writes a valid, empty capture). */
  close(): void {
    if (!this.writer) {
      const ifc = this.reader.interfaces[0];
      this.writer = this.format === 'pcap'
        ? new PcapWriter(this.path, { linkType: ifc?.linkType ?? 1, snapLen: ifc?.snapLen || 262144 })
        : new PcapngWriter(this.path, { interfaces: [{ linkType: ifc?.linkType ?? 1, snapLen: ifc?.snapLen ?? 0, name: ifc?.name }] });
    }
    this.writer.close();
  }

  abort(): void {
    this.writer?.abort();
  }

  private open(first: FrameRecord): CaptureWriter {
    const ifs = this.reader.interfaces;
    if (this.format === 'pcap') {
      const ifc = ifs[first.iface];
      this.pcapLinkType = first.linkType;
      const nanosecond = ifs.some((i) => i.tsUnitsPerSec > 1_000_000);
      this.writer = new PcapWriter(this.path, { linkType: first.linkType, snapLen: ifc?.snapLen || 262144, nanosecond });
    } else {
      ifs.forEach((_, i) => this.ifaceMap.set(i, i));
      this.writer = new PcapngWriter(this.path, {
        interfaces: ifs.map((i) => ({
          linkType: i.linkType, snapLen: i.snapLen, name: i.name, description: i.description,
          resolution: i.tsUnitsPerSec > 1_000_000 ? 'ns' : 'us',
        })),
        comment: this.reader.sectionComments[0],
      });
    }
    return this.writer;
  }
}
