/**
 * One open capture: the first pass (in worker threads, or in this thread for small/compressed
 * files), the merged columns, the displayed view, random access, filtering, export, and the
 * connection/transaction tables. Raw packet bytes stay in the file.
 */
import { statSync } from 'node:fs';
import type { ConversationChunk, Progress, Transaction } from '../../../shared/api/types';
import type { RowInput } from '../../../shared/api/rows';
import { checkFilter, type FilterError } from '../filter/index';
import { openCapture, type CaptureReader, type FrameRecord } from '../pcap';
import type { Dissected } from '../decode/dissect';
import { transactionsByStream, withRequests, type ConnectionDetail } from '../analysis/connections/report';
import { ShippedTransactions, TransactionTable, type TransactionRows, type TxShipment } from '../analysis/transaction-table';
import { TA } from '../analysis/tcp-types';
import { runShardWorkers, defaultShards, type ShardRun } from '../workers/pool';
import { batchBytes, type FrameBatch, type InterfaceSummary, type ShardResult } from './batch';
import { GcPacer } from './gc-pacer';
import { ExportWriter, type ExportFormat } from './export-writer';
import { FrameStore } from './frame-store';
import { tcpPayload } from './flow-key';
import { Replayer } from './replay';
import { Spill, type SpillOptions } from './spill';
import { runFollowPass, runShardPass, type FollowHooks, type LiveTables } from './shard-pass';
import { planFilter, runFilter, type FilterPlan } from './view-filter';
import type { Mutable } from '../mutable';

export interface SessionOpenOptions {
  readonly decodeAs?: ReadonlyMap<number, string>;
  /** Worker threads for the first pass; 0 runs it in this thread. Default: one per core (small and
   *  compressed files: this thread). */
  readonly workers?: number;
  readonly onProgress?: (p: PassProgress) => void;
  /** Random access: frames of a connection between replay checkpoints (tests use small values). */
  readonly checkpointEvery?: number;
  /** Where finished column chunks go (default: a spill file with DEFAULT_SPILL_BUDGET); false keeps them all in memory. */
  readonly spill?: SpillOptions | false;
}

/** The API's Progress without the session id, for the phases a file pass goes through. */
export type PassProgress = Omit<Progress, 'session' | 'phase'> & { readonly phase: 'indexing' | 'filtering' | 'exporting' };

export class CancelledError extends Error {
  constructor() { super('cancelled'); }
}

export class FileChangedError extends Error {}

/** Files below this are indexed in this thread (starting workers costs more than the pass). */
const IN_THREAD_BELOW = 4 * 1024 * 1024;

export class CaptureSession {
  readonly store: FrameStore;
  private readonly spill: Spill | null;
  readonly replay: Replayer;
  readonly format: 'pcap' | 'pcapng';
  readonly compression: 'none' | 'gzip' | 'zstd';
  interfaces: readonly InterfaceSummary[] = [];
  sectionComments: readonly string[] = [];
  /** Frames of the displayed view; null shows every frame. */
  private displayed: Uint32Array | null = null;
  private filterText = '';
  /** Following a growing file: the active filter's plan and the frames its view covers. */
  private viewPlan: FilterPlan | null = null;
  private viewUpTo = 0;
  private live: LiveTables | null = null;
  private txs: TransactionRows = new TransactionTable();
  /** Each pass worker's finished transaction parts, spilled as they arrive (see finish). */
  private readonly shippedTx = new Map<number, ShippedTransactions>();
  private readonly gcPacer = new GcPacer();
  private conns: ConnectionDetail[] = [];
  private passError: string | null = null;
  private finished = false;
  private cancelled = false;
  private run: ShardRun | null = null;
  private phase: PassProgress['phase'] = 'indexing';
  private phaseDone = 0;
  readonly done: Promise<void>;
  private readonly stamp: { size: number; mtimeMs: number };

  private constructor(
    readonly file: string, private readonly reader: CaptureReader, private readonly opts: SessionOpenOptions, private readonly follow?: FollowHooks,
  ) {
    const st = statSync(file);
    this.stamp = { size: st.size, mtimeMs: st.mtimeMs };
    this.format = reader.format;
    this.compression = reader.compression;
    // Compressed files would be decompressed once per worker; small ones finish before workers start.
    // A growing file is read as it grows, in this thread.
    const inThread = !!follow || opts.workers === 0 || reader.compression !== 'none' || (opts.workers === undefined && reader.size < IN_THREAD_BELOW);
    const shards = inThread ? 1 : opts.workers ?? defaultShards();
    this.spill = opts.spill === false ? null : new Spill(opts.spill, (bytes) => this.gcPacer.release(bytes));
    this.store = new FrameStore(shards, this.spill, (b) => this.merged(b));
    this.replay = new Replayer(this.store, reader, () => this.interfaces, opts.decodeAs ?? new Map(), opts.checkpointEvery);
    this.done = this.start(shards, inThread);
    this.done.catch(() => {});
  }

  /** Opens the file (rejects when it is not a readable capture) and starts the first pass. */
  static async open(file: string, opts: SessionOpenOptions = {}): Promise<CaptureSession> {
    const reader = await openCapture(file);
    return new CaptureSession(file, reader, opts);
  }

  /**
   * A session over a file that is still being written (a live capture's spool): `reader` returns
   * null while it waits for more, `follow.more()` says when there is more or the file is final.
   * Rows, packets, filters, tables and export work on what has been read so far.
   */
  static follow(file: string, reader: CaptureReader, follow: FollowHooks, opts: SessionOpenOptions = {}): CaptureSession {
    return new CaptureSession(file, reader, opts, follow);
  }

  /** Size of the (decompressed) file; grows while following. */
  get size(): number {
    return this.reader.size;
  }

  /** Whether the session follows a file that may still grow. */
  get following(): boolean {
    return !!this.follow && !this.finished;
  }

  private async start(shards: number, inThread: boolean): Promise<void> {
    const base = { file: this.file, decodeAs: [...(this.opts.decodeAs ?? [])] };
    const onBatch = (b: FrameBatch) => this.onBatch(b);
    let results: ShardResult[];
    try {
      const pause = () => new Promise<void>((resolve, reject) => setImmediate(() => (this.cancelled ? reject(new CancelledError()) : resolve())));
      if (this.follow) {
        const follow: FollowHooks = {
          more: () => (this.cancelled ? Promise.reject(new CancelledError()) : this.follow!.more()),
          tables: (t) => { this.live = t; },
        };
        results = [await runFollowPass(this.reader, { ...base, shard: 0, shards: 1 }, onBatch, pause, follow)];
      } else if (inThread) {
        results = [await runShardPass({ ...base, shard: 0, shards: 1 }, onBatch, pause)];
      } else {
        const onTx = (shard: number, part: TxShipment) => {
          if (this.cancelled) return;
          this.shipped(shard).receive(part);
          this.gcPacer.releaseYoung(part.array.byteLength);
        };
        this.run = runShardWorkers(base, shards, onBatch, onTx);
        results = await this.run.done;
        // On in a task of its own: continuing from the workers' last message ran what awaits `done`
        // (a filter, an export) inside that message's handle scope, which kept the message, and
        // every worker's packed transaction table in it, alive until they returned.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (e) {
      this.passError = this.cancelled ? 'cancelled' : e instanceof Error ? e.message : String(e);
      this.finished = true;
      this.emit();
      if (this.cancelled) return;
      throw e;
    }
    this.finish(results);
  }

  private shipped(shard: number): ShippedTransactions {
    let s = this.shippedTx.get(shard);
    if (!s) { s = new ShippedTransactions(this.spill); this.shippedTx.set(shard, s); }
    return s;
  }

  private onBatch(b: FrameBatch): void {
    if (this.cancelled) return; // (a batch still in flight when the session was cancelled or closed)
    if (b.shard === 0) { this.interfaces = b.interfaces; }
    if (this.store.add(b) > 0) {
      if (this.follow) this.extendView();
      this.emit();
    }
  }

  /** A batch's rows are in the columns: its buffers go back to the worker that sent them, or are garbage. */
  private merged(b: FrameBatch): void {
    if (this.run && !this.cancelled) this.run.recycle(b);
    else this.gcPacer.release(batchBytes(b));
  }

  /** Following: runs the active filter over the frames that arrived since the view was made. */
  private extendView(): void {
    const plan = this.viewPlan;
    if (!plan || !this.displayed || this.viewUpTo >= this.store.count) return;
    const upTo = this.store.count;
    const more = runFilter(plan, this.store, this.replay, upTo, undefined, this.viewUpTo);
    if (more.length) {
      const all = new Uint32Array(this.displayed.length + more.length);
      all.set(this.displayed);
      all.set(more, this.displayed.length);
      this.displayed = all;
    }
    this.viewUpTo = upTo;
  }

  /** What queries wait for: the first pass, or nothing while following (they see what is read so far). */
  private settled(): Promise<void> {
    return this.following ? Promise.resolve() : this.done;
  }

  private finish(results: ShardResult[]): void {
    const r0 = results[0]!;
    this.interfaces = r0.interfaces;
    this.sectionComments = r0.sectionComments;
    this.passError = results.find((r) => r.error)?.error ?? null;
    const conns: ConnectionDetail[] = [];
    // The results are this session's own objects (a worker's message, or the in-thread pass that
    // just ended): renumbering streams in place keeps a second copy of every connection off the heap.
    for (const r of results) {
      for (const c of r.connections) {
        (c as Mutable<ConnectionDetail>).stream = this.store.globalTcpStream(r.shard, c.stream);
        conns.push(c);
      }
    }
    conns.sort((a, b) => a.stream - b.stream);
    // The renumbering closure keeps the shard numbers only: capturing `results` kept every worker's
    // packed table alive with the session, its slabs too after the spill had dropped them (~5 MB).
    const shardOf = results.map((r) => r.shard);
    this.txs = TransactionTable.merge(
      results.map((r) => TransactionTable.unpack(r.transactions, this.spill, this.shippedTx.get(r.shard) ?? null)),
      (k, stream) => this.store.globalTcpStream(shardOf[k]!, stream),
    );
    this.shippedTx.clear();
    // No more rows: the chunks kept to be filled again are garbage now.
    this.gcPacer.release(this.store.releaseSpares());
    this.conns = conns;
    this.live = null;
    if (this.follow) this.extendView();
    this.finished = true;
    this.emit();
  }

  private emit(): void {
    this.opts.onProgress?.(this.progress());
  }

  progress(): PassProgress {
    const n = this.store.count;
    const bytesDone = this.finished ? this.size : n ? this.store.offset.get(n - 1) + this.store.capLen.get(n - 1) : 0;
    const p: PassProgress = {
      phase: this.phase, bytesDone, bytesTotal: this.size, frames: n, displayed: this.displayedCount(),
      done: this.finished && this.phase === 'indexing',
    };
    if (this.phase !== 'indexing') return { ...p, bytesDone: this.phaseDone, bytesTotal: n };
    return this.passError ? { ...p, error: this.passError } : p;
  }

  get isDone(): boolean {
    return this.finished;
  }

  cancel(): void {
    if (this.finished) return;
    this.cancelled = true;
    this.run?.cancel();
  }

  close(): void {
    this.cancel();
    this.reader.close();
    this.spill?.close();
  }

  /** Throws FileChangedError when the file on disk is no longer the one indexed. */
  checkFile(): void {
    if (this.follow) return; // the spool grows (and may be moved by a save); the reader keeps it open
    let st;
    try { st = statSync(this.file); } catch { throw new FileChangedError(`${this.file} was removed or is unreadable since it was opened`); }
    if (st.size !== this.stamp.size || st.mtimeMs !== this.stamp.mtimeMs) {
      throw new FileChangedError(`${this.file} changed on disk since it was opened (size ${this.stamp.size} → ${st.size}); open it again`);
    }
  }

  displayedCount(): number {
    return this.displayed ? this.displayed.length : this.store.count;
  }

  /** Frame index of displayed row r. */
  frameAt(r: number): number {
    return this.displayed ? this.displayed[r]! : r;
  }

  rows(start: number, count: number): RowInput[] {
    const st = this.store;
    const end = Math.min(this.displayedCount(), start + count);
    const out: RowInput[] = [];
    for (let r = start; r < end; r++) {
      const i = this.frameAt(r);
      const kind = st.kind.get(i);
      out.push({
        num: i + 1, time: st.relTime(i), length: st.origLen.get(i), stream: kind & 1 ? st.stream.get(i) : -1,
        source: st.strings.get(st.src.get(i)), destination: st.strings.get(st.dst.get(i)), protocol: st.strings.get(st.proto.get(i)),
        info: st.infoBytes(i), color: st.color.get(i),
      });
    }
    return out;
  }

  /** Full dissection of frame `num` (1-based). */
  packet(num: number): Dissected {
    this.checkFile();
    return this.replay.packet(num - 1);
  }

  get filter(): string {
    return this.filterText;
  }

  /** Applies a display filter (waits for the first pass). Empty text shows every frame. */
  async setFilter(text: string): Promise<{ ok: true; displayed: number } | { ok: false; error: FilterError }> {
    const checked = checkFilter(text);
    if (!checked.ok) return checked;
    await this.settled();
    if (checked.ast.k === 'true') {
      this.displayed = null;
      this.viewPlan = null;
      this.filterText = '';
      return { ok: true, displayed: this.store.count };
    }
    this.checkFile();
    this.phase = 'filtering';
    this.phaseDone = 0;
    try {
      const plan = planFilter(checked.ast, text);
      const upTo = this.store.count;
      this.gcPacer.beforeStretch();
      this.displayed = runFilter(plan, this.store, this.replay, upTo, (d) => { this.phaseDone = d; this.emit(); });
      this.filterText = text;
      this.viewPlan = plan;
      this.viewUpTo = upTo;
    } finally {
      this.phase = 'indexing';
      this.emit();
    }
    return { ok: true, displayed: this.displayed.length };
  }

  async transactions(): Promise<readonly Transaction[]> {
    await this.settled();
    return this.live ? this.live.transactions() : this.txs.toArray();
  }

  /** How many transactions the pass found (so far, while following), without making them. */
  async transactionCount(): Promise<number> {
    await this.settled();
    return this.live ? this.live.transactions().length : this.txs.length;
  }

  async connections(): Promise<readonly ConnectionDetail[]> {
    await this.settled();
    if (this.live) return this.live.connections();
    // Timelines are kept without their requests (one event per transaction); add them now.
    const ofStream = transactionsByStream(this.txs);
    return this.conns.map((c) => ({ ...c, timeline: withRequests(c.timeline, ofStream(c.stream)) }));
  }

  /** Both directions' TCP payload of a stream in frame order (retransmitted copies left out). */
  async conversation(stream: number): Promise<ConversationChunk[]> {
    await this.settled();
    this.checkFile();
    const st = this.store;
    if (stream < 0 || stream >= st.tcpStreams) throw new RangeError(`no TCP stream ${stream} (the capture has ${st.tcpStreams})`);
    const conn = (this.live ? this.live.connections() : this.conns).find((c) => c.stream === stream);
    const out: ConversationChunk[] = [];
    for (const i of this.replay.streams().streamFrames(stream)) {
      if (st.analysis.get(i) & (TA.RETRANSMISSION | TA.FAST_RETRANSMISSION | TA.SPURIOUS_RETRANSMISSION)) continue;
      const data = this.replay.bytes(i);
      const at = tcpPayload(this.interfaces[st.iface.get(i)]?.linkType ?? 1, data);
      if (!at || at.length === 0) continue;
      const from = endpoint(st.strings.get(st.src.get(i)), st.srcPort.get(i));
      out.push({ dir: conn && from !== conn.client ? 1 : 0, frame: i + 1, bytes: data.slice(at.start, at.start + at.length) });
    }
    return out;
  }

  /** Frame indexes (0-based) an export request selects. */
  async exportFrames(what: { kind: 'displayed' } | { kind: 'frames'; frames: readonly number[] } | { kind: 'stream'; stream: number }): Promise<number[]> {
    await this.settled();
    if (what.kind === 'displayed') return Array.from({ length: this.displayedCount() }, (_, r) => this.frameAt(r));
    if (what.kind === 'stream') {
      if (what.stream < 0 || what.stream >= this.store.tcpStreams) throw new RangeError(`no TCP stream ${what.stream} (the capture has ${this.store.tcpStreams})`);
      return [...this.replay.streams().streamFrames(what.stream)];
    }
    for (const n of what.frames) if (n < 1 || n > this.store.count) throw new RangeError(`frame ${n} is not in the capture (1..${this.store.count})`);
    return [...new Set(what.frames)].sort((a, b) => a - b).map((n) => n - 1);
  }

  /** Writes frames (0-based indexes, ascending) to a new file, atomically. */
  async export(frames: readonly number[], format: ExportFormat, path: string): Promise<number> {
    await this.settled();
    this.checkFile();
    const st = this.store;
    const w = new ExportWriter(path, format, { interfaces: this.interfaces, sectionComments: this.sectionComments });
    this.phase = 'exporting';
    this.gcPacer.beforeStretch();
    let written = 0;
    try {
      for (let k = 0; k < frames.length; k++) {
        const i = frames[k]!;
        const ifc = this.interfaces[st.iface.get(i)];
        const extra = st.extras.get(i);
        const fr: FrameRecord = {
          num: i + 1, recordOffset: 0, dataOffset: st.offset.get(i), capLen: st.capLen.get(i), origLen: st.origLen.get(i),
          tsSec: st.tsSec.get(i), tsNsec: st.tsNsec.get(i), iface: st.iface.get(i), linkType: ifc?.linkType ?? 1,
          // (written out at once: the reused buffer spares hundreds of thousands of small allocations)
          data: this.replay.transientBytes(i),
        };
        if (extra?.comments) fr.comments = [...extra.comments];
        if (extra?.flags !== undefined) fr.flags = extra.flags;
        if (extra?.custom) fr.custom = extra.custom;
        if (extra?.noTimestamp) fr.noTimestamp = true;
        w.add(fr);
        if (k % 65536 === 0) { this.phaseDone = k; this.emit(); }
      }
      written = w.count;
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    } finally {
      this.phase = 'indexing';
    }
    return written;
  }
}

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
