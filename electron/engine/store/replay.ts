/**
 * Random access: re-read a frame from the file and re-dissect it with the state its connection had
 * at that point in the first pass. A TCP connection's frames (with any earlier connection on the
 * same address/port pair, which port-reuse detection needs) are replayed from the nearest
 * checkpoint; checkpoints (deep copies of the replay session) are taken every CHECKPOINT_EVERY
 * frames of a connection the first time it is replayed, so a later access replays at most that
 * many frames. Frame-timing fields come from the index.
 */
import type { CaptureReader } from '../pcap';
import { dissectFrame, type Dissected } from '../decode/dissect';
import { PacketTree } from '../decode/tree';
import { KIND_TCP, KIND_UDP } from './batch';
import { cloneState } from './clone';
import { EngineSession } from './engine-session';
import type { FrameStore } from './frame-store';
import { SummaryTree } from './summary-tree';

export const CHECKPOINT_EVERY = 256;
/** Connections whose checkpoints are kept (least recently used ones are dropped). */
const MAX_CACHED_FLOWS = 64;

export interface InterfaceInfo {
  readonly linkType: number;
  readonly name?: string;
}

interface Checkpoint {
  /** Position in the flow's frame list of the next frame to dissect. */
  readonly pos: number;
  readonly session: EngineSession;
}

/** Frames of each TCP stream, and streams grouped by address/port pair (flows). */
export class StreamIndex {
  readonly streamStart: Uint32Array;
  readonly frames: Uint32Array;
  readonly flowOf: Int32Array;
  private readonly flowStreams: number[][] = [];

  constructor(store: FrameStore, readonly upTo: number) {
    const n = store.tcpStreams;
    const counts = new Uint32Array(n + 1);
    for (let i = 0; i < upTo; i++) if (store.kind.get(i) & KIND_TCP) { const s = store.stream.get(i); if (s >= 0) counts[s + 1]!++; }
    for (let s = 0; s < n; s++) counts[s + 1]! += counts[s]!;
    this.streamStart = counts;
    this.frames = new Uint32Array(counts[n]!);
    const fill = counts.slice(0, n);
    const firstFrame = new Int32Array(n).fill(-1);
    for (let i = 0; i < upTo; i++) {
      if (!(store.kind.get(i) & KIND_TCP)) continue;
      const s = store.stream.get(i);
      if (s < 0) continue;
      if (firstFrame[s] === -1) firstFrame[s] = i;
      this.frames[fill[s]!++] = i;
    }
    this.flowOf = new Int32Array(n).fill(-1);
    const byPair = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const f = firstFrame[s]!;
      if (f < 0) continue;
      const a = `${store.strings.get(store.src.get(f))}|${store.srcPort.get(f)}`;
      const b = `${store.strings.get(store.dst.get(f))}|${store.dstPort.get(f)}`;
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      let flow = byPair.get(key);
      if (flow === undefined) { flow = this.flowStreams.length; byPair.set(key, flow); this.flowStreams.push([]); }
      this.flowStreams[flow]!.push(s);
      this.flowOf[s] = flow;
    }
  }

  get flowCount(): number {
    return this.flowStreams.length;
  }

  /** The first and the last frame of a flow (of any of its streams). */
  flowFirstFrame(flow: number): number {
    let first = this.upTo;
    for (const s of this.flowStreams[flow] ?? []) if (this.streamStart[s + 1]! > this.streamStart[s]!) first = Math.min(first, this.frames[this.streamStart[s]!]!);
    return first;
  }

  flowLastFrame(flow: number): number {
    let last = -1;
    for (const s of this.flowStreams[flow] ?? []) if (this.streamStart[s + 1]! > this.streamStart[s]!) last = Math.max(last, this.frames[this.streamStart[s + 1]! - 1]!);
    return last;
  }

  streamFrames(s: number): Uint32Array {
    return this.frames.subarray(this.streamStart[s]!, this.streamStart[s + 1]!);
  }

  /** All frames of a flow in frame order. */
  flowFrames(flow: number): Uint32Array {
    const streams = this.flowStreams[flow] ?? [];
    if (streams.length === 1) return this.streamFrames(streams[0]!);
    const all: number[] = [];
    for (const s of streams) all.push(...this.streamFrames(s));
    return Uint32Array.from(all.sort((a, b) => a - b));
  }
}

export class Replayer {
  private index: StreamIndex | null = null;
  private readonly checkpoints = new Map<number, Checkpoint[]>();
  /** transientBytes' buffer (a larger frame gets a fresh copy). */
  private readonly scratch = new Uint8Array(64 * 1024);

  constructor(
    private readonly store: FrameStore,
    private readonly reader: CaptureReader,
    private readonly interfaces: () => readonly InterfaceInfo[],
    private readonly decodeAs: ReadonlyMap<number, string>,
    private readonly checkpointEvery = CHECKPOINT_EVERY,
  ) {}

  /** The stream index over the frames merged so far (rebuilt when more arrived). */
  streams(): StreamIndex {
    if (!this.index || this.index.upTo !== this.store.count) {
      this.index = new StreamIndex(this.store, this.store.count);
      this.checkpoints.clear();
    }
    return this.index;
  }

  /** Raw bytes of frame i (a fresh copy). */
  bytes(i: number): Uint8Array {
    return this.reader.readPacket(this.store.offset.get(i), this.store.capLen.get(i));
  }

  /**
   * Raw bytes of frame i for a caller that is done with them before it reads another frame (an
   * export, a replay's visit): a view of one reused buffer, as the first pass reads frames into
   * its window. Spares the collector a copy per frame.
   */
  transientBytes(i: number): Uint8Array {
    return this.reader.readPacket(this.store.offset.get(i), this.store.capLen.get(i), this.scratch);
  }

  /** Full dissection of frame i (0-based index), as the first pass saw it. */
  packet(i: number): Dissected {
    const kind = this.store.kind.get(i);
    // A TCP frame without a stream (bogus header) touched no connection state: dissect it alone.
    if ((kind & KIND_TCP) && this.store.stream.get(i) >= 0) {
      const idx = this.streams();
      const s = this.store.stream.get(i);
      const flow = idx.flowOf[s]!;
      const frames = idx.flowFrames(flow);
      return this.replayFlow(flow, frames, lowerBound(frames, i));
    }
    const session = this.newSession();
    if (kind & KIND_UDP) session.forcedUdpStream = this.store.stream.get(i);
    return this.dissect(session, i, (data) => new PacketTree(data));
  }

  /**
   * Replays whole flows (each from its first frame, with a state of its own): `flows[f]` is 1 for
   * each flow to replay. Calls `visit` with a full dissection of each frame where `wantFull(i)` is
   * true. Used by deep filters over whole connections. The flows' frames are taken together in
   * file order: the file is read once, front to back, whatever the number of connections. A
   * dissection `visit` gets is valid during the call only: its bytes are transientBytes' (no
   * decoder state outlives its frame's bytes, as in the first pass).
   */
  replayFlows(flows: Uint8Array, wantFull: (i: number) => boolean, visit: (i: number, d: Dissected) => void): void {
    const idx = this.streams();
    const st = this.store;
    // A flow's state lives from its first frame to its last (thousands of short connections
    // never have theirs all at once). The frames are found by a walk over the stream column, not
    // a merged list of the flows' frames: that list was 4 bytes per frame for a filter's duration.
    const sessions = new Map<number, EngineSession>();
    const lastFrame = new Int32Array(idx.flowCount).fill(-1);
    let first = idx.upTo;
    for (let f = 0; f < idx.flowCount; f++) {
      if (!flows[f]) continue;
      lastFrame[f] = idx.flowLastFrame(f);
      first = Math.min(first, idx.flowFirstFrame(f));
    }
    for (let i = first; i < idx.upTo; i++) {
      if (!(st.kind.get(i) & KIND_TCP)) continue;
      const s = st.stream.get(i);
      if (s < 0) continue;
      const flow = idx.flowOf[s]!;
      if (!flows[flow]) continue;
      let session = sessions.get(flow);
      if (!session) { session = this.newSession(); sessions.set(flow, session); }
      if (lastFrame[flow] === i) sessions.delete(flow);
      const full = wantFull(i);
      const d = this.dissect(session, i, (data) => (full ? new PacketTree(data) : new SummaryTree(data)), true);
      if (full) visit(i, d);
    }
  }

  /** Full dissection of a single non-TCP frame. */
  single(i: number): Dissected {
    const session = this.newSession();
    if (this.store.kind.get(i) & KIND_UDP) session.forcedUdpStream = this.store.stream.get(i);
    return this.dissect(session, i, (data) => new PacketTree(data));
  }

  private replayFlow(flow: number, frames: Uint32Array, target: number): Dissected {
    let cps = this.checkpoints.get(flow);
    if (!cps) {
      cps = [{ pos: 0, session: this.newSession() }];
      if (this.checkpoints.size >= MAX_CACHED_FLOWS) this.checkpoints.delete(this.checkpoints.keys().next().value!);
    } else this.checkpoints.delete(flow);
    this.checkpoints.set(flow, cps); // most recently used last
    let k = cps.length - 1;
    while (cps[k]!.pos > target) k--;
    const session = cloneState(cps[k]!.session);
    for (let p = cps[k]!.pos; p < target; p++) {
      this.dissect(session, frames[p]!, (data) => new SummaryTree(data));
      const next = p + 1;
      if (next % this.checkpointEvery === 0 && !cps.some((c) => c.pos === next)) {
        cps.push({ pos: next, session: cloneState(session) });
        cps.sort((a, b) => a.pos - b.pos);
      }
    }
    return this.dissect(session, frames[target]!, (data) => new PacketTree(data));
  }

  private newSession(): EngineSession {
    return new EngineSession({ decodeAs: this.decodeAs });
  }

  /** `transient`: the frame's bytes are transientBytes' (the dissection is not kept). */
  private dissect(session: EngineSession, i: number, makeTree: (data: Uint8Array) => PacketTree, transient = false): Dissected {
    const st = this.store;
    const data = transient ? this.transientBytes(i) : this.bytes(i);
    session.firstNs = st.firstNs();
    session.prevNs = i > 0 ? st.nsOf(i - 1) : null;
    const extra = st.extras.get(i);
    const iface = extra?.custom ? -1 : st.iface.get(i);
    const ifc = this.interfaces()[iface];
    const tree = makeTree(data);
    const d = dissectFrame(session, {
      num: i + 1, tsSec: st.tsSec.get(i), tsNsec: st.tsNsec.get(i), capLen: st.capLen.get(i), origLen: st.origLen.get(i),
      linkType: extra?.custom ? -1 : ifc?.linkType ?? 1, iface, ifaceName: ifc?.name, comments: extra?.comments,
      noTimestamp: extra?.noTimestamp, custom: extra?.custom, data,
    }, tree);
    // The replay numbers streams from 0; the session-wide number is the first pass's.
    if ((st.kind.get(i) & KIND_TCP) && st.stream.get(i) >= 0) {
      const s = st.stream.get(i);
      d.pinfo.stream = s;
      for (const n of d.tree.all('tcp.stream')) n.value = s;
    }
    return d;
  }
}

function lowerBound(a: Uint32Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m]! < v) lo = m + 1; else hi = m; }
  return lo;
}
