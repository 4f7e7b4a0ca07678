import { AtomicFile } from './atomic-file';
import { BlockType, BYTE_ORDER_MAGIC, Opt, pad4 } from './pcapng-blocks';
import { normaliseTime, type CaptureWriter, type PacketToWrite } from './writer-types';

export interface PcapngInterfaceSpec {
  linkType: number;
  /** 0 = no limit (the pcapng default); Wireshark writes 262144. */
  snapLen?: number;
  name?: string;
  description?: string;
  /** Timestamp resolution: 'ns' (if_tsresol 9, default) or 'us' (if_tsresol 6). */
  resolution?: 'ns' | 'us';
}

export interface PcapngWriterOptions {
  interfaces: readonly PcapngInterfaceSpec[];
  /** SHB opt_comment. */
  comment?: string;
  /** shb_userappl; default "dbwire". */
  application?: string;
}

const utf8 = new TextEncoder();
const LE = true; // always write in little-endian

/** Builds one block: header, fixed part, options, trailer. */
class BlockBuilder {
  private parts: Uint8Array[] = [];
  private len = 0;

  fixed(bytes: Uint8Array): this {
    this.push(bytes);
    return this;
  }

  option(code: number, value: Uint8Array): this {
    if (value.length > 0xffff) throw new RangeError(`pcapng option ${code} is too long (${value.length} bytes)`);
    const h = new Uint8Array(4);
    const v = new DataView(h.buffer);
    v.setUint16(0, code, LE);
    v.setUint16(2, value.length, LE);
    this.push(h);
    this.push(value);
    this.push(new Uint8Array(pad4(value.length) - value.length));
    return this;
  }

  build(type: number, withOptions: boolean): Uint8Array {
    if (withOptions) this.push(new Uint8Array(4)); // opt_endofopt
    const total = 12 + this.len;
    const out = new Uint8Array(total);
    const v = new DataView(out.buffer);
    v.setUint32(0, type, LE);
    v.setUint32(4, total, LE);
    let at = 8;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    v.setUint32(total - 4, total, LE);
    return out;
  }

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.len += b.length;
  }
}

/** pcapng writer: one section (SHB), one IDB per interface, EPBs with comments and flags. */
export class PcapngWriter implements CaptureWriter {
  readonly format = 'pcapng' as const;
  count = 0;
  private readonly out: AtomicFile;
  private readonly units: bigint[];
  private readonly nsPerUnit: bigint[];

  constructor(path: string, opts: PcapngWriterOptions) {
    if (opts.interfaces.length === 0) throw new RangeError('a pcapng file needs at least one interface');
    this.out = new AtomicFile(path);
    this.units = opts.interfaces.map((i) => (i.resolution === 'us' ? 1_000_000n : 1_000_000_000n));
    this.nsPerUnit = opts.interfaces.map((i) => (i.resolution === 'us' ? 1000n : 1n));
    try {
      this.out.write(shb(opts));
      for (const i of opts.interfaces) this.out.write(idb(i));
    } catch (e) {
      this.out.abort();
      throw e;
    }
  }

  writePacket(p: PacketToWrite): void {
    const ifId = p.iface ?? 0;
    const units = this.units[ifId];
    const nsPer = this.nsPerUnit[ifId];
    if (units === undefined || nsPer === undefined) throw new RangeError(`no interface ${ifId} in this pcapng writer`);
    const { sec, nsec } = normaliseTime(p.tsSec, p.tsNsec);
    const ticks = BigInt(Math.max(0, sec)) * units + BigInt(nsec) / nsPer;
    if (ticks >> 64n) throw new RangeError(`timestamp ${sec}.${nsec} does not fit a 64-bit pcapng timestamp at this resolution (use 'us')`);
    const capLen = p.data.length;
    let opts: Uint8Array | null = null;
    if (p.comments?.length || p.flags !== undefined) {
      const b = new BlockBuilder();
      for (const c of p.comments ?? []) b.option(Opt.COMMENT, utf8.encode(c));
      if (p.flags !== undefined) {
        const f = new Uint8Array(4);
        new DataView(f.buffer).setUint32(0, p.flags >>> 0, LE);
        b.option(Opt.EPB_FLAGS, f);
      }
      const withEnd = b.build(0, true);
      opts = withEnd.subarray(8, withEnd.length - 4); // just the option bytes
    }
    const total = 32 + pad4(capLen) + (opts?.length ?? 0);
    const { buf, at } = this.out.reserve(28);
    const v = new DataView(buf.buffer, buf.byteOffset + at, 28);
    v.setUint32(0, BlockType.EPB, LE);
    v.setUint32(4, total, LE);
    v.setUint32(8, ifId, LE);
    v.setUint32(12, Number(ticks >> 32n), LE);
    v.setUint32(16, Number(ticks & 0xffffffffn), LE);
    v.setUint32(20, capLen, LE);
    v.setUint32(24, (p.origLen ?? capLen) >>> 0, LE);
    this.out.write(p.data);
    // padding, options, trailer
    const pad = pad4(capLen) - capLen;
    const tailLen = pad + (opts?.length ?? 0) + 4;
    const tail = opts ? { buf: new Uint8Array(tailLen), at: 0 } : this.out.reserve(tailLen);
    tail.buf.fill(0, tail.at, tail.at + pad);
    if (opts) tail.buf.set(opts, pad);
    new DataView(tail.buf.buffer, tail.buf.byteOffset + tail.at + tailLen - 4, 4).setUint32(0, total, LE);
    if (opts) this.out.write(tail.buf);
    this.count++;
  }

  close(): void {
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }

}

function shb(opts: PcapngWriterOptions): Uint8Array {
  const fixed = new Uint8Array(16);
  const v = new DataView(fixed.buffer);
  v.setUint32(0, BYTE_ORDER_MAGIC, LE);
  v.setUint16(4, 1, LE);
  v.setUint16(6, 0, LE);
  v.setBigInt64(8, -1n, LE); // section length not given
  const b = new BlockBuilder().fixed(fixed);
  if (opts.comment !== undefined) b.option(Opt.COMMENT, utf8.encode(opts.comment));
  b.option(Opt.SHB_USERAPPL, utf8.encode(opts.application ?? 'dbwire'));
  return b.build(BlockType.SHB, true);
}

function idb(i: PcapngInterfaceSpec): Uint8Array {
  const fixed = new Uint8Array(8);
  const v = new DataView(fixed.buffer);
  v.setUint16(0, i.linkType, LE);
  v.setUint32(4, i.snapLen ?? 0, LE);
  const b = new BlockBuilder().fixed(fixed);
  if (i.name !== undefined) b.option(Opt.IF_NAME, utf8.encode(i.name));
  if (i.description !== undefined) b.option(Opt.IF_DESCRIPTION, utf8.encode(i.description));
  b.option(Opt.IF_TSRESOL, Uint8Array.of(i.resolution === 'us' ? 6 : 9));
  return b.build(BlockType.IDB, true);
}
