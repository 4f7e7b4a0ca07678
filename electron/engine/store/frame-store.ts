/**
 * The frame index and summary columns of a session, in chunked typed arrays (no object per
 * frame). Batches from the shards of the first pass are merged here in frame order: shard-local
 * string ids, protocol bits and stream numbers become session-wide ones, so the columns are those
 * a single sequential pass would fill.
 */
import { ByteHeap, CHUNK, CHUNK_BITS, ChunkedColumn, InternTable } from './chunked';
import { KIND_OWNED, type FrameBatch, type FrameExtra } from './batch';

interface ShardMaps {
  strings: number[];
  bits: number[];
  tcpStreams: number[];
}

export class FrameStore {
  /** Frames merged so far (rows 0..count-1 are final). */
  count = 0;
  readonly offset = new ChunkedColumn(Float64Array);
  readonly capLen = new ChunkedColumn(Uint32Array);
  readonly origLen = new ChunkedColumn(Uint32Array);
  readonly tsSec = new ChunkedColumn(Float64Array);
  readonly tsNsec = new ChunkedColumn(Float64Array);
  readonly iface = new ChunkedColumn(Uint16Array);
  readonly kind = new ChunkedColumn(Uint8Array);
  readonly src = new ChunkedColumn(Uint32Array);
  readonly dst = new ChunkedColumn(Uint32Array);
  readonly srcPort = new ChunkedColumn(Uint16Array);
  readonly dstPort = new ChunkedColumn(Uint16Array);
  readonly proto = new ChunkedColumn(Uint16Array);
  readonly tcpFlags = new ChunkedColumn(Uint16Array);
  readonly analysis = new ChunkedColumn(Uint16Array);
  readonly stream = new ChunkedColumn(Int32Array, -1);
  readonly color = new ChunkedColumn(Uint8Array);
  readonly protoMask = new ChunkedColumn(Uint32Array);
  readonly infoAt = new ChunkedColumn(Float64Array);
  readonly infoLen = new ChunkedColumn(Uint16Array);
  readonly info = new ByteHeap();
  readonly strings = new InternTable();
  /** Protocol name → bit in protoMask (bit 31 collects names past the 31st). */
  readonly protoBits = new Map<string, number>();
  readonly extras = new Map<number, FrameExtra>();
  /** Number of TCP streams so far. */
  tcpStreams = 0;

  private readonly maps: ShardMaps[];
  private readonly pending: Map<number, FrameBatch>[];

  constructor(readonly shards: number) {
    this.maps = Array.from({ length: shards }, () => ({ strings: [], bits: [], tcpStreams: [] }));
    this.pending = Array.from({ length: shards }, () => new Map());
  }

  /** Queue a batch; merges every range all shards have delivered. Returns frames merged now. */
  add(b: FrameBatch): number {
    this.pending[b.shard]!.set(b.first, b);
    let merged = 0;
    for (;;) {
      const parts = this.pending.map((m) => m.get(this.count));
      if (parts.some((p) => !p)) return merged;
      this.pending.forEach((m) => m.delete(this.count));
      merged += this.merge(parts as FrameBatch[]);
    }
  }

  private merge(parts: FrameBatch[]): number {
    const base = parts[0]!;
    const first = base.first, n = base.count;
    this.offset.setRange(first, base.offset);
    this.capLen.setRange(first, base.capLen);
    this.origLen.setRange(first, base.origLen);
    this.tsSec.setRange(first, base.tsSec);
    this.tsNsec.setRange(first, base.tsNsec);
    this.iface.setRange(first, base.iface);
    for (const e of base.extras) this.extras.set(e.index, e);
    // Stream numbers follow first appearance, across shards.
    const fresh: [number, number, number][] = [];
    for (const b of parts) for (const [local, at] of b.newTcpStreams) fresh.push([at, b.shard, local]);
    fresh.sort((x, y) => x[0] - y[0]);
    for (const [, shard, local] of fresh) this.maps[shard]!.tcpStreams[local] = this.tcpStreams++;
    for (const b of parts) {
      const m = this.maps[b.shard]!;
      b.strings.forEach((s, i) => { m.strings[b.stringBase + i] = this.strings.id(s); });
      b.protoBits.forEach((p, i) => {
        let bit = this.protoBits.get(p);
        if (bit === undefined) { bit = Math.min(this.protoBits.size, 31); if (this.protoBits.size < 31) this.protoBits.set(p, bit); }
        m.bits[b.protoBitBase + i] = bit;
      });
      let infoPos = 0;
      // Row by row in runs that stay inside one chunk, with each column's chunk in a local (typed,
      // monomorphic) variable: this loop runs for every frame of the capture on the main thread.
      for (let run = 0; run < n;) {
        const f0 = first + run, c = f0 >>> CHUNK_BITS, o0 = f0 & (CHUNK - 1);
        const end = Math.min(n, run + CHUNK - o0);
        const kindC = this.kind.writable(c), srcC = this.src.writable(c), dstC = this.dst.writable(c);
        const srcPortC = this.srcPort.writable(c), dstPortC = this.dstPort.writable(c), protoC = this.proto.writable(c);
        const flagsC = this.tcpFlags.writable(c), analysisC = this.analysis.writable(c), streamC = this.stream.writable(c);
        const colorC = this.color.writable(c), maskC = this.protoMask.writable(c), infoAtC = this.infoAt.writable(c), infoLenC = this.infoLen.writable(c);
        for (let i = run; i < end; i++) {
          const kind = b.kind[i]!;
          if (!(kind & KIND_OWNED)) continue;
          const o = o0 + (i - run);
          kindC[o] = kind;
          srcC[o] = m.strings[b.src[i]!]!;
          dstC[o] = m.strings[b.dst[i]!]!;
          srcPortC[o] = b.srcPort[i]!;
          dstPortC[o] = b.dstPort[i]!;
          protoC[o] = m.strings[b.proto[i]!]!;
          flagsC[o] = b.tcpFlags[i]!;
          analysisC[o] = b.analysis[i]!;
          const s = b.stream[i]!;
          streamC[o] = s < 0 ? -1 : (kind & 1) ? m.tcpStreams[s]! : s;
          colorC[o] = b.color[i]!;
          const lm = b.protoMask[i]!;
          let mask = 0;
          for (let bits = lm, bit = 0; bits !== 0; bits >>>= 1, bit++) if (bits & 1) mask |= 1 << m.bits[bit]!;
          maskC[o] = mask >>> 0;
          const len = b.infoLen[i]!;
          const keep = Math.min(len, 0xffff);
          infoAtC[o] = this.info.append(b.info.subarray(infoPos, infoPos + keep));
          infoLenC[o] = keep;
          infoPos += len;
        }
        run = end;
      }
    }
    this.count = first + n;
    return n;
  }

  /** The session-wide number of a shard's TCP stream. */
  globalTcpStream(shard: number, local: number): number {
    return this.maps[shard]?.tcpStreams[local] ?? local;
  }

  /** Absolute time of frame i in ns. */
  nsOf(i: number): bigint {
    return BigInt(this.tsSec.get(i)) * 1_000_000_000n + BigInt(this.tsNsec.get(i));
  }

  /** Seconds since the first frame. */
  relTime(i: number): number {
    return (this.tsSec.get(i) - this.tsSec.get(0)) + (this.tsNsec.get(i) - this.tsNsec.get(0)) / 1e9;
  }

  infoBytes(i: number): Uint8Array {
    return this.info.get(this.infoAt.get(i), this.infoLen.get(i));
  }

  /** Bit for a protocol name in protoMask, or -1 when no frame has it. */
  protoBit(name: string): number {
    return this.protoBits.get(name) ?? -1;
  }

  /** Resident bytes of the columns (what grows with the frame count). */
  get bytes(): number {
    const cols = [this.offset, this.capLen, this.origLen, this.tsSec, this.tsNsec, this.iface, this.kind, this.src, this.dst,
      this.srcPort, this.dstPort, this.proto, this.tcpFlags, this.analysis, this.stream, this.color, this.protoMask, this.infoAt, this.infoLen];
    return cols.reduce((n, c) => n + c.bytes, 0) + this.info.bytes;
  }
}
