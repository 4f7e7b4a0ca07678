/**
 * The frame index and summary columns of a session, in chunked typed arrays (no object per
 * frame). Batches from the shards of the first pass are merged here in frame order: shard-local
 * string ids, protocol bits and stream numbers become session-wide ones, so the columns are those
 * a single sequential pass would fill.
 */
import { ByteHeap, CHUNK, CHUNK_BITS, ChunkedColumn } from './chunked';
import { StringIds } from '../string-ids';
import type { Spill } from './spill';
import type { FrameBatch, FrameExtra } from './batch';
import type { Mutable } from '../mutable';

interface ShardMaps {
  strings: number[];
  bits: number[];
  tcpStreams: number[];
}

export class FrameStore {
  /** Frames merged so far (rows 0..count-1 are final). */
  count = 0;
  readonly offset: ChunkedColumn<Float64Array>;
  readonly capLen: ChunkedColumn<Uint32Array>;
  readonly origLen: ChunkedColumn<Uint32Array>;
  readonly tsSec: ChunkedColumn<Float64Array>;
  readonly tsNsec: ChunkedColumn<Float64Array>;
  readonly iface: ChunkedColumn<Uint16Array>;
  readonly kind: ChunkedColumn<Uint8Array>;
  readonly src: ChunkedColumn<Uint32Array>;
  readonly dst: ChunkedColumn<Uint32Array>;
  readonly srcPort: ChunkedColumn<Uint16Array>;
  readonly dstPort: ChunkedColumn<Uint16Array>;
  readonly proto: ChunkedColumn<Uint16Array>;
  readonly tcpFlags: ChunkedColumn<Uint16Array>;
  readonly analysis: ChunkedColumn<Uint16Array>;
  readonly stream: ChunkedColumn<Int32Array>;
  readonly color: ChunkedColumn<Uint8Array>;
  readonly protoMask: ChunkedColumn<Uint32Array>;
  readonly infoAt: ChunkedColumn<Float64Array>;
  readonly infoLen: ChunkedColumn<Uint16Array>;
  readonly info: ByteHeap;
  readonly strings = new StringIds();
  /** Protocol name → bit in protoMask (bit 31 collects names past the 31st). */
  readonly protoBits = new Map<string, number>();
  readonly extras = new Map<number, FrameExtra>();
  /** Number of TCP streams so far. */
  tcpStreams = 0;

  private readonly maps: ShardMaps[];
  private readonly pending: Map<number, FrameBatch>[];

  /**
   * `spill` takes the finished chunks of every column (null: all stay in memory). `merged` is told
   * of each batch once its rows are copied in (its buffers are free then).
   */
  constructor(readonly shards: number, private readonly spill: Spill | null = null, private readonly merged?: (b: FrameBatch) => void) {
    this.offset = new ChunkedColumn(Float64Array, 0, spill);
    this.capLen = new ChunkedColumn(Uint32Array, 0, spill);
    this.origLen = new ChunkedColumn(Uint32Array, 0, spill);
    this.tsSec = new ChunkedColumn(Float64Array, 0, spill);
    this.tsNsec = new ChunkedColumn(Float64Array, 0, spill);
    this.iface = new ChunkedColumn(Uint16Array, 0, spill);
    this.kind = new ChunkedColumn(Uint8Array, 0, spill);
    this.src = new ChunkedColumn(Uint32Array, 0, spill);
    this.dst = new ChunkedColumn(Uint32Array, 0, spill);
    this.srcPort = new ChunkedColumn(Uint16Array, 0, spill);
    this.dstPort = new ChunkedColumn(Uint16Array, 0, spill);
    this.proto = new ChunkedColumn(Uint16Array, 0, spill);
    this.tcpFlags = new ChunkedColumn(Uint16Array, 0, spill);
    this.analysis = new ChunkedColumn(Uint16Array, 0, spill);
    this.stream = new ChunkedColumn(Int32Array, -1, spill);
    this.color = new ChunkedColumn(Uint8Array, 0, spill);
    this.protoMask = new ChunkedColumn(Uint32Array, 0, spill);
    this.infoAt = new ChunkedColumn(Float64Array, 0, spill);
    this.infoLen = new ChunkedColumn(Uint16Array, 0, spill);
    this.info = new ByteHeap(spill);
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
      // Row by row in runs that stay inside one chunk: the loop is a function of its own (see
      // mergeRows), handed each column's chunk here.
      const input = this.input;
      pointAt(input, b);
      while (input.next < b.row.length) mergeRows(input, m, first, this.rowChunks((first + b.row[input.next]!) >>> CHUNK_BITS), this.info);
    }
    // (the batch's buffers go back to their worker, or to the collector, now)
    pointAt(this.input, NO_ROWS);
    this.count = first + n;
    this.seal();
    if (this.merged) for (const b of parts) this.merged(b);
    return n;
  }

  /**
   * The batch mergeRows reads, in an object of this store's own: the batch objects that arrive
   * from the workers have a hidden class made by deserializing, which dies whenever no batch is
   * alive, and each time it did the merge's compiled code was thrown away ("weak objects").
   */
  private readonly input: MergeInput = { ...NO_ROWS, next: 0, infoPos: 0 };

  /** Chunk c of every summary column, writable. */
  private rowChunks(c: number): RowChunks {
    return {
      kind: this.kind.writable(c), src: this.src.writable(c), dst: this.dst.writable(c), srcPort: this.srcPort.writable(c),
      dstPort: this.dstPort.writable(c), proto: this.proto.writable(c), tcpFlags: this.tcpFlags.writable(c),
      analysis: this.analysis.writable(c), stream: this.stream.writable(c), color: this.color.writable(c),
      protoMask: this.protoMask.writable(c), infoAt: this.infoAt.writable(c), infoLen: this.infoLen.writable(c),
    };
  }

  /** The session-wide number of a shard's TCP stream. */
  globalTcpStream(shard: number, local: number): number {
    return this.maps[shard]?.tcpStreams[local] ?? local;
  }

  /** The first frame's time (read on every relative time: kept here, not in a spilled chunk). */
  private first: { sec: number; nsec: number; ns: bigint } | null = null;

  /** Absolute time of the first frame in ns (0 before any frame). */
  firstNs(): bigint {
    return this.firstTime()?.ns ?? 0n;
  }

  private firstTime(): { sec: number; nsec: number; ns: bigint } | null {
    if (!this.first && this.count > 0) this.first = { sec: this.tsSec.get(0), nsec: this.tsNsec.get(0), ns: this.nsOf(0) };
    return this.first;
  }

  /** Absolute time of frame i in ns. */
  nsOf(i: number): bigint {
    return BigInt(this.tsSec.get(i)) * 1_000_000_000n + BigInt(this.tsNsec.get(i));
  }

  /** Seconds since the first frame. */
  relTime(i: number): number {
    const f = this.firstTime();
    return f ? (this.tsSec.get(i) - f.sec) + (this.tsNsec.get(i) - f.nsec) / 1e9 : 0;
  }

  infoBytes(i: number): Uint8Array {
    return this.info.get(this.infoAt.get(i), this.infoLen.get(i));
  }

  /** Bit for a protocol name in protoMask, or -1 when no frame has it. */
  protoBit(name: string): number {
    return this.protoBits.get(name) ?? -1;
  }

  private columns(): ChunkedColumn<Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array>[] {
    return [this.offset, this.capLen, this.origLen, this.tsSec, this.tsNsec, this.iface, this.kind, this.src, this.dst,
      this.srcPort, this.dstPort, this.proto, this.tcpFlags, this.analysis, this.stream, this.color, this.protoMask, this.infoAt, this.infoLen];
  }

  /** Chunks every row of which is merged are final: they go to the spill. */
  private seal(): void {
    if (!this.spill) return;
    const full = this.count >>> CHUNK_BITS;
    for (const c of this.columns()) c.seal(full);
    this.info.seal();
  }

  /** The pass has ended (no more rows): the columns' spare chunks go. Returns their bytes. */
  releaseSpares(): number {
    return this.columns().reduce((n, c) => n + c.releaseSpares(), 0) + this.info.releaseSpares();
  }

  /** Bytes of the columns in memory (what grows with the frame count when nothing is spilled). */
  get bytes(): number {
    return this.columns().reduce((n, c) => n + c.bytes, 0) + this.info.bytes;
  }

  /** Bytes of the columns written to the spill file. */
  get spilledBytes(): number {
    return this.spill?.spilledBytes ?? 0;
  }
}

/** The summary columns of a batch that mergeRows copies. */
type BatchRows = Pick<FrameBatch, 'row' | 'kind' | 'src' | 'dst' | 'srcPort' | 'dstPort' | 'proto' | 'tcpFlags' | 'analysis' | 'stream'
  | 'color' | 'protoMask' | 'infoLen' | 'info'>;

const EMPTY_U8 = new Uint8Array(0), EMPTY_U16 = new Uint16Array(0), EMPTY_U32 = new Uint32Array(0);
const NO_ROWS: BatchRows = {
  row: EMPTY_U32, kind: EMPTY_U8, src: EMPTY_U32, dst: EMPTY_U32, srcPort: EMPTY_U16, dstPort: EMPTY_U16, proto: EMPTY_U32,
  tcpFlags: EMPTY_U16, analysis: EMPTY_U16, stream: new Int32Array(0), color: EMPTY_U8, protoMask: EMPTY_U32, infoLen: EMPTY_U32, info: EMPTY_U8,
};

/** A batch's summary columns, and where mergeRows is in them: its next row, and where that row's Info text starts. */
interface MergeInput extends Mutable<BatchRows> {
  next: number;
  infoPos: number;
}

/** Points `to` at the first row of `b`. */
function pointAt(to: MergeInput, b: BatchRows): void {
  to.row = b.row; to.kind = b.kind; to.src = b.src; to.dst = b.dst; to.srcPort = b.srcPort; to.dstPort = b.dstPort; to.proto = b.proto;
  to.tcpFlags = b.tcpFlags; to.analysis = b.analysis; to.stream = b.stream; to.color = b.color; to.protoMask = b.protoMask;
  to.infoLen = b.infoLen; to.info = b.info; to.next = 0; to.infoPos = 0;
}

/** One chunk of each summary column (see FrameStore.rowChunks). */
interface RowChunks {
  readonly kind: Uint8Array;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly proto: Uint16Array;
  readonly tcpFlags: Uint16Array;
  readonly analysis: Uint16Array;
  readonly stream: Int32Array;
  readonly color: Uint8Array;
  readonly protoMask: Uint32Array;
  readonly infoAt: Float64Array;
  readonly infoLen: Uint16Array;
}

/**
 * Copies a batch's rows from `b.next` on, up to the first one outside `cols`' chunk, into the
 * columns, mapping shard-local ids to session-wide ones; advances `b.next`. It runs for every frame of
 * the capture on the session's thread. Kept apart from the merge, with the chunks fetched by the
 * caller, so the JIT compiles (and after a deoptimization recompiles) a small function: with
 * thirteen chunk lookups inlined, each of the merge's ~10 compilations per pass took ~60 ms.
 */
function mergeRows(b: MergeInput, m: ShardMaps, first: number, cols: RowChunks, info: ByteHeap): void {
  const rows = b.row.length;
  const chunkEnd = (((first + b.row[b.next]!) >>> CHUNK_BITS) + 1) * CHUNK - first;
  const { kind: kindC, src: srcC, dst: dstC, srcPort: srcPortC, dstPort: dstPortC, proto: protoC, tcpFlags: flagsC, analysis: analysisC,
    stream: streamC, color: colorC, protoMask: maskC, infoAt: infoAtC, infoLen: infoLenC } = cols;
  let i = b.next, infoPos = b.infoPos;
  for (; i < rows && b.row[i]! < chunkEnd; i++) {
    const kind = b.kind[i]!;
    const o = (first + b.row[i]!) & (CHUNK - 1);
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
    infoAtC[o] = info.append(b.info, infoPos, keep);
    infoLenC[o] = keep;
    infoPos += len;
  }
  b.next = i;
  b.infoPos = infoPos;
}
