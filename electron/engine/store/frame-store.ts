/**
 * The frame index and summary columns of a session, in chunked typed arrays (no object per
 * frame). Batches from the shards of the first pass are merged here in frame order: shard-local
 * string ids, protocol bits and stream numbers become session-wide ones, so the columns are those
 * a single sequential pass would fill.
 */
import { ByteHeap, ChunkedColumn, InternTable } from './chunked';
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
    for (let i = 0; i < n; i++) {
      const f = first + i;
      this.offset.set(f, base.offset[i]!);
      this.capLen.set(f, base.capLen[i]!);
      this.origLen.set(f, base.origLen[i]!);
      this.tsSec.set(f, base.tsSec[i]!);
      this.tsNsec.set(f, base.tsNsec[i]!);
      this.iface.set(f, base.iface[i]!);
    }
    for (const e of base.extras) this.extras.set(e.index, e);
    // Stream numbers follow first appearance, across shards.
    const fresh: [number, number, number][] = [];
    for (const b of parts) for (const [local, at] of b.newTcpStreams) fresh.push([at, b.shard, local]);
    fresh.sort((x, y) => x[0] - y[0]);
    for (const [, shard, local] of fresh) this.maps[shard]!.tcpStreams[local] = this.tcpStreams++;
    const out = { at: 0, len: 0 };
    for (const b of parts) {
      const m = this.maps[b.shard]!;
      b.strings.forEach((s, i) => { m.strings[b.stringBase + i] = this.strings.id(s); });
      b.protoBits.forEach((p, i) => {
        let bit = this.protoBits.get(p);
        if (bit === undefined) { bit = Math.min(this.protoBits.size, 31); if (this.protoBits.size < 31) this.protoBits.set(p, bit); }
        m.bits[b.protoBitBase + i] = bit;
      });
      let infoPos = 0;
      for (let i = 0; i < n; i++) {
        const kind = b.kind[i]!;
        if (!(kind & KIND_OWNED)) continue;
        const f = first + i;
        this.kind.set(f, kind);
        this.src.set(f, m.strings[b.src[i]!]!);
        this.dst.set(f, m.strings[b.dst[i]!]!);
        this.srcPort.set(f, b.srcPort[i]!);
        this.dstPort.set(f, b.dstPort[i]!);
        this.proto.set(f, m.strings[b.proto[i]!]!);
        this.tcpFlags.set(f, b.tcpFlags[i]!);
        this.analysis.set(f, b.analysis[i]!);
        const s = b.stream[i]!;
        this.stream.set(f, s < 0 ? -1 : (kind & 1) ? m.tcpStreams[s]! : s);
        this.color.set(f, b.color[i]!);
        let mask = 0;
        const lm = b.protoMask[i]!;
        for (let bit = 0; bit < 32; bit++) if (lm & (1 << bit)) mask |= 1 << m.bits[bit]!;
        this.protoMask.set(f, mask >>> 0);
        const len = b.infoLen[i]!;
        const keep = Math.min(len, 0xffff);
        out.at = this.info.append(b.info.subarray(infoPos, infoPos + keep));
        this.infoAt.set(f, out.at);
        this.infoLen.set(f, keep);
        infoPos += len;
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
