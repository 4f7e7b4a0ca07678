/**
 * TDS over TCP. Each TDS packet (8-byte header + payload, or a raw TLS record once TLS is up) is
 * one PDU for the TCP layer; messages that span several packets (EOM bit clear) are reassembled
 * here and decoded on the packet that completes them, following Wireshark's rules for when a
 * packet counts as a fragment.
 */
import { TDS, TDS_PACKET_TYPES } from '../../../../../shared/fields/tds';
import { NEED_MORE, NOT_A_PDU, type AppContext, type TcpAppDissector } from '../../app';
import { appendInfo } from '../../packet-info';
import type { ProtoNode } from '../../tree';
import { Tvb } from '../../tvb';
import { dissectLogin45, dissectLogin7 } from './login';
import { dissectPrelogin, isPreloginOptionList, looksLikeTls } from './prelogin';
import { dissectRpc, dissectSqlBatch, dissectTds5Request, dissectTransMgr, type RpcCall } from './requests';
import { newTdsState, setVersion, type FragmentBuffer, type TdsState } from './state';
import { UndecodableError } from './types';
import { dissectResponse, newSummary, type ResponseSummary } from './tokens';

const F = TDS.f;
const HEADER = 8;
/** Reassembled messages larger than this are dropped (bounded memory on hostile input). */
const MAX_MESSAGE = 64 * 1024 * 1024;

const TLS_CONTENT: Readonly<Record<number, string>> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};

/** Wireshark's is_valid_tds_type / is_valid_tds_status: only then does it reassemble. */
const validType = (t: number): boolean => (t >= 1 && t < 19) || t === 23;
const VALID_STATUS = new Set([0x00, 0x01, 0x02, 0x03, 0x05, 0x09, 0x11, 0x21]);

function typeName(t: number): string {
  return TDS_PACKET_TYPES[t] ?? `Unknown Packet Type: ${t}`;
}

/** A raw TLS record (after the handshake TLS is not wrapped in TDS packets). */
function tlsRecordLength(data: Uint8Array, off: number): number {
  if (data.length - off < 5) return NEED_MORE;
  return ((data[off + 3]! << 8) | data[off + 4]!) + 5;
}

function isTlsRecordStart(data: Uint8Array, off = 0): boolean {
  return data.length - off >= 3 && data[off]! >= 0x14 && data[off]! <= 0x18 && data[off + 1] === 3 && data[off + 2]! <= 4;
}

export function pduLength(data: Uint8Array, off = 0): number {
  const have = data.length - off;
  if (have < 1) return NEED_MORE;
  if (isTlsRecordStart(data, off) || (data[off] === 0x17 && have < 3)) return tlsRecordLength(data, off);
  if (have < 4) return NEED_MORE;
  const len = (data[off + 2]! << 8) | data[off + 3]!;
  if (len < HEADER) return NOT_A_PDU;
  return len;
}

/** Plausible TDS packet header at data[0]: known type, known status, length ≥ 8. */
function plausibleHeader(data: Uint8Array, off = 0): boolean {
  if (data.length - off < HEADER) return false;
  const len = (data[off + 2]! << 8) | data[off + 3]!;
  return validType(data[off]!) && data[off] !== 23 && VALID_STATUS.has(data[off + 1]!) && len >= HEADER && data[off + 7] === 0;
}

/**
 * Content detection: a PRELOGIN with a well-formed option list, a LOGIN7 carrying a TDS 7 version,
 * a TDS 4/5 login record, or a TDS 5 language request. Other packet types are too weak alone.
 */
export function probe(data: Uint8Array): boolean {
  if (!plausibleHeader(data)) return false;
  const type = data[0]!;
  const len = (data[2]! << 8) | data[3]!;
  const body = data.subarray(HEADER, Math.min(len, data.length));
  if (type === 0x12) return isPreloginOptionList(new Tvb(body)) || (looksLikeTls(body) && body[0] === 0x16);
  if (type === 0x10) return body.length >= 8 && (body[7] === 0x70 || body[7] === 0x71 || body[7] === 0x72 || body[7] === 0x73 || body[7] === 0x74);
  if (type === 0x02) {
    if (data.length < 467) return false;
    const major = data[466];
    return (major === 4 || major === 5) && data[8 + 30]! <= 30 && data[39 + 30]! <= 30 && data[70 + 30]! <= 30 && data[101 + 30]! <= 30;
  }
  if (type === 0x0f) return body[0] === 0x21;
  return false;
}

/** Packet types actually sent by clients and servers (not the "Unused" ones). */
const LIVE_TYPES = new Set([1, 2, 3, 4, 6, 7, 14, 15, 16, 17, 18]);

/** After lost bytes: the next offset where a plausible header (or TLS record) starts. */
export function resync(data: Uint8Array): number {
  for (let i = 0; i + HEADER <= data.length; i++) {
    const len = (data[i + 2]! << 8) | data[i + 3]!;
    if (LIVE_TYPES.has(data[i]!) && len <= 0x8000 && plausibleHeader(data, i)) return i;
    if (isTlsRecordStart(data, i) && data[i] === 0x17) return i;
  }
  return -1;
}

function setColumns(ctx: AppContext<TdsState>, proto: string, info: string): void {
  const p = ctx.pinfo;
  // Several PDUs in one frame: Wireshark appends their Info texts with a comma.
  if (p.colProtocol === proto && p.colInfo) appendInfo(p, info, ',');
  else { p.colProtocol = proto; p.colInfo = info; }
}

function dissectTlsRecord(tvb: Tvb, parent: ProtoNode, ctx: AppContext<TdsState>): void {
  const { tree, state: st } = ctx;
  const content = tvb.u8(0);
  const item = tree.add(parent, F.prelogin, tvb, 0, tvb.length, null, 'Pre-Login Message - TLS exchange');
  let info = `TLS ${TLS_CONTENT[content] ?? 'record'}`;
  if (!st.tlsStarted) { st.tlsStarted = true; ctx.emit({ kind: 'tls', phase: 'started' }); }
  // The first application data from the client after the handshake carries LOGIN7.
  if (!ctx.fromServer && content === 23 && !st.loginPending && !st.loginDone) {
    st.loginPending = true;
    tree.text(item, tvb, 0, tvb.length, 'TDS7 login (encrypted in TLS, not decoded)');
    info = 'TDS7 login (encrypted in TLS)';
    ctx.emit({ kind: 'login', phase: 'attempt' });
  }
  setColumns(ctx, 'TLS', info);
}

/** Collect a fragment; returns the whole message when it completes, null while incomplete. */
function reassemble(st: TdsState, key: string, type: number, seq: number, payload: Uint8Array, last: boolean,
  sequential: boolean): Uint8Array | null {
  let buf = st.fragments.get(key);
  if (!buf || (sequential && buf.parts.size === 0)) {
    buf = { type, parts: new Map(), bytes: 0 } satisfies FragmentBuffer;
    st.fragments.set(key, buf);
  }
  const idx = sequential ? buf.parts.size : seq;
  if (!buf.parts.has(idx)) { buf.parts.set(idx, payload.slice()); buf.bytes += payload.length; }
  if (buf.bytes > MAX_MESSAGE) { st.fragments.delete(key); return null; }
  if (!last) return null;
  st.fragments.delete(key);
  const out = new Uint8Array(buf.bytes);
  let off = 0;
  for (let i = 0; i <= idx; i++) {
    const part = buf.parts.get(i);
    if (!part) return null; // a missing piece: the message cannot be rebuilt
    out.set(part, off);
    off += part.length;
  }
  return out.subarray(0, off);
}

export function dissect(tvb: Tvb, parent: ProtoNode, ctx: AppContext<TdsState>): void {
  const { tree, state: st } = ctx;
  if (looksLikeTls(tvb.data)) { dissectTlsRecord(tvb, parent, ctx); return; }
  const type = tvb.u8(0);
  const status = tvb.u8(1);
  const channel = tvb.u16(4);
  const packetNumber = tvb.u8(6);
  const eom = (status & 1) !== 0;
  tree.item(parent, F.type, tvb, 0, 1);
  const flagNames = ['End of message', 'Ignore this event', 'Event notification', 'Reset connection', 'Reset connection keeping transaction state']
    .filter((_, i) => status & (1 << i));
  const s = tree.add(parent, F.status, tvb, 1, 1, status, `Status: 0x${status.toString(16).padStart(2, '0')}${flagNames.length ? `, ${flagNames.join(', ')}` : ''}`);
  tree.item(s, F.statusEom, tvb, 1, 1);
  tree.item(s, F.statusIgnore, tvb, 1, 1);
  tree.item(s, F.statusEventNotif, tvb, 1, 1);
  tree.item(s, F.statusResetConn, tvb, 1, 1);
  tree.item(s, F.statusResetConnSkipTran, tvb, 1, 1);
  tree.item(parent, F.length, tvb, 2, 2);
  tree.item(parent, F.channel, tvb, 4, 2);
  tree.item(parent, F.packetNumber, tvb, 6, 1);
  tree.item(parent, F.window, tvb, 7, 1);
  let info = typeName(type);
  const payload = tvb.sub(HEADER);

  // A TDS 4/5 login's first packet fixes the byte order and version for the server's answers,
  // even when the rest of the login is never seen.
  if (type === 0x02 && !eom && payload.length >= 462 && peekLogin45(payload, st) && !st.loginPending) {
    st.loginPending = true;
    const n = Math.min(payload.u8(61), 30);
    ctx.emit({ kind: 'login', phase: 'attempt', user: n ? payload.str(31, n, 'latin1') : undefined });
  }

  let message: Tvb | null;
  if (validType(type) && VALID_STATUS.has(status)) {
    const key = `${ctx.fromServer ? 's' : 'c'}:${channel}`;
    if ((!eom && packetNumber === 0 && channel === 0) || st.inOrder) {
      st.inOrder = true;
      if (!eom) info += ' (Not last buffer)';
      message = wrap(tree, reassemble(st, key, type, 0, payload.data, eom, true), payload);
    } else if (packetNumber > 1 || !eom) {
      if (!eom) info += ' (Not last buffer)';
      message = wrap(tree, reassemble(st, key, type, packetNumber - 1, payload.data, eom, false), payload);
    } else {
      message = payload;
    }
  } else {
    message = eom ? payload : null;
  }
  setColumns(ctx, 'TDS', info);
  if (!message) {
    if (payload.length) tree.text(parent, payload, 0, payload.length, `Data (${payload.length} bytes)`);
    return;
  }
  try {
    dissectMessage(type, message, parent, ctx);
  } catch (e) {
    if (!(e instanceof UndecodableError)) throw e;
    tree.add(parent, F.unknownToken, message, 0, message.length, null, `${e.message}: decoding stops here`);
  }
}

function peekLogin45(payload: Tvb, st: TdsState): boolean {
  const version = payload.u32(458);
  if (version >>> 24 !== 4 && version >>> 24 !== 5) return false;
  setVersion(st, version);
  st.int2Le = payload.u8(124) !== 2;
  st.int4Le = payload.u8(125) !== 0;
  st.charUtf16 = false;
  return true;
}

/** The reassembled bytes as their own data source; a single-packet message stays in the frame. */
function wrap(tree: AppContext<TdsState>['tree'], bytes: Uint8Array | null, payload: Tvb): Tvb | null {
  if (!bytes) return null;
  if (bytes.length === payload.length) return payload;
  const ds = tree.addDataSource('Reassembled TDS', bytes);
  return new Tvb(bytes, ds, 0);
}

function dissectMessage(type: number, tvb: Tvb, parent: ProtoNode, ctx: AppContext<TdsState>): void {
  const { tree, state: st } = ctx;
  switch (type) {
    case 0x01: {
      const q = dissectSqlBatch(tvb, tree, parent, st);
      ctx.emit({ kind: 'request', command: 'SQL batch', statement: q });
      return;
    }
    case 0x02: {
      const r = dissectLogin45(tvb, tree, parent, st);
      if (!st.loginPending) ctx.emit({ kind: 'login', phase: 'attempt', user: r.user }); // else announced by its first packet
      st.loginPending = true;
      return;
    }
    case 0x03: {
      const calls = dissectRpc(tvb, tree, parent, st);
      const names = calls.map((c) => c.name).filter(Boolean);
      const req = rpcRequest(calls);
      ctx.emit({ kind: 'request', command: 'Remote Procedure Call', statement: req.statement, params: req.params });
      if (names.length) ctx.pinfo.colInfo += `: ${names.join(', ')}`;
      return;
    }
    case 0x04: return dissectServerMessage(tvb, parent, ctx);
    case 0x06:
      // The server acknowledges an attention with its own DONE (ATTN bit) message.
      ctx.emit({ kind: 'request', command: 'Attention', statement: '' });
      return;
    case 0x0e: {
      const what = dissectTransMgr(tvb, tree, parent);
      ctx.emit({ kind: 'request', command: 'Transaction Manager Request', statement: what });
      return;
    }
    case 0x0f: {
      const r = dissectTds5Request(tvb, tree, parent, st);
      if (r.statement !== undefined || r.rpc !== undefined) {
        ctx.emit({ kind: 'request', command: r.rpc !== undefined ? 'DBRPC' : 'Language', statement: r.statement ?? r.rpc ?? '' });
      }
      return;
    }
    case 0x10: {
      const r = dissectLogin7(tvb, tree, parent, st);
      st.loginPending = true;
      ctx.emit({ kind: 'login', phase: 'attempt', user: r.user, database: r.database });
      return;
    }
    case 0x11:
      tree.text(parent, tvb, 0, tvb.length, `SSPI message (${tvb.length} bytes, not decoded)`);
      return;
    case 0x12: {
      if (st.version === 0xffff) setVersion(st, 0x07000000); // at least TDS 7.0
      const r = dissectPrelogin(tvb, tree, parent);
      preloginEvents(r, ctx);
      return;
    }
    default:
      tree.item(parent, F.unknownPacket, tvb, 0, tvb.length);
  }
}

/** Position of the SQL text among the parameters of the system procedures that carry one. */
const SQL_PARAM: Readonly<Record<string, number>> = {
  sp_executesql: 0, sp_prepexec: 2, sp_prepare: 2, sp_cursoropen: 1, sp_cursorprepexec: 3, sp_cursorprepare: 2,
};
/** Where the bound values start (after the SQL text and its parameter declarations). */
const FIRST_VALUE: Readonly<Record<string, number>> = { sp_executesql: 2, sp_prepexec: 3, sp_cursorprepexec: 5 };

/** The statement of an RPC: the SQL text for sp_executesql & co., else the procedure name; params are the values. */
function rpcRequest(calls: RpcCall[]): { statement: string; params: string[] } {
  const statements: string[] = [];
  const params: string[] = [];
  for (const c of calls) {
    const at = SQL_PARAM[c.name];
    const sql = at !== undefined ? c.params[at]?.value : undefined;
    statements.push(sql !== undefined ? sql : c.name);
    const from = sql !== undefined ? FIRST_VALUE[c.name] ?? c.params.length : 0;
    for (const p of c.params.slice(from)) params.push(p.name ? `${p.name}=${p.value}` : p.value);
  }
  return { statement: statements.join('; '), params };
}

function preloginEvents(r: { tls: boolean; encryption?: number; version?: number }, ctx: AppContext<TdsState>): void {
  const st = ctx.state;
  if (r.tls) {
    if (!st.tlsStarted) { st.tlsStarted = true; ctx.emit({ kind: 'tls', phase: 'started' }); }
    return;
  }
  if (r.encryption === undefined) return;
  if (!ctx.fromServer) {
    st.clientEncryption = r.encryption;
    if (r.encryption !== 2) ctx.emit({ kind: 'tls', phase: 'requested' });
  } else {
    st.serverEncryption = r.encryption;
    if (st.clientEncryption !== 2 && r.encryption !== undefined) {
      ctx.emit({ kind: 'tls', phase: r.encryption === 2 ? 'refused' : 'accepted' });
    }
  }
}

function dissectServerMessage(tvb: Tvb, parent: ProtoNode, ctx: AppContext<TdsState>): void {
  const { tree, state: st } = ctx;
  // The answer to PRELOGIN comes in a Response packet: recognise it by its option table.
  if (isPreloginOptionList(tvb)) {
    const r = dissectPrelogin(tvb, tree, parent);
    if (r.version !== undefined) setVersion(st, r.version);
    preloginEvents(r, ctx);
    return;
  }
  const sum = newSummary();
  try {
    dissectResponse(tvb, tree, parent, st, sum);
  } finally {
    // Even when a token is malformed (the driver then marks the packet), report what was decoded.
    responseEvents(sum, ctx);
  }
}

function responseEvents(sum: ResponseSummary, ctx: AppContext<TdsState>): void {
  const st = ctx.state;
  if (st.loginPending) {
    if (sum.loginAck) {
      st.loginPending = false;
      st.loginDone = true;
      ctx.emit({ kind: 'login', phase: 'ok' });
    } else if (sum.error) {
      st.loginPending = false;
      ctx.emit({ kind: 'login', phase: 'error', errorCode: String(sum.error.number), errorMessage: sum.error.message });
    }
    return;
  }
  ctx.emit({
    kind: 'response',
    status: sum.error ? 'error' : 'ok',
    errorCode: sum.error ? String(sum.error.number) : undefined,
    errorMessage: sum.error?.message,
    rows: sum.rows,
    // A response is one TDS message: when its tokens could not all be read, its end still ends it.
    final: sum.complete && sum.sawDone ? sum.final : true,
  });
}

export const tdsDissector: TcpAppDissector<TdsState> = {
  proto: TDS,
  ports: [1433, 2433],
  newState: newTdsState,
  probe: (data) => probe(data),
  pduLength: (data, _state, _fromServer, off = 0) => pduLength(data, off),
  dissect,
  gap(st, fromServer) {
    for (const k of [...st.fragments.keys()]) if (k.startsWith(fromServer ? 's:' : 'c:')) st.fragments.delete(k);
  },
  resync: (data) => resync(data),
};
