/**
 * MySQL / MariaDB protocol decoder (TcpAppDissector): message framing (plain, compressed, then TLS
 * records after an SSL request), and dispatch of each packet by direction and connection phase.
 */
import { MYSQL } from '../../../../../shared/fields/mysql';
import { NEED_MORE, NOT_A_PDU, type AppContext, type TcpAppDissector } from '../../app';
import type { ProtoNode } from '../../tree';
import { Tvb } from '../../tvb';
import { COMPRESSED_HEADER, dissectCompressed, forget } from './compressed';
import {
  dissectAuthSha2, dissectAuthSwitchResponse, dissectGreeting, dissectLogin, dissectPublicKey, dissectSha2Response,
} from './handshake';
import { colFence, colSet } from './info';
import { F, type Msg } from './items';
import { probeMysql } from './probe';
import { dissectInfileData, dissectRequest } from './request';
import { dissectResponse } from './response';
import { newMysqlState, type MysqlState } from './state';

const HEADER = 4;
const TLS_TYPES: Readonly<Record<number, string>> = { 20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data' };

function isTlsRecord(st: MysqlState, d: Uint8Array, off = 0): boolean {
  if (st.tls === 'active') return true;
  return st.tls === 'requested' && d.length - off >= 2 && TLS_TYPES[d[off]!] !== undefined && d[off + 1] === 3;
}

function pduLength(data: Uint8Array, st: MysqlState, off: number): number {
  const have = data.length - off;
  if (isTlsRecord(st, data, off)) {
    if (have < 5) return NEED_MORE;
    if (TLS_TYPES[data[off]!] === undefined || data[off + 1] !== 3) return NOT_A_PDU;
    return 5 + ((data[off + 3]! << 8) | data[off + 4]!);
  }
  const header = st.compression === 'active' ? COMPRESSED_HEADER : HEADER;
  if (have < header) return NEED_MORE;
  return header + (data[off]! | (data[off + 1]! << 8) | (data[off + 2]! << 16));
}

/** One (uncompressed) MySQL packet: header, then by direction and phase. */
function dissectPacket(tvb: Tvb, item: ProtoNode, ctx: AppContext<MysqlState>): void {
  const { tree, state: st } = ctx;
  ctx.pinfo.colProtocol = MYSQL.short;
  tree.item(item, F.packetLength, tvb, 0, 3, 'le');
  const seq = tvb.u8(3);
  tree.add(item, F.packetNumber, tvb, 3, 1, seq);
  const m: Msg = { tvb, tree, item, ctx, st, seq };
  if (ctx.fromServer) {
    if (seq === 0 && st.phase === 'undefined') dissectGreeting(m, HEADER);
    else if (st.phase === 'auth_pubkey') dissectPublicKey(m, HEADER);
    else {
      colSet(st, ctx.pinfo, 'Response ');
      dissectResponse(m, HEADER);
    }
    return;
  }
  if (st.phase === 'login' && (seq === 1 || (seq === 2 && st.tls !== 'none'))) dissectLogin(m, HEADER);
  // A login whose greeting was not captured (tshark 4.0 calls it "Unknown (n)" command).
  else if (st.phase === 'undefined' && seq === 1 && probeMysql(tvb.data, false)) dissectLogin(m, HEADER);
  else if (st.phase === 'auth_switch_response') dissectAuthSwitchResponse(m, HEADER);
  else if (st.phase === 'auth_sha2') dissectAuthSha2(m, HEADER);
  else if (st.phase === 'auth_sha2_response') dissectSha2Response(m, HEADER);
  else if (st.phase === 'infile_data') dissectInfileData(m, HEADER);
  else dissectRequest(m, HEADER);
}

function dissectTls(tvb: Tvb, parent: ProtoNode, ctx: AppContext<MysqlState>): void {
  const { tree, state: st } = ctx;
  if (st.tls !== 'active') {
    st.tls = 'active';
    ctx.emit({ kind: 'tls', phase: 'started' });
  }
  const type = TLS_TYPES[tvb.u8(0)] ?? 'Unknown';
  ctx.pinfo.colProtocol = 'TLS';
  colSet(st, ctx.pinfo, type);
  parent.text = `Transport Layer Security (inside MySQL connection): ${type}`;
  tree.text(parent, tvb, 0, tvb.length, `TLS record: ${type}, ${tvb.length - 5} bytes (encrypted MySQL traffic)`);
}

export const mysqlDissector: TcpAppDissector<MysqlState> = {
  proto: MYSQL,
  ports: [3306],
  newState: newMysqlState,
  probe: probeMysql,
  pduLength: (data, st, _fromServer, off = 0) => pduLength(data, st, off),
  encrypted(st, data, _fromServer, off = 0) {
    if (!isTlsRecord(st, data, off)) return false;
    st.tls = 'active';
    return true;
  },
  dissect(tvb, parent, ctx) {
    const st = ctx.state;
    // (the bytes are looked at only once TLS was asked for: tvb.data makes a view)
    if (st.tls !== 'none' && isTlsRecord(st, tvb.data)) dissectTls(tvb, parent, ctx);
    else if (st.compression === 'active') {
      ctx.pinfo.colProtocol = MYSQL.short;
      colSet(st, ctx.pinfo, ctx.fromServer ? 'Response ' : 'Request');
      dissectCompressed(tvb, parent, ctx, dissectPacket);
    } else dissectPacket(tvb, parent, ctx);
    // Wireshark fences the Info column after a message reassembled from several segments.
    if (tvb.ds !== 0) colFence(st, ctx.pinfo);
  },
  gap(st, fromServer) {
    forget(st, fromServer);
  },
  resync(data, st) {
    return resync(data, st);
  },
};

/**
 * After lost bytes: the first offset where a header is followed by whole packets up to the end of
 * the data or by another plausible header. Scans a bounded window.
 */
function resync(data: Uint8Array, st: MysqlState): number {
  if (st.tls === 'active') {
    for (let i = 0; i + 5 <= data.length && i < 65536; i++) {
      if (TLS_TYPES[data[i]!] !== undefined && data[i + 1] === 3 && data[i + 2]! <= 4) return i;
    }
    return -1;
  }
  const header = st.compression === 'active' ? COMPRESSED_HEADER : HEADER;
  const limit = Math.min(data.length - header, 65536);
  for (let i = 0; i <= limit; i++) {
    if (chainOk(data, i, header)) return i;
  }
  return -1;
}

function chainOk(d: Uint8Array, i: number, header: number): boolean {
  let off = i;
  let count = 0;
  while (count < 3) {
    if (off === d.length) return count > 0;
    if (off + header > d.length) return count > 1;
    const len = d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16);
    if (len === 0 || len > 0x1000000) return false;
    off += header + len;
    count++;
    if (off > d.length) return count > 1;
  }
  return true;
}
