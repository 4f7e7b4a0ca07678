import { CaptureError } from './capture-error';
import { maxCapLen, MAX_PACKET_ABSOLUTE } from './link-types';
import {
  BLOCK_OVERHEAD,
  BlockType,
  BYTE_ORDER_MAGIC,
  MIN_EPB,
  MIN_IDB,
  MIN_OPB,
  MIN_SHB,
  MIN_SPB,
  Opt,
  pad4,
} from './pcapng-blocks';
import { hex32, ReaderBase, type ReaderSource } from './reader-base';
import { TickConverter, unitsPerSecFromTsresol } from './timestamp';
import type { CaptureInterface, FrameRecord } from './types';
import { WindowRecord } from './window-record';

/** Largest block accepted: the largest packet plus generous room for options. */
const MAX_BLOCK = MAX_PACKET_ABSOLUTE + 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

interface IfaceState {
  info: CaptureInterface;
  ticks: TickConverter;
  maxCap: number;
}

/** Outcome of reading one block: a frame, nothing to return (keep going), or stop. */
type BlockResult = FrameRecord | 'skip' | CaptureError;

/**
 * pcapng reader: any number of sections (each with its own byte order and interfaces),
 * EPB / SPB / obsolete PB packets; NRB, ISB, custom and unknown blocks are skipped.
 */
export class PcapngReader extends ReaderBase {
  readonly format = 'pcapng' as const;
  readonly interfaces: CaptureInterface[] = [];
  readonly sectionComments: string[] = [];

  private le = true;
  private section = -1;
  /** Interfaces of the current section, by section-local interface id. */
  private sectionIfaces: IfaceState[] = [];
  private readonly tsOut = { tsSec: 0, tsNsec: 0 };

  /** Reads the first SHB; throws CaptureError when it is unusable. */
  constructor(src: ReaderSource) {
    super(src);
    const r = this.readBlock();
    if (r instanceof CaptureError) throw r;
  }

  next(): FrameRecord | null {
    // every iteration consumes a block (its length is ≥ 12) or stops, so this loop ends
    while (!this.done) {
      if (this.bytesRead === this.size) return this.stop(null);
      const r = this.readBlock();
      if (r instanceof CaptureError) return this.stop(r);
      if (r !== 'skip') return r;
    }
    return null;
  }

  private readBlock(): BlockResult {
    const win = this.win;
    const off = this.bytesRead;
    const left = this.size - off;
    if (left < BLOCK_OVERHEAD) {
      return new CaptureError(off, `truncated block header: ${BLOCK_OVERHEAD} bytes needed, ${left} left`);
    }
    let p = win.fetch(off, BLOCK_OVERHEAD);
    let v = win.view;
    // the SHB type is a byte-order palindrome; its byte-order magic sets the order of the section
    const type = v.getUint32(p, this.le);
    if (type === BlockType.SHB) {
      const bom = v.getUint32(p + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.le = true;
      else if (v.getUint32(p + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
      else return new CaptureError(off, `bad section header: byte-order magic 0x${hex32(v.getUint32(p + 8, false))}`);
    }
    const total = v.getUint32(p + 4, this.le);
    if (total < BLOCK_OVERHEAD || total % 4 !== 0) {
      return new CaptureError(off, `bad block length ${total} (block type 0x${hex32(type)}): must be a multiple of 4 and at least 12`);
    }
    if (total > MAX_BLOCK) return new CaptureError(off, `bad block length ${total}: larger than the maximum of ${MAX_BLOCK}`);
    if (total > left) return new CaptureError(off, `truncated block: header says ${total} bytes, ${left} left`);

    const isParsed =
      type === BlockType.SHB || type === BlockType.IDB || type === BlockType.EPB || type === BlockType.SPB || type === BlockType.OPB;
    // skipped blocks only need their trailer checked, not their body in memory
    p = isParsed ? win.fetch(off, total) : win.fetch(off + total - 4, 4) - (total - 4);
    v = win.view;
    const trailer = v.getUint32(p + total - 4, this.le);
    if (trailer !== total) {
      return new CaptureError(off, `bad block: length ${total} at the start but ${trailer} at the end (block type 0x${hex32(type)})`);
    }

    let r: BlockResult = 'skip';
    switch (type) {
      case BlockType.SHB:
        r = this.readShb(off, p, total);
        break;
      case BlockType.IDB:
        r = this.readIdb(off, p, total);
        break;
      case BlockType.EPB:
        r = this.readPacketBlock(off, p, total, false);
        break;
      case BlockType.OPB:
        r = this.readPacketBlock(off, p, total, true);
        break;
      case BlockType.SPB:
        r = this.readSpb(off, p, total);
        break;
      case BlockType.CB_COPY:
      case BlockType.CB_NOCOPY:
        r = this.readCustom(off, p, total, type === BlockType.CB_COPY);
        break;
      default:
        // NRB, ISB, DSB, custom and unknown blocks carry nothing a frame needs
        break;
    }
    if (!(r instanceof CaptureError)) this.bytesRead = off + total;
    return r;
  }

  private readShb(off: number, p: number, total: number): BlockResult {
    if (total < MIN_SHB) return new CaptureError(off, `bad section header: block length ${total} is less than ${MIN_SHB}`);
    const v = this.win.view;
    const major = v.getUint16(p + 12, this.le);
    const minor = v.getUint16(p + 14, this.le);
    if (major !== 1) return new CaptureError(off, `unsupported pcapng version ${major}.${minor}`);
    this.section += 1;
    this.sectionIfaces = [];
    return this.readOptions(off, p + 24, p + total - 4, (code, vp, len) => {
      if (code === Opt.COMMENT) this.sectionComments.push(this.str(vp, len));
      return null;
    });
  }

  private readIdb(off: number, p: number, total: number): BlockResult {
    if (total < MIN_IDB) return new CaptureError(off, `bad interface description: block length ${total} is less than ${MIN_IDB}`);
    const v = this.win.view;
    const linkType = v.getUint16(p + 8, this.le);
    const snapLen = v.getUint32(p + 12, this.le);
    const info: CaptureInterface = {
      id: this.interfaces.length,
      linkType,
      snapLen,
      tsUnitsPerSec: 1e6,
      tsOffsetSec: 0,
      section: this.section,
    };
    const err = this.readOptions(off, p + 16, p + total - 4, (code, vp, len) => {
      switch (code) {
        case Opt.IF_NAME:
          info.name = this.str(vp, len);
          break;
        case Opt.IF_DESCRIPTION:
          info.description = this.str(vp, len);
          break;
        // malformed values of these are ignored (defaults kept), as tshark does
        case Opt.IF_TSRESOL: {
          const units = len === 1 ? unitsPerSecFromTsresol(v.getUint8(vp)) : null;
          if (units !== null) info.tsUnitsPerSec = units;
          break;
        }
        case Opt.IF_FCSLEN:
          if (len === 1) info.fcsLen = v.getUint8(vp);
          break;
        case Opt.IF_TSOFFSET:
          if (len === 8) info.tsOffsetSec = Number(v.getBigInt64(vp, this.le));
          break;
      }
      return null;
    });
    if (err instanceof CaptureError) return err;
    this.interfaces.push(info);
    this.sectionIfaces.push({
      info,
      ticks: new TickConverter(info.tsUnitsPerSec, info.tsOffsetSec),
      maxCap: maxCapLen(linkType, snapLen),
    });
    return 'skip';
  }

  /** EPB, or the obsolete PB (16-bit interface id + drops count; same layout otherwise). */
  private readPacketBlock(off: number, p: number, total: number, obsolete: boolean): BlockResult {
    const name = obsolete ? 'packet block' : 'enhanced packet block';
    const min = obsolete ? MIN_OPB : MIN_EPB;
    if (total < min) return new CaptureError(off, `bad ${name}: block length ${total} is less than ${min}`);
    const v = this.win.view;
    const ifId = obsolete ? v.getUint16(p + 8, this.le) : v.getUint32(p + 8, this.le);
    const iface = this.sectionIfaces[ifId];
    if (!iface) {
      return new CaptureError(off, `bad ${name}: interface id ${ifId} but the section has ${this.sectionIfaces.length} interface(s)`);
    }
    const hi = v.getUint32(p + 12, this.le);
    const lo = v.getUint32(p + 16, this.le);
    const capLen = v.getUint32(p + 20, this.le);
    const origLen = v.getUint32(p + 24, this.le);
    if (capLen > iface.maxCap) {
      return new CaptureError(off, `bad ${name}: captured length ${capLen} is larger than the maximum of ${iface.maxCap}`);
    }
    const room = total - min;
    if (capLen > room) {
      return new CaptureError(off, `bad ${name}: captured length ${capLen} does not fit in a ${total}-byte block`);
    }
    const dataP = p + 28;
    iface.ticks.convert(hi, lo, this.tsOut);
    const rec = new WindowRecord(
      0, off, off + 28, capLen, origLen, this.tsOut.tsSec, this.tsOut.tsNsec, iface.info.id, iface.info.linkType, this.win.buf, dataP,
    );
    const optStart = dataP + pad4(capLen);
    const err = this.readOptions(off, Math.min(optStart, p + total - 4), p + total - 4, (code, vp, len) => {
      if (code === Opt.COMMENT) (rec.comments ??= []).push(this.str(vp, len));
      else if (code === Opt.EPB_FLAGS) {
        if (len !== 4) return `flags option length ${len} is not 4`;
        rec.flags = v.getUint32(vp, this.le);
      }
      return null;
    });
    if (err instanceof CaptureError) return err;
    rec.num = ++this.frames;
    return rec;
  }

  /** Custom block: a frame of data (PEN, then custom data and options), no interface or time, as tshark shows it. */
  private readCustom(off: number, p: number, total: number, copyAllowed: boolean): BlockResult {
    if (total < 16) return new CaptureError(off, `bad custom block: block length ${total} is less than 16`);
    const len = total - 16;
    return {
      num: ++this.frames,
      recordOffset: off,
      dataOffset: off + 12,
      capLen: len,
      origLen: len,
      tsSec: 0,
      tsNsec: 0,
      noTimestamp: true,
      iface: -1,
      linkType: -1,
      custom: { pen: this.win.view.getUint32(p + 8, this.le), copyAllowed },
      data: this.win.buf.subarray(p + 12, p + 12 + len),
    };
  }

  /** SPB: no interface id (always interface 0), no timestamp; captured length is the original
   *  length cut to interface 0's snaplen. */
  private readSpb(off: number, p: number, total: number): BlockResult {
    if (total < MIN_SPB) return new CaptureError(off, `bad simple packet block: block length ${total} is less than ${MIN_SPB}`);
    const iface = this.sectionIfaces[0];
    if (!iface) return new CaptureError(off, 'bad simple packet block: the section has no interface');
    const v = this.win.view;
    const origLen = v.getUint32(p + 8, this.le);
    const snap = iface.info.snapLen;
    const capLen = snap !== 0 && origLen > snap ? snap : origLen;
    if (capLen > iface.maxCap) {
      return new CaptureError(off, `bad simple packet block: captured length ${capLen} is larger than the maximum of ${iface.maxCap}`);
    }
    // an SPB holds exactly the (padded) captured bytes; tshark rejects any other length too
    if (pad4(capLen) !== total - MIN_SPB) {
      return new CaptureError(off, `bad simple packet block: captured length ${capLen} does not match a ${total}-byte block`);
    }
    return {
      num: ++this.frames,
      recordOffset: off,
      dataOffset: off + 12,
      capLen,
      origLen,
      tsSec: 0,
      tsNsec: 0,
      noTimestamp: true,
      iface: iface.info.id,
      linkType: iface.info.linkType,
      data: this.win.buf.subarray(p + 12, p + 12 + capLen),
    };
  }

  /**
   * Walk the options in [start, end). `each` returns an error reason for a bad value.
   * Returns 'skip' or a CaptureError naming the block offset.
   */
  private readOptions(
    off: number,
    start: number,
    end: number,
    each: (code: number, valuePos: number, len: number) => string | null,
  ): BlockResult {
    const v = this.win.view;
    let q = start;
    while (end - q >= 4) {
      const code = v.getUint16(q, this.le);
      const len = v.getUint16(q + 2, this.le);
      if (code === Opt.END) break;
      if (len > end - q - 4) return new CaptureError(off, `bad option ${code}: length ${len} runs past the end of the block`);
      const bad = each(code, q + 4, len);
      if (bad) return new CaptureError(off, `bad option: ${bad}`);
      q += 4 + pad4(len);
    }
    return 'skip';
  }

  private str(pos: number, len: number): string {
    // strings may be NUL-terminated by some writers
    let n = len;
    const b = this.win.buf;
    while (n > 0 && b[pos + n - 1] === 0) n--;
    return utf8.decode(b.subarray(pos, pos + n));
  }
}
