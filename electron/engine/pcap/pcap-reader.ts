import { CaptureError } from './capture-error';
import { maxCapLen, splitPcapLinkField } from './link-types';
import { hex32, ReaderBase, type ReaderSource } from './reader-base';
import type { CaptureInterface, FrameRecord } from './types';
import { WindowRecord } from './window-record';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

/** Classic libpcap format: one interface, both byte orders, µs or ns timestamps. */
export class PcapReader extends ReaderBase {
  readonly format = 'pcap' as const;
  readonly interfaces: CaptureInterface[];
  readonly sectionComments: readonly string[] = [];
  /** Major.minor version from the file header. */
  readonly version: string;
  readonly nanosecond: boolean;
  /** Files before format 2.3 had captured/original length in the other order. */
  private readonly lengthsSwapped: 'always' | 'if-larger' | 'never';

  private readonly le: boolean;
  private readonly maxCap: number;
  private readonly linkType: number;

  /** Throws CaptureError when the file header itself is unusable. */
  constructor(src: ReaderSource) {
    super(src);
    const win = src.win;
    this.bytesRead = FILE_HEADER_LEN;
    const p = win.fetch(0, FILE_HEADER_LEN);
    if (p < 0) throw new CaptureError(0, `truncated pcap file header: ${FILE_HEADER_LEN} bytes needed, ${win.size} in file`);
    const v = win.view;
    const magicBE = v.getUint32(p, false);
    const magicLE = v.getUint32(p, true);
    if (magicBE === PCAP_MAGIC_US || magicBE === PCAP_MAGIC_NS) this.le = false;
    else if (magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS) this.le = true;
    else throw new CaptureError(0, `not a pcap file (magic 0x${hex32(magicBE)})`);
    this.nanosecond = (this.le ? magicLE : magicBE) === PCAP_MAGIC_NS;
    const major = v.getUint16(p + 4, this.le);
    const minor = v.getUint16(p + 6, this.le);
    this.version = `${major}.${minor}`;
    // as Wireshark: 2.0-2.2 always swap, 2.3 swaps when the "captured" length is the larger one
    this.lengthsSwapped = major === 2 && minor < 3 ? 'always' : major === 2 && minor === 3 ? 'if-larger' : 'never';
    const snapLen = v.getUint32(p + 16, this.le);
    const { linkType, fcsLen } = splitPcapLinkField(v.getUint32(p + 20, this.le));
    this.linkType = linkType;
    this.maxCap = maxCapLen(linkType, snapLen);
    const iface: CaptureInterface = {
      id: 0,
      linkType,
      snapLen,
      tsUnitsPerSec: this.nanosecond ? 1e9 : 1e6,
      tsOffsetSec: 0,
      section: 0,
    };
    if (fcsLen !== undefined) iface.fcsLen = fcsLen;
    this.interfaces = [iface];
  }

  next(): FrameRecord | null {
    if (this.done) return null;
    const off = this.bytesRead;
    const left = this.size - off;
    if (left === 0) return this.stop(null);
    if (left < RECORD_HEADER_LEN) {
      return this.stop(new CaptureError(off, `truncated record header: ${RECORD_HEADER_LEN} bytes needed, ${left} left`));
    }
    const win = this.win;
    let p = win.fetch(off, RECORD_HEADER_LEN);
    const v = win.view;
    const tsSec = v.getUint32(p, this.le);
    const frac = v.getUint32(p + 4, this.le);
    let capLen = v.getUint32(p + 8, this.le);
    let origLen = v.getUint32(p + 12, this.le);
    if (this.lengthsSwapped === 'always' || (this.lengthsSwapped === 'if-larger' && capLen > origLen)) {
      [capLen, origLen] = [origLen, capLen];
    }
    if (capLen > this.maxCap) {
      return this.stop(new CaptureError(off, `bad record: captured length ${capLen} is larger than the maximum of ${this.maxCap}`));
    }
    const dataOffset = off + RECORD_HEADER_LEN;
    if (capLen > left - RECORD_HEADER_LEN) {
      return this.stop(
        new CaptureError(off, `truncated record: header says ${capLen} bytes, ${left - RECORD_HEADER_LEN} left`),
      );
    }
    p = win.fetch(dataOffset, capLen);
    this.bytesRead = dataOffset + capLen;
    // (an out-of-range fraction is passed through unnormalised, as Wireshark does)
    return new WindowRecord(
      ++this.frames, off, dataOffset, capLen, origLen, tsSec, this.nanosecond ? frac : frac * 1000, 0, this.linkType, win.buf, p,
    );
  }
}
