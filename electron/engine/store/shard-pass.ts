/**
 * The first pass over a capture, for one shard of `shards`: every frame is indexed, and the frames
 * this shard owns (TCP connections the ShardAssigner gives it; shard 0 also takes every non-TCP
 * frame) are dissected with the lean SummaryTree, with TCP analysis, reassembly, DB
 * decoding, transactions and connection tracking running as in a sequential pass. With one shard
 * this *is* the sequential pass.
 */
import { openCapture, type CaptureReader, type FrameRecord } from '../pcap';
import { WindowRecord } from '../pcap/window-record';
import { dissectFrame } from '../decode/dissect';
import { TransactionTracker } from '../analysis/transactions';
import { ConnectionTracker } from '../analysis/connections/tracker';
import { buildReport } from '../analysis/connections/report';
import { DEFAULT_THRESHOLDS } from '../analysis/connections/thresholds';
import { TxStatsByStream } from '../analysis/connections/tx-stats';
import { TA, TH_FIN, TH_RST, TH_SYN } from '../analysis/tcp-types';
import type { ConnectionDetail } from '../analysis/connections/report';
import type { Transaction } from '../../../shared/api/types';
import type { TxShipment } from '../analysis/transaction-table';
import { ROW_COLOR_CODE } from '../../../shared/api/rows';
import { KIND_MALFORMED, KIND_OWNED, KIND_SIMPLE, KIND_TCP, KIND_UDP, type FrameBatch, type FrameExtra, type InterfaceSummary, type ShardResult } from './batch';
import { EngineSession } from './engine-session';
import { NOT_TCP, tcpFlowHash, tcpFlowHashIn } from './flow-key';
import { SummaryTree } from './summary-tree';
import { ShardAssigner } from './shard-assign';
import { FRESH_BUFFERS, type BatchBuffers } from './batch-buffers';
import { StringIds } from '../string-ids';
import { copyCodeUnits } from '../code-units';
import { emptyObjects } from '../packed-arrays';

export interface ShardPassOptions {
  readonly file: string;
  readonly shard: number;
  readonly shards: number;
  /** Decode As: [port, protocol] pairs. */
  readonly decodeAs?: readonly (readonly [number, string])[];
}

/**
 * Frames per batch: small first ones so the first page of rows shows at once (the first frames run
 * cold, in the interpreter: 512 took ~100 ms, 128 ~40 ms), larger ones after. 8192, not more: the
 * batches a worker may have in flight (BATCH_WINDOW) are memory, and 8192 was as fast as 32768.
 */
export function batchEnd(first: number): number {
  return first < 128 ? 128 : first < 4096 ? 4096 : first + 8192;
}

/** Analysis bits Wireshark's "Bad TCP" colouring rule excludes. */
const NOT_BAD = TA.WINDOW_UPDATE | TA.KEEP_ALIVE | TA.KEEP_ALIVE_ACK;

/** Following a file that grows (a live capture's spool): see runFollowPass. */
export interface FollowHooks {
  /** The reader has no complete frame now: resolves true to ask it again, false when the file is final. */
  more(): Promise<boolean>;
  /** Hands over the pass's running tables, so they can be read while the file still grows. */
  tables?(t: LiveTables): void;
}

export interface LiveTables {
  transactions(): Transaction[];
  connections(): readonly ConnectionDetail[];
}

/** The pass over a growing file: `reader` returns null while it waits for more; `follow` says when to go on. */
export function runFollowPass(
  reader: CaptureReader,
  o: ShardPassOptions,
  onBatch: (b: FrameBatch) => void,
  pause: () => Promise<void>,
  follow: FollowHooks,
): Promise<ShardResult> {
  return passOver(reader, o, onBatch, pause, follow);
}

/**
 * Runs the pass; `onBatch` receives each range of frames. `pause` is awaited between batches
 * (the in-process engine yields to the event loop there; it rejects to cancel). `onTransactions`
 * receives the transaction table's finished parts as they are (then the result's table has
 * only the rest; see TransactionTable.unpack).
 */
export async function runShardPass(
  o: ShardPassOptions,
  onBatch: (b: FrameBatch) => void,
  pause: () => Promise<void> = async () => {},
  onTransactions?: (s: TxShipment) => void,
  buffers: BatchBuffers = FRESH_BUFFERS,
): Promise<ShardResult> {
  const reader = await openCapture(o.file);
  try {
    return await passOver(reader, o, onBatch, pause, undefined, onTransactions, buffers);
  } finally {
    reader.close();
  }
}

async function passOver(
  reader: CaptureReader, o: ShardPassOptions, onBatch: (b: FrameBatch) => void, pause: () => Promise<void>, follow?: FollowHooks,
  onTransactions?: (s: TxShipment) => void, buffers: BatchBuffers = FRESH_BUFFERS,
): Promise<ShardResult> {
  // (A followed file's live tables read whole transactions: its table keeps them.) A table that
  // hands its rows over as it goes keeps none: the connections' verdicts read stats gathered here.
  const ship = follow ? undefined : onTransactions;
  const txStats = ship ? new TxStatsByStream(DEFAULT_THRESHOLDS.slowP95Seconds) : null;
  const tx = new TransactionTracker(ship, txStats ?? undefined);
  const decodeAs = new Map(o.decodeAs ?? []);
  const conns = new ConnectionTracker(new Set(decodeAs.keys()));
  // Per-frame facts the sinks report while the current frame is dissected.
  let fTcpFlags = 0, fAnalysis = 0, fDbError = false;
  const session = new EngineSession({
    decodeAs,
    onTcp: (h, r) => { fTcpFlags = h.flags; fAnalysis = r.flags; conns.onTcp(h, r); },
    onEvent: (e, m) => {
      if ((e.kind === 'response' && e.status === 'error') || (e.kind === 'login' && e.phase === 'error')) fDbError = true;
      tx.onEvent(e, m);
      conns.onEvent(e, m);
    },
  });
  const strings = new StringIds();
  let stringsSent = 0;
  const stringList = strings.strings;
  const protoBitList: string[] = [];
  let protoBitsSent = 0;
  // A scan, not a Map: a frame names ~4 protocols, nearly always among the first few seen, and the
  // names are literals (a pointer compare each), where a Map lookup hashed ~7 times per frame.
  const bitOf = (p: string): number => {
    const l = protoBitList;
    for (let i = 0; i < l.length; i++) if (l[i] === p) return i;
    if (l.length < 31) { l.push(p); return l.length - 1; }
    return 31;
  };

  let maxTcpStream = -1;
  let index = 0;
  let next: FrameRecord | null = reader.next();
  const summaryTree = new SummaryTree(new Uint8Array(0));
  const owners = new ShardAssigner(o.shards);
  follow?.tables?.({
    transactions: () => tx.snapshot(),
    connections: () => buildReport(conns.records.values(), tx.snapshot(), conns.captureEnd).connections,
  });

  /**
   * One batch of frames from `first` on (the reader at `next`): a synchronous function of its own,
   * so the JIT's recompilations of the async loop around it (each resume after a pause is a way in)
   * do not recompile the per-frame work inlined here.
   */
  const fillBatch = (first: number): FrameBatch => {
    let fr: FrameRecord | null = next, index = first;
    const cap = batchEnd(first) - first;
    // Only shard 0 sends the index columns (and pcapng extras): every shard reads every frame, and
    // the session keeps one copy. Summary columns have a row per frame this shard owns.
    const indexing = o.shard === 0;
    const b = newBatchArrays(indexing ? cap : 0, cap, buffers);
    let owned = 0;
    // A Buffer over its own ArrayBuffer (transferable, unlike a pooled one): write() encodes at an
    // offset, where encodeInto needed a view per frame.
    let info = Buffer.from(buffers.take(256 * 1024));
    let infoUsed = 0;
    const newStreams = emptyObjects<[number, number]>();
    const extras = emptyObjects<FrameExtra>();
    let n = 0;
    for (; n < cap && fr; n++, index++, fr = reader.next()) {
      if (indexing) {
        b.offset[n] = fr.dataOffset;
        b.capLen[n] = fr.capLen;
        b.origLen[n] = fr.origLen;
        b.tsSec[n] = fr.tsSec;
        b.tsNsec[n] = fr.tsNsec;
        b.iface[n] = fr.iface;
        // rare per-frame facts (kept sparse): everything of a FrameRecord the columns do not hold
        if (fr.comments || fr.flags !== undefined || fr.noTimestamp || fr.custom) {
          extras.push({ index, comments: fr.comments, flags: fr.flags, noTimestamp: fr.noTimestamp, custom: fr.custom });
        }
      }
      // (a reader's WindowRecord is hashed where it lies: no view of a frame this shard skips)
      const hash = fr instanceof WindowRecord ? tcpFlowHashIn(fr.linkType, fr.buf, fr.at, fr.at + fr.capLen) : tcpFlowHash(fr.linkType, fr.data);
      // The capture's clock (its end, and jumps where captures were merged) is every TCP frame's,
      // not only this shard's: a shard sees it as a sequential pass does.
      if (hash !== NOT_TCP) conns.observe(fr.tsSec + fr.tsNsec / 1e9);
      if (owners.ownerOf(hash, fr.capLen) === o.shard) {
        // (The lean tree has no frame-timing fields: the index holds every frame's time.)
        fTcpFlags = 0; fAnalysis = 0; fDbError = false;
        session.lastUdpStream = -1;
        const tree = summaryTree.reset(fr.data);
        // The record is the frame's input as it is (its num is index + 1): a lean tree has no
        // frame item, so nothing reads the interface name a full tree shows.
        const d = dissectFrame(session, fr, tree);
        const p = d.pinfo;
        let kind = KIND_OWNED, mask = 0, ips = 0, l4 = 0;
        for (const name of tree.protocols) {
          mask |= 1 << bitOf(name);
          if (name === 'ip' || name === 'ipv6') ips++;
          else if (name === 'tcp') { l4++; kind |= KIND_TCP; }
          else if (name === 'udp') { l4++; kind |= KIND_UDP; }
          else if (name === '_ws.malformed') kind |= KIND_MALFORMED;
        }
        if (ips === 1 && l4 <= 1) kind |= KIND_SIMPLE;
        let stream = -1;
        if (kind & KIND_TCP) {
          stream = p.stream;
          if (stream > maxTcpStream) { maxTcpStream = stream; newStreams.push([stream, index]); }
        } else if (kind & KIND_UDP) stream = session.lastUdpStream;
        const r = owned++;
        b.row[r] = n;
        b.kind[r] = kind;
        b.src[r] = strings.id(p.src);
        b.dst[r] = strings.id(p.dst);
        b.srcPort[r] = p.srcPort;
        b.dstPort[r] = p.dstPort;
        b.proto[r] = strings.id(p.colProtocol);
        b.tcpFlags[r] = fTcpFlags;
        b.analysis[r] = fAnalysis;
        b.stream[r] = stream;
        b.protoMask[r] = mask;
        b.color[r] = colorOf(kind, fTcpFlags, fAnalysis, fDbError, p.colProtocol);
        const text = p.colInfo;
        const need = infoUsed + text.length * 3;
        if (info.length < need) info = grow(info, need, buffers);
        const w = copyCodeUnits(text, info, infoUsed, 0x80) ? text.length : info.write(text, infoUsed, 'utf8');
        b.infoLen[r] = w;
        infoUsed += w;
      }
    }
    // Views of the batch's buffers, not copies: a short batch (or a shard owning few frames) sends some unused room.
    const ni = indexing ? n : 0, r = owned;
    const batch: FrameBatch = {
      shard: o.shard, first, count: n,
      offset: b.offset.subarray(0, ni), capLen: b.capLen.subarray(0, ni), origLen: b.origLen.subarray(0, ni), tsSec: b.tsSec.subarray(0, ni),
      tsNsec: b.tsNsec.subarray(0, ni), iface: b.iface.subarray(0, ni), row: b.row.subarray(0, r), kind: b.kind.subarray(0, r),
      src: b.src.subarray(0, r), dst: b.dst.subarray(0, r), srcPort: b.srcPort.subarray(0, r), dstPort: b.dstPort.subarray(0, r),
      proto: b.proto.subarray(0, r), tcpFlags: b.tcpFlags.subarray(0, r), analysis: b.analysis.subarray(0, r), stream: b.stream.subarray(0, r),
      color: b.color.subarray(0, r), protoMask: b.protoMask.subarray(0, r), infoLen: b.infoLen.subarray(0, r), info: new Uint8Array(info.buffer, 0, infoUsed),
      stringBase: stringsSent, strings: stringList.slice(stringsSent),
      protoBitBase: protoBitsSent, protoBits: protoBitList.slice(protoBitsSent),
      newTcpStreams: newStreams, extras, interfaces: interfacesOf(reader),
    };
    stringsSent = stringList.length;
    protoBitsSent = protoBitList.length;
    next = fr;
    return batch;
  };

  for (;;) {
    if (!next) {
      // A growing file: wait for more, then go on from where the reader stopped.
      if (!follow || !(await follow.more())) break;
      next = reader.next();
      if (!next) continue;
    }
    const batch = fillBatch(index);
    index += batch.count;
    onBatch(batch);
    await pause();
  }
  const transactions = tx.finishTable();
  const report = buildReport(conns.records.values(), txStats ?? transactions, conns.captureEnd, DEFAULT_THRESHOLDS, { requestEvents: false });
  return {
    shard: o.shard, frames: index, error: reader.error ? reader.error.message : null, transactions: transactions.pack(), connections: report.connections,
    interfaces: interfacesOf(reader),
    format: reader.format, compression: reader.compression, sectionComments: [...reader.sectionComments],
  };
}

// Row colour codes as numbers: read in branches most frames never take, where a property lookup
// had no type feedback when the pass's loop was compiled, and its first use threw the code away.
const COLOR_BAD_TCP = ROW_COLOR_CODE['bad-tcp'], COLOR_RST = ROW_COLOR_CODE.rst, COLOR_SYN_FIN = ROW_COLOR_CODE['syn-fin'];
const COLOR_DB_ERROR = ROW_COLOR_CODE['db-error'], COLOR_DB = ROW_COLOR_CODE.db, COLOR_TCP = ROW_COLOR_CODE.tcp;
const COLOR_UDP = ROW_COLOR_CODE.udp, COLOR_NONE = ROW_COLOR_CODE.none;

function colorOf(kind: number, flags: number, analysis: number, dbError: boolean, proto: string): number {
  if (analysis & ~NOT_BAD) return COLOR_BAD_TCP;
  if (flags & TH_RST) return COLOR_RST;
  if (flags & (TH_SYN | TH_FIN)) return COLOR_SYN_FIN;
  if (dbError || (kind & KIND_MALFORMED)) return COLOR_DB_ERROR;
  if ((kind & KIND_TCP) && proto !== 'TCP') return COLOR_DB;
  if (kind & KIND_TCP) return COLOR_TCP;
  if (kind & KIND_UDP) return COLOR_UDP;
  return COLOR_NONE;
}

function interfacesOf(reader: CaptureReader): InterfaceSummary[] {
  return reader.interfaces.map((i) => ({ linkType: i.linkType, snapLen: i.snapLen, name: i.name, description: i.description, tsUnitsPerSec: i.tsUnitsPerSec }));
}

function grow(a: Buffer<ArrayBuffer>, need: number, buffers: BatchBuffers): Buffer<ArrayBuffer> {
  const out = Buffer.from(buffers.take(Math.max(need, a.length * 2)));
  out.set(a);
  buffers.give(a.buffer);
  return out;
}

/**
 * A batch's columns, carved from one buffer (widest first, so each is aligned): index columns for
 * `frames` frames, summary columns for up to `rows` owned ones. One allocation per batch to make,
 * transfer and free, not twenty.
 */
function newBatchArrays(frames: number, rows: number, buffers: BatchBuffers) {
  // (a recycled buffer may be larger than this batch needs)
  const buf = buffers.take(frames * INDEX_BYTES + rows * SUMMARY_BYTES);
  let at = 0;
  const take = <T,>(ctor: new (b: ArrayBuffer, off: number, len: number) => T, size: number, n: number): T => {
    const a = new ctor(buf, at, n);
    at += n * size;
    return a;
  };
  const offset = take(Float64Array, 8, frames), tsSec = take(Float64Array, 8, frames), tsNsec = take(Float64Array, 8, frames);
  const capLen = take(Uint32Array, 4, frames), origLen = take(Uint32Array, 4, frames);
  const row = take(Uint32Array, 4, rows), src = take(Uint32Array, 4, rows), dst = take(Uint32Array, 4, rows), proto = take(Uint32Array, 4, rows);
  const stream = take(Int32Array, 4, rows), protoMask = take(Uint32Array, 4, rows), infoLen = take(Uint32Array, 4, rows);
  const iface = take(Uint16Array, 2, frames);
  const srcPort = take(Uint16Array, 2, rows), dstPort = take(Uint16Array, 2, rows), tcpFlags = take(Uint16Array, 2, rows), analysis = take(Uint16Array, 2, rows);
  const kind = take(Uint8Array, 1, rows), color = take(Uint8Array, 1, rows);
  if (at !== frames * INDEX_BYTES + rows * SUMMARY_BYTES) throw new Error('the batch layout and its byte counts disagree');
  return { offset, capLen, origLen, tsSec, tsNsec, iface, row, kind, src, dst, srcPort, dstPort, proto, tcpFlags, analysis, stream, color, protoMask, infoLen };
}

/** Bytes per frame of newBatchArrays' index columns, and per owned frame of its summary columns. */
const INDEX_BYTES = 3 * 8 + 2 * 4 + 2;
const SUMMARY_BYTES = 7 * 4 + 4 * 2 + 2 * 1;
