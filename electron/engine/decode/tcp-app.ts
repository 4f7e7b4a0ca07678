/**
 * TCP payload → DB decoders: picks the protocol of a connection (Decode As, then the registered
 * port, lower port first, then strict content probing), reassembles each direction in sequence
 * order (retransmitted and overlapping bytes dropped, lost bytes reported), and cuts the byte
 * stream into messages with the decoder's pduLength. A message is dissected in the frame that
 * completes it; a message spanning segments gets a "Reassembled TCP" data source.
 */
import type { TcpHeaderFacts, TcpSegmentAnalysis } from '../analysis/tcp-types';
import { uniformEvent, type AppEvent } from '../analysis/events';
import type { DissectSession, EventMeta } from './session';
import { MAX_PENDING_BYTES, NEED_MORE, NOT_A_PDU, type AppContext, type TcpAppDissector } from './app';
import type { Layers } from './layers';
import type { PacketInfo } from './packet-info';
import type { PacketTree } from './tree';
import { BoundsError, Tvb } from './tvb';
import { APP_DISSECTORS } from './protocols';
import { TLS, TLS_CONTENT_TYPES } from '../../../shared/fields/tls';
import type { Mutable } from '../mutable';

/** How many payload segments we try content probing on before deciding "not a DB protocol". */
const PROBE_SEGMENTS = 4;

interface Direction {
  /** Raw sequence number of the next byte we expect; -1 before the first data. */
  expected: number;
  /** Bytes after the last message boundary, waiting for the rest of a message (a copy). */
  pending: Uint8Array | null;
  /** True after lost bytes until a message boundary is found again. */
  lost: boolean;
  /** The context its messages are dissected with (made at the first one). */
  ctx: MessageContext | null;
}

interface AppStream {
  decided: boolean;
  probes: number;
  dissector: TcpAppDissector<unknown> | null;
  state: unknown;
  /** The server end: address key and port. */
  serverKey: string;
  serverPort: number;
  /** [client→server, server→client] */
  dirs: [Direction, Direction];
  /** TLS records have been seen (after an upgrade): reported once. */
  tlsSeen: boolean;
}

/** What protocol detection decided for a connection, for the connection analysis. */
export interface AppStreamInfo {
  readonly protocol: string;
  readonly serverKey: string;
  readonly serverPort: number;
}

export function appStreamInfo(app: unknown): AppStreamInfo | null {
  const st = app as AppStream | undefined;
  if (!st?.dissector) return null;
  return { protocol: st.dissector.proto.name, serverKey: st.serverKey, serverPort: st.serverPort };
}

const newDirection = (): Direction => ({ expected: -1, pending: null, lost: false, ctx: null });

export function handTcpPayload(L: Layers, payload: Tvb, h: TcpHeaderFacts, r: TcpSegmentAnalysis): void {
  const conv = r.conv;
  let st = conv.app as AppStream | undefined;
  if (!st) {
    st = { decided: false, probes: 0, dissector: null, state: null, serverKey: '', serverPort: -1, dirs: [newDirection(), newDirection()], tlsSeen: false };
    conv.app = st;
  }
  if (!st.decided) decide(L, st, payload.data, h, r);
  if (!st.dissector) { L.data(payload); return; }
  const fromServer = h.srcPort === st.serverPort && h.src === st.serverKey;
  deliver(L, st, fromServer, payload, h);
}

function decide(L: Layers, st: AppStream, data: Uint8Array, h: TcpHeaderFacts, r: TcpSegmentAnalysis): void {
  const byDecodeAs = L.session.decodeAs.get(h.srcPort) ?? L.session.decodeAs.get(h.dstPort);
  if (byDecodeAs) {
    const serverIsDst = L.session.decodeAs.has(h.dstPort);
    return settle(st, byDecodeAs, serverIsDst ? h.dst : h.src, serverIsDst ? h.dstPort : h.srcPort);
  }
  // The client is the SYN sender when we saw the handshake.
  const synSeen = r.conv.synDir !== -1;
  const srcIsClient = synSeen ? r.conv.synDir === r.dir : undefined;
  const low = Math.min(h.srcPort, h.dstPort), high = Math.max(h.srcPort, h.dstPort);
  for (const port of low === high ? [low] : [low, high]) {
    for (const d of APP_DISSECTORS) {
      if (!d.ports.includes(port)) continue;
      const serverIsDst = port === h.dstPort && (srcIsClient !== false);
      // With the whole stream in view the first bytes may prove the port wrong (HTTP or MySQL on 5432).
      if (synSeen && d.portVeto?.(data, !serverIsDst)) continue;
      return settle(st, d, serverIsDst ? h.dst : h.src, port);
    }
  }
  for (const d of APP_DISSECTORS) {
    if (!d.probe) continue;
    const tries: boolean[] = srcIsClient === undefined ? [false, true] : [!srcIsClient];
    for (const fromServer of tries) {
      if (safeProbe(d, data, fromServer)) {
        return settle(st, d, fromServer ? h.src : h.dst, fromServer ? h.srcPort : h.dstPort);
      }
    }
  }
  if (++st.probes >= PROBE_SEGMENTS) st.decided = true;
}

function safeProbe(d: TcpAppDissector<unknown>, data: Uint8Array, fromServer: boolean): boolean {
  try { return d.probe!(data, fromServer); } catch { return false; }
}

function settle(st: AppStream, d: TcpAppDissector<unknown>, serverKey: string, serverPort: number): void {
  st.decided = true;
  st.dissector = d;
  st.state = d.newState();
  st.serverKey = serverKey;
  st.serverPort = serverPort;
}

function deliver(L: Layers, st: AppStream, fromServer: boolean, payload: Tvb, h: TcpHeaderFacts): void {
  const dir = st.dirs[fromServer ? 1 : 0];
  const d = st.dissector!;
  if (dir.expected < 0) dir.expected = h.seq;
  const rel = (h.seq - dir.expected) | 0;
  const len = payload.reported;
  if (payload.truncated && rel + len > 0) {
    // The capture cut this segment short: its bytes are lost to the decoder.
    dir.pending = null;
    dir.lost = true;
    d.gap?.(st.state, fromServer);
    contextOf(L, st, dir, fromServer, 0).emit({ kind: 'gap' });
    dir.expected = (h.seq + len) >>> 0;
    return;
  }
  if (rel + len <= 0) return; // every byte seen already: a retransmission
  let fresh = payload;
  if (rel > 0) {
    // Bytes between what we expected and this segment never arrived.
    dir.pending = null;
    dir.lost = true;
    d.gap?.(st.state, fromServer);
    contextOf(L, st, dir, fromServer, 0).emit({ kind: 'gap' });
  } else if (rel < 0) {
    fresh = payload.sub(-rel);
  }
  dir.expected = (h.seq + len) >>> 0;
  cut(L, st, dir, fromServer, fresh);
}

function cut(L: Layers, st: AppStream, dir: Direction, fromServer: boolean, fresh: Tvb): void {
  const d = st.dissector!;
  const prefix = dir.pending ? dir.pending.length : 0;
  const data = dir.pending ? concat(dir.pending, fresh.data) : fresh.data;
  dir.pending = null;
  let off = 0;
  if (dir.lost) {
    const k = d.resync ? d.resync(data, st.state, fromServer) : -1;
    if (k < 0) return continuation(L, fresh);
    dir.lost = false;
    off = k;
  }
  // Offsets into data, not views: a segment carries several messages (a result set's rows).
  while (off < data.length) {
    const have = data.length - off;
    let tls = false;
    try { tls = d.encrypted?.(st.state, data, fromServer, off) ?? false; } catch { tls = false; }
    let n: number;
    if (tls) n = tlsRecordLength(data, off);
    else try { n = d.pduLength(data, st.state, fromServer, off); } catch { n = NOT_A_PDU; }
    if (n === NEED_MORE || (n > 0 && n > have)) {
      if (have > MAX_PENDING_BYTES) { dir.lost = true; d.gap?.(st.state, fromServer); return; }
      dir.pending = data.slice(off);
      return;
    }
    if (n < 0) {
      // Not a message boundary: look for the next one in what we have, else wait for a resync.
      const k = d.resync ? d.resync(data.subarray(off + 1), st.state, fromServer) : -1;
      if (k < 0) { dir.lost = true; return; }
      off += 1 + k;
      continue;
    }
    const tvb = off >= prefix ? fresh.sub(off - prefix, n) : reassembled(L, data.slice(off, off + n));
    if (tls) dissectTlsRecord(L, st, fromServer, tvb);
    else dissectMessage(L, st, dir, fromServer, tvb);
    off += n;
  }
}

/** A message put together from several segments: its own data source (one copy of its bytes). */
function reassembled(L: Layers, bytes: Uint8Array): Tvb {
  return new Tvb(bytes, L.tree.addDataSource(`Reassembled TCP (${bytes.length} bytes)`, bytes), 0);
}

/** The direction's message context, aimed at this packet and message (every event of a stream goes out through it). */
function contextOf(L: Layers, st: AppStream, dir: Direction, fromServer: boolean, bytes: number): MessageContext {
  return (dir.ctx ??= new MessageContext(st.state, fromServer, st.dissector!.proto.name)).enter(L, bytes);
}

/** Length of the TLS record at data[off]: 5-byte header + payload. */
function tlsRecordLength(data: Uint8Array, off: number): number {
  if (data.length - off < 5) return NEED_MORE;
  if (!TLS_CONTENT_TYPES[data[off]!] || data[off + 1] !== 3) return NOT_A_PDU;
  return 5 + ((data[off + 3]! << 8) | data[off + 4]!);
}

function dissectTlsRecord(L: Layers, st: AppStream, fromServer: boolean, tvb: Tvb): void {
  const { tree, pinfo } = L;
  const F = TLS.f;
  if (!st.tlsSeen) {
    st.tlsSeen = true;
    contextOf(L, st, st.dirs[fromServer ? 1 : 0], fromServer, tvb.length).emit({ kind: 'tls', phase: 'started' });
  }
  const type = tvb.u8(0);
  const name = TLS_CONTENT_TYPES[type] ?? `Unknown (${type})`;
  const item = tree.protocol(null, TLS, tvb, 0, tvb.length, `Transport Layer Security (${st.dissector!.proto.short} connection upgraded)`);
  const rec = tree.add(item, F.record, tvb, 0, tvb.length, null, `TLS Record Layer: ${name}`);
  tree.add(rec, F.contentType, tvb, 0, 1, type);
  tree.item(rec, F.version, tvb, 1, 2);
  tree.item(rec, F.length, tvb, 3, 2);
  if (type === 23 && tvb.length > 5) tree.add(rec, F.appData, tvb, 5, tvb.length - 5, tvb.bytes(5, tvb.length - 5));
  if (pinfo.colProtocol !== 'TLS') { pinfo.colProtocol = 'TLS'; pinfo.colInfo = name; }
  else pinfo.colInfo = pinfo.colInfo ? `${pinfo.colInfo}, ${name}` : name;
}

function continuation(L: Layers, fresh: Tvb): void {
  L.tree.text(null, fresh, 0, fresh.length, `[Continuation data after lost bytes: ${fresh.length} bytes]`);
}

function dissectMessage(L: Layers, st: AppStream, dir: Direction, fromServer: boolean, tvb: Tvb): void {
  const d = st.dissector!;
  const { tree, pinfo } = L;
  const item = tree.protocol(null, d.proto, tvb, 0, tvb.length);
  const ctx = contextOf(L, st, dir, fromServer, tvb.length);
  if (!pinfo.colProtocol || pinfo.colProtocol === 'TCP') {
    // The first message of this frame owns the columns: TCP's Info text goes, as col_clear does.
    pinfo.colProtocol = d.proto.short;
    pinfo.colInfo = '';
  }
  try {
    d.dissect(tvb, item, ctx);
  } catch (e) {
    const why = e instanceof BoundsError ? e.message : `decoder error: ${(e as Error).message ?? String(e)}`;
    tree.malformed(item, d.proto.short, why);
    pinfo.colInfo = pinfo.colInfo ? `${pinfo.colInfo} [Malformed Packet]` : '[Malformed Packet]';
  }
}

/**
 * What a decoder gets with each message: one per direction of a stream, re-aimed at each message
 * (the first pass dissects ~3 messages per frame; a fresh object, closure and event meta each
 * were a tenth of a worker's allocations). A decoder uses it only during its dissect call.
 */
class MessageContext implements AppContext<unknown> {
  pinfo!: PacketInfo;
  tree!: PacketTree;
  private session!: DissectSession;
  private readonly meta: Mutable<EventMeta>;

  constructor(readonly state: unknown, readonly fromServer: boolean, protocol: string) {
    this.meta = { frame: 0, tsSec: 0, tsNsec: 0, stream: -1, protocol, fromServer, bytes: 0 };
  }

  enter(L: Layers, bytes: number): this {
    this.pinfo = L.pinfo;
    this.tree = L.tree;
    this.session = L.session;
    this.meta.bytes = bytes;
    return this;
  }

  /** Bound once: decoders hand `ctx.emit` on as a function. The sink reads the meta during the call only. */
  readonly emit = (event: AppEvent): void => {
    const sink = this.session.onEvent;
    if (!sink) return;
    const p = this.pinfo, m = this.meta;
    m.frame = p.num; m.tsSec = p.tsSec; m.tsNsec = p.tsNsec; m.stream = p.stream;
    sink(uniformEvent(event), m);
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
