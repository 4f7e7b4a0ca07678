/**
 * A CaptureReader over a pcapng spool that is still being written. next() returns null when no
 * complete block is readable yet (a partial block at the end means "wait", not damage); refresh()
 * picks up what the capture process appended since; end() says nothing more will come, after
 * which a partial block left over is reported as a truncated file. Random access (readPacket)
 * works on everything read so far, also after the spool was moved (the file stays open).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CaptureError } from '../engine/pcap/capture-error';
import { outputFor } from '../engine/pcap/file-window';
import type { CaptureInterface, CaptureReader, FrameRecord } from '../engine/pcap/types';

const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1, SPB = 3, EPB = 6;
/** Largest block accepted (a packet cannot be bigger; anything else is damage). */
const MAX_BLOCK = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;

interface IfaceState {
  readonly id: number;
  readonly linkType: number;
  readonly snapLen: number;
  readonly unitsPerSec: bigint;
}

export class SpoolReader implements CaptureReader {
  readonly format = 'pcapng' as const;
  readonly compression = 'none' as const;
  readonly interfaces: CaptureInterface[] = [];
  readonly sectionComments: string[] = [];
  size = 0;
  bytesRead = 0;
  error: CaptureError | null = null;
  private fd: number;
  private buf = Buffer.alloc(CHUNK);
  private bufStart = 0;
  private bufLen = 0;
  private le = true;
  private section = -1;
  private sectionIfaces: IfaceState[] = [];
  private frames = 0;
  private ended = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.refresh();
  }

  /** Re-reads the file size; true when it grew. */
  refresh(): boolean {
    if (this.fd < 0) return false;
    const size = fstatSync(this.fd).size;
    const grew = size > this.size;
    if (grew) this.size = size;
    return grew;
  }

  /** The writer is done: whatever is left unread now is all there is. */
  end(): void {
    this.refresh();
    this.ended = true;
  }

  /** Bytes after the last complete block (0 once everything is read). */
  get pending(): number {
    return this.size - this.bytesRead;
  }

  next(): FrameRecord | null {
    // Each iteration consumes one block (≥ 12 bytes) or returns.
    while (!this.error && this.fd >= 0) {
      const off = this.bytesRead;
      const left = this.size - off;
      if (left < 12) return this.wait(off, left, 12);
      const h = this.fetch(off, 12);
      if (!h) return this.wait(off, left, 12);
      const first = h.readUInt32LE(0);
      if (first === SHB) {
        const bom = h.readUInt32LE(8);
        if (bom === BOM) this.le = true;
        else if (h.readUInt32BE(8) === BOM) this.le = false;
        else return this.fail(off, 'bad section header: byte-order magic');
      } else if (this.section < 0) {
        return this.fail(off, 'not a pcapng spool: no section header');
      }
      const type = this.u32(h, 0);
      const total = this.u32(h, 4);
      if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK) return this.fail(off, `bad block length ${total}`);
      if (total > left) return this.wait(off, left, total);
      const b = this.fetch(off, total);
      if (!b) return this.wait(off, left, total);
      if (this.u32(b, total - 4) !== total) return this.fail(off, `bad block: trailing length differs from ${total}`);
      this.bytesRead = off + total;
      switch (type) {
        case SHB:
          this.section++;
          this.sectionIfaces = [];
          break;
        case IDB: {
          const r = this.idb(b, total);
          if (r) return this.fail(off, r);
          break;
        }
        case EPB: case SPB: {
          const f = type === EPB ? this.epb(b, off, total) : this.spb(b, off, total);
          if (typeof f === 'string') return this.fail(off, f);
          return f;
        }
        default:
          break; // statistics and other blocks carry nothing a frame needs
      }
    }
    return null;
  }

  readPacket(dataOffset: number, capLen: number, into?: Uint8Array): Uint8Array {
    if (dataOffset < 0 || capLen < 0 || dataOffset + capLen > this.size || this.fd < 0) {
      throw new CaptureError(dataOffset, `packet bytes out of range: ${capLen} bytes at offset ${dataOffset}, spool has ${this.size}`);
    }
    const out = outputFor(capLen, into);
    let done = 0;
    while (done < capLen) {
      const n = readSync(this.fd, out, done, capLen - done, dataOffset + done);
      if (n <= 0) throw new CaptureError(dataOffset, 'spool shrank while reading');
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private wait(off: number, left: number, need: number): null {
    if (this.ended && left > 0) this.error = new CaptureError(off, `truncated block: ${need} bytes needed, ${left} left`);
    return null;
  }

  private fail(off: number, reason: string): null {
    this.error = new CaptureError(off, reason);
    return null;
  }

  private u32(b: Buffer, at: number): number {
    return this.le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }

  private u16(b: Buffer, at: number): number {
    return this.le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }

  /** [off, off+len) of the file, or null when not all of it is on disk yet. Valid until the next fetch. */
  private fetch(off: number, len: number): Buffer | null {
    if (off >= this.bufStart && off + len <= this.bufStart + this.bufLen) return this.buf.subarray(off - this.bufStart, off - this.bufStart + len);
    if (len > this.buf.length) this.buf = Buffer.alloc(Math.max(len, this.buf.length * 2));
    const want = Math.min(this.buf.length, this.size - off);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, this.buf, got, want - got, off + got);
      if (n <= 0) break;
      got += n;
    }
    this.bufStart = off;
    this.bufLen = got;
    return got >= len ? this.buf.subarray(0, len) : null;
  }

  /** Options from `at` to `end`: calls `each` for every option but the end marker. */
  private options(b: Buffer, at: number, end: number, each: (code: number, v: Buffer) => void): string | null {
    while (at + 4 <= end) {
      const code = this.u16(b, at), len = this.u16(b, at + 2);
      if (code === 0) return null;
      const next = at + 4 + len + ((4 - (len % 4)) % 4);
      if (at + 4 + len > end) return `option ${code} runs past its block`;
      each(code, b.subarray(at + 4, at + 4 + len));
      at = next;
    }
    return null;
  }

  private idb(b: Buffer, total: number): string | null {
    if (total < 20) return `interface block too short (${total} bytes)`;
    const linkType = this.u16(b, 8);
    const snapLen = this.u32(b, 12);
    let unitsPerSec = 1_000_000n;
    let name: string | undefined, description: string | undefined;
    const bad = this.options(b, 16, total - 4, (code, v) => {
      if (code === 2) name = v.toString('utf8');
      else if (code === 3) description = v.toString('utf8');
      else if (code === 9 && v.length >= 1) {
        const r = v[0]!;
        unitsPerSec = r & 0x80 ? 1n << BigInt(Math.min(r & 0x7f, 62)) : 10n ** BigInt(Math.min(r, 18));
      }
    });
    if (bad) return bad;
    const id = this.interfaces.length;
    const info: CaptureInterface = { id, linkType, snapLen, tsUnitsPerSec: Number(unitsPerSec), tsOffsetSec: 0, section: this.section };
    if (name !== undefined) info.name = name;
    if (description !== undefined) info.description = description;
    this.interfaces.push(info);
    this.sectionIfaces.push({ id, linkType, snapLen, unitsPerSec });
    return null;
  }

  private epb(b: Buffer, off: number, total: number): FrameRecord | string {
    if (total < 32) return `packet block too short (${total} bytes)`;
    const ifc = this.sectionIfaces[this.u32(b, 8)];
    if (!ifc) return `packet block names interface ${this.u32(b, 8)}, which is not described`;
    const ts = (BigInt(this.u32(b, 12)) << 32n) | BigInt(this.u32(b, 16));
    const capLen = this.u32(b, 20), origLen = this.u32(b, 24);
    if (28 + capLen > total - 4) return `packet block: captured length ${capLen} runs past the block`;
    const sec = ts / ifc.unitsPerSec;
    const nsec = ((ts % ifc.unitsPerSec) * 1_000_000_000n) / ifc.unitsPerSec;
    return {
      num: ++this.frames, recordOffset: off, dataOffset: off + 28, capLen, origLen, tsSec: Number(sec), tsNsec: Number(nsec),
      iface: ifc.id, linkType: ifc.linkType, data: b.subarray(28, 28 + capLen),
    };
  }

  private spb(b: Buffer, off: number, total: number): FrameRecord | string {
    const ifc = this.sectionIfaces[0];
    if (!ifc) return 'simple packet block before any interface';
    const origLen = this.u32(b, 8);
    const capLen = Math.min(origLen, total - 16, ifc.snapLen || origLen);
    return {
      num: ++this.frames, recordOffset: off, dataOffset: off + 12, capLen, origLen, tsSec: 0, tsNsec: 0, noTimestamp: true,
      iface: ifc.id, linkType: ifc.linkType, data: b.subarray(12, 12 + capLen),
    };
  }
}
