/**
 * Incremental pcap / pcapng parser for byte streams that arrive in arbitrary chunks: the stdout
 * of `dumpcap -w -`, `tcpdump -w -` (local or over ssh) and the growing spool file. The file
 * readers in engine/pcap need the whole file; this one keeps only the unfinished block.
 */

export interface StreamFrame {
  readonly iface: number;
  readonly linkType: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly capLen: number;
  readonly origLen: number;
  /** Valid only during the callback (a view into the parser's buffer): copy to keep it. */
  readonly data: Uint8Array;
}

export interface StreamInterface {
  readonly linkType: number;
  readonly snapLen: number;
  readonly name?: string;
  /** Timestamp units per second (1e6 for µs, 1e9 for ns, 2^n for binary resolutions). */
  readonly unitsPerSec: bigint;
}

export class CaptureStreamError extends Error {}

/** Largest block we accept; beyond it the stream is garbage (and we must not allocate it). */
const MAX_BLOCK = 256 * 1024 * 1024;
const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;

export class CaptureStreamParser {
  format: 'pcap' | 'pcapng' | null = null;
  readonly interfaces: StreamInterface[] = [];
  /** Drops reported by an Interface Statistics Block (isb_ifdrop), summed over interfaces. */
  dropped: number | null = null;
  /** Bytes consumed so far (complete blocks/records). */
  consumed = 0;
  private pending: Buffer = Buffer.alloc(0);
  private le = true;
  /** Section-local interface index → index in `interfaces`. */
  private sectionIfaces: number[] = [];
  private readonly ifDrops = new Map<number, number>();

  /** Bytes held back waiting for the rest of a block. */
  get buffered(): number { return this.pending.length; }

  /** Feeds a chunk; calls `onFrame` for each complete packet. Throws CaptureStreamError on bad data. */
  push(chunk: Uint8Array, onFrame: (f: StreamFrame) => void): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let off = 0;
    for (;;) {
      const used = this.format === 'pcap' ? this.pcapRecord(buf, off, onFrame)
        : this.format === 'pcapng' ? this.pcapngBlock(buf, off, onFrame)
        : this.header(buf, off);
      if (used === 0) break;
      off += used;
      this.consumed += used;
    }
    // Copy the remainder: `buf` may be the caller's chunk, which it may reuse.
    this.pending = off === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
  }

  private u32(b: Buffer, off: number): number { return this.le ? b.readUInt32LE(off) : b.readUInt32BE(off); }
  private u16(b: Buffer, off: number): number { return this.le ? b.readUInt16LE(off) : b.readUInt16BE(off); }

  /** Detects the format from the first bytes; returns bytes used (0: need more). */
  private header(b: Buffer, off: number): number {
    if (b.length - off < 4) return 0;
    const be = b.readUInt32BE(off), le = b.readUInt32LE(off);
    if (be === SHB) { this.format = 'pcapng'; return this.pcapngBlock(b, off, () => {}); }
    if (be === PCAP_US || be === PCAP_NS || le === PCAP_US || le === PCAP_NS) {
      if (b.length - off < 24) return 0;
      this.le = le === PCAP_US || le === PCAP_NS;
      const ns = (this.le ? le : be) === PCAP_NS;
      const snapLen = this.u32(b, off + 16);
      // The link-type field's upper bits carry the FCS length; the link type is the low 16.
      this.interfaces.push({ linkType: this.u32(b, off + 20) & 0xffff, snapLen, unitsPerSec: ns ? 1_000_000_000n : 1_000_000n });
      this.format = 'pcap';
      return 24;
    }
    throw new CaptureStreamError(`not a pcap or pcapng stream (starts with 0x${be.toString(16).padStart(8, '0')})`);
  }

  private pcapRecord(b: Buffer, off: number, onFrame: (f: StreamFrame) => void): number {
    if (b.length - off < 16) return 0;
    const capLen = this.u32(b, off + 8);
    if (capLen > MAX_BLOCK) throw new CaptureStreamError(`packet record at byte ${this.consumed} claims ${capLen} bytes`);
    if (b.length - off < 16 + capLen) return 0;
    const ifc = this.interfaces[0]!;
    const frac = this.u32(b, off + 4);
    onFrame({
      iface: 0, linkType: ifc.linkType, tsSec: this.u32(b, off), tsNsec: ifc.unitsPerSec === 1_000_000n ? frac * 1000 : frac,
      capLen, origLen: this.u32(b, off + 12), data: b.subarray(off + 16, off + 16 + capLen),
    });
    return 16 + capLen;
  }

  private pcapngBlock(b: Buffer, off: number, onFrame: (f: StreamFrame) => void): number {
    if (b.length - off < 12) return 0;
    const type = b.readUInt32LE(off) === SHB ? SHB : this.u32(b, off);
    if (type === SHB) {
      const bom = b.readUInt32LE(off + 8);
      if (bom === BOM) this.le = true;
      else if (b.readUInt32BE(off + 8) === BOM) this.le = false;
      else throw new CaptureStreamError(`pcapng section header at byte ${this.consumed} has a bad byte-order magic`);
      this.sectionIfaces = [];
    }
    const len = this.u32(b, off + 4);
    if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) throw new CaptureStreamError(`pcapng block at byte ${this.consumed} has a bad length ${len}`);
    if (b.length - off < len) return 0;
    if (this.u32(b, off + len - 4) !== len) throw new CaptureStreamError(`pcapng block at byte ${this.consumed}: trailing length differs`);
    const body = b.subarray(off + 8, off + len - 4);
    switch (type) {
      case 0x00000001: this.idb(body); break;
      case 0x00000006: this.epb(body, onFrame); break;
      case 0x00000003: this.spb(body, onFrame); break;
      case 0x00000005: this.isb(body); break;
      default: break; // NRB, custom and unknown blocks carry nothing we need
    }
    return len;
  }

  private idb(body: Buffer): void {
    if (body.length < 8) throw new CaptureStreamError('pcapng interface block too short');
    let unitsPerSec = 1_000_000n;
    let name: string | undefined;
    this.options(body, 8, (code, v) => {
      if (code === 9 && v.length >= 1) {
        const r = v[0]!;
        unitsPerSec = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r & 0x7f);
      } else if (code === 2) name = v.toString('utf8');
    });
    this.sectionIfaces.push(this.interfaces.length);
    this.interfaces.push({ linkType: this.u16(body, 0), snapLen: this.u32(body, 4), name, unitsPerSec });
  }

  private iface(local: number): { index: number; ifc: StreamInterface } {
    const index = this.sectionIfaces[local];
    if (index === undefined) throw new CaptureStreamError(`packet for interface ${local}, which has no interface block`);
    return { index, ifc: this.interfaces[index]! };
  }

  private epb(body: Buffer, onFrame: (f: StreamFrame) => void): void {
    if (body.length < 20) throw new CaptureStreamError('pcapng packet block too short');
    const { index, ifc } = this.iface(this.u32(body, 0));
    const capLen = this.u32(body, 12);
    if (20 + capLen > body.length) throw new CaptureStreamError(`pcapng packet block: captured length ${capLen} exceeds the block`);
    const { sec, nsec } = this.time(this.u32(body, 4), this.u32(body, 8), ifc.unitsPerSec);
    onFrame({ iface: index, linkType: ifc.linkType, tsSec: sec, tsNsec: nsec, capLen, origLen: this.u32(body, 16), data: body.subarray(20, 20 + capLen) });
  }

  private spb(body: Buffer, onFrame: (f: StreamFrame) => void): void {
    if (body.length < 4) throw new CaptureStreamError('pcapng simple packet block too short');
    const { index, ifc } = this.iface(0);
    const origLen = this.u32(body, 0);
    const capLen = Math.min(origLen, body.length - 4, ifc.snapLen || Infinity);
    onFrame({ iface: index, linkType: ifc.linkType, tsSec: 0, tsNsec: 0, capLen, origLen, data: body.subarray(4, 4 + capLen) });
  }

  private isb(body: Buffer): void {
    if (body.length < 12) return;
    const local = this.u32(body, 0);
    this.options(body, 12, (code, v) => {
      if (code === 5 && v.length >= 8) {
        const hi = this.u32(v, this.le ? 4 : 0), lo = this.u32(v, this.le ? 0 : 4);
        this.ifDrops.set(local, hi * 2 ** 32 + lo);
        let sum = 0;
        for (const d of this.ifDrops.values()) sum += d;
        this.dropped = sum;
      }
    });
  }

  private time(hi: number, lo: number, units: bigint): { sec: number; nsec: number } {
    // µs and ns (nearly every capture) in plain numbers: BigInt allocates on every packet.
    // (hi * 2^32 + lo) / d by long division in 16-bit digits, every step below 2^53.
    const d = units === 1_000_000n ? 1e6 : units === 1_000_000_000n ? 1e9 : 0;
    if (d) {
      const q0 = Math.floor(hi / d);
      let r = hi - q0 * d;
      const x1 = r * 65536 + (lo >>> 16), q1 = Math.floor(x1 / d);
      r = x1 - q1 * d;
      const x2 = r * 65536 + (lo & 0xffff), q2 = Math.floor(x2 / d);
      return { sec: q0 * 4294967296 + q1 * 65536 + q2, nsec: (x2 - q2 * d) * (1e9 / d) };
    }
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    return { sec: Number(t / units), nsec: Number(((t % units) * 1_000_000_000n) / units) };
  }

  private options(body: Buffer, start: number, each: (code: number, value: Buffer) => void): void {
    let off = start;
    while (off + 4 <= body.length) {
      const code = this.u16(body, off), len = this.u16(body, off + 2);
      if (code === 0) return;
      const end = off + 4 + len;
      if (end > body.length) return; // a damaged option ends the list, the block still counts
      each(code, body.subarray(off + 4, end));
      off = 4 + off + len + ((4 - (len % 4)) % 4);
    }
  }
}
