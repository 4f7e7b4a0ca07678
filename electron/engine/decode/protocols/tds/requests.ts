/** Client requests: SQL batch, RPC, transaction manager request, TDS 5.0 tokenized request. */
import { TDS, TDS_SP_NAMES } from '../../../../../shared/fields/tds';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { isSybase, isTds7, lessThanTds7, type TdsState } from './state';
import { cstr, dissectTypeInfo, dissectValue } from './types';

const F = TDS.f;

/**
 * ALL_HEADERS (TDS 7.2+). Like Wireshark, treat it as present when its total length is below 256
 * (a query's first characters read as a length are far larger).
 */
export function dissectAllHeaders(tvb: Tvb, off: number, tree: PacketTree, parent: ProtoNode): number {
  if (tvb.length - off < 4) return off;
  const total = tvb.u32le(off);
  if (total >= 0x100) return off;
  const item = tree.add(parent, F.allHeaders, tvb, off, total, null);
  tree.add(item, F.allHeadersTotalLength, tvb, off, 4, total);
  const end = off + total;
  let cur = off + 4;
  while (cur < end) {
    const len = tvb.u32le(cur);
    const h = tree.text(item, tvb, cur, len, 'Header');
    tree.add(h, F.allHeadersHeaderLength, tvb, cur, 4, len);
    if (len === 0) {
      tree.expert(h, F.invalidLength, 'Warning', 'Empty header', tvb, cur, 4);
      break;
    }
    const type = tvb.u16le(cur + 4);
    tree.add(h, F.allHeadersHeaderType, tvb, cur + 4, 2, type);
    if (type === 2) {
      tree.add(h, F.allHeadersTransDescr, tvb, cur + 6, 8, tvb.u64le(cur + 6));
      tree.item(h, F.allHeadersRequestCnt, tvb, cur + 14, 4, 'le');
    }
    cur += len; // len > 0: progress
  }
  if (cur !== end) {
    tree.expert(item, F.invalidLength, 'Warning', `Sum of headers' lengths differs from total headers length (${total})`, tvb, off, 4);
  }
  return Math.min(end, tvb.length);
}

export function dissectSqlBatch(tvb: Tvb, tree: PacketTree, parent: ProtoNode, st: TdsState): string {
  const node = tree.text(parent, tvb, 0, tvb.length, 'TDS Query Packet');
  const off = dissectAllHeaders(tvb, 0, tree, node);
  const len = tvb.length - off;
  // TDS 7 text is UTF-16LE; TDS 4/5 single-byte. With the version unknown, guess from the second byte.
  const ascii = isSybase(st) || (!isTds7(st) && !lessThanTds7(st) && (len < 2 || tvb.u8(off + 1) !== 0));
  const q = cstr(tvb.str(off, ascii ? len : len & ~1, ascii ? 'latin1' : 'utf16le'));
  tree.add(node, F.query, tvb, off, len, q);
  return q;
}

export interface RpcParam { name: string; value: string }
export interface RpcCall { name: string; params: RpcParam[] }

export function dissectRpc(tvb: Tvb, tree: PacketTree, parent: ProtoNode, st: TdsState): RpcCall[] {
  const node = tree.add(parent, F.rpc, tvb, 0, tvb.length, null);
  let off = dissectAllHeaders(tvb, 0, tree, node);
  const calls: RpcCall[] = [];
  while (off < tvb.length) {
    const call: RpcCall = { name: '', params: [] };
    calls.push(call);
    if (isSybase(st)) {
      const n = tvb.u8(off);
      call.name = tvb.str(off + 1, n, 'latin1');
      tree.add(node, F.rpcNameLength, tvb, off, 1, n);
      tree.add(node, F.rpcName, tvb, off + 1, n, call.name);
      off += 1 + n;
    } else {
      const n = tvb.u16le(off);
      tree.add(node, F.rpcNameLength, tvb, off, 2, n);
      off += 2;
      if (n === 0xffff) {
        const id = tvb.u16le(off);
        tree.add(node, F.rpcProcId, tvb, off, 2, id);
        call.name = TDS_SP_NAMES[id] ?? `proc ${id}`;
        off += 2;
      } else if (n) {
        call.name = cstr(tvb.str(off, n * 2, 'utf16le'));
        tree.add(node, F.rpcName, tvb, off, n * 2, call.name);
        off += n * 2;
      }
    }
    const opts = tvb.u16le(off);
    const o = tree.add(node, F.rpcOptions, tvb, off, 2, opts);
    tree.add(o, F.rpcOptionsWithRecomp, tvb, off, 2, (opts & 1) !== 0);
    tree.add(o, F.rpcOptionsNoMetadata, tvb, off, 2, (opts & 2) !== 0);
    tree.add(o, F.rpcOptionsReuseMetadata, tvb, off, 2, (opts & 4) !== 0);
    off += 2;
    while (off < tvb.length) {
      const n = tvb.u8(off);
      if (n & 0x80) { // batch separator (0x80 / 0xFF) or no-exec flag (0xFE): next call follows
        tree.item(node, F.rpcSeparator, tvb, off, 1);
        off += 1;
        break;
      }
      const start = off;
      const p = tree.add(node, F.rpcParameter, tvb, off, 0, null);
      tree.add(p, F.rpcParameterNameLength, tvb, off, 1, n);
      off += 1;
      const name = cstr(tvb.str(off, n * 2, 'utf16le'));
      if (n) { tree.add(p, F.rpcParameterName, tvb, off, n * 2, name); off += n * 2; }
      const status = tvb.u8(off);
      const s = tree.add(p, F.rpcParameterStatus, tvb, off, 1, status);
      tree.add(s, F.rpcParameterStatusByRef, tvb, off, 1, (status & 1) !== 0);
      tree.add(s, F.rpcParameterStatusDefault, tvb, off, 1, (status & 2) !== 0);
      off += 1;
      const ti = dissectTypeInfo(tvb, off, tree, p);
      off = ti.end;
      if (!ti.info) { p.length = off - start; return calls; } // cannot size the value: stop
      const v = tree.add(p, F.rpcParameterValue, tvb, off, 0, null);
      const val = dissectValue(tvb, off, tree, v, ti.info, st);
      v.length = val.end - off;
      v.text = `Value (${val.text.length > 80 ? `${val.text.slice(0, 80)}…` : val.text})`;
      off = val.end;
      p.length = off - start;
      p.text = `Parameter ${name || `#${call.params.length + 1}`}`;
      call.params.push({ name, value: val.text });
    }
  }
  return calls;
}

const TRANSMGR: Readonly<Record<number, string>> = {
  0: 'TM_GET_DTC_ADDRESS', 1: 'TM_PROPAGATE_XACT', 5: 'TM_BEGIN_XACT', 6: 'TM_PROMOTE_XACT', 7: 'TM_COMMIT_XACT',
  8: 'TM_ROLLBACK_XACT', 9: 'TM_SAVE_XACT',
};

export function dissectTransMgr(tvb: Tvb, tree: PacketTree, parent: ProtoNode): string {
  const node = tree.text(parent, tvb, 0, tvb.length, 'Transaction Manager Request Packet');
  const off = dissectAllHeaders(tvb, 0, tree, node);
  if (tvb.length - off < 2) return 'Transaction Manager Request';
  const t = tvb.u16le(off);
  tree.add(node, F.transmgr, tvb, off, 2, t);
  if (tvb.length - off > 2) tree.add(node, F.transmgrPayload, tvb, off + 2, tvb.length - off - 2, null);
  return TRANSMGR[t] ?? `Transaction Manager Request ${t}`;
}

/** TDS 5.0 tokenized request: LANGUAGE (SQL text), DBRPC, and length-prefixed tokens stepped over. */
export function dissectTds5Request(tvb: Tvb, tree: PacketTree, parent: ProtoNode, st: TdsState): { statement?: string; rpc?: string } {
  const node = tree.text(parent, tvb, 0, tvb.length, 'TDS5 Query Packet');
  const u16 = (o: number) => (st.int2Le ? tvb.u16le(o) : tvb.u16(o));
  const u32 = (o: number) => (st.int4Le ? tvb.u32le(o) : tvb.u32(o));
  const out: { statement?: string; rpc?: string } = {};
  let pos = 0;
  while (pos < tvb.length) {
    const token = tvb.u8(pos);
    if (token === 0x21) {
      const len = u32(pos + 1);
      const t = tree.text(node, tvb, pos, 5 + len, 'Token 0x21 Language');
      tree.add(t, F.langLength, tvb, pos + 1, 4, len);
      tree.item(t, F.langTokenStatus, tvb, pos + 5, 1);
      const text = cstr(tvb.str(pos + 6, Math.max(0, len - 1), 'latin1'));
      tree.add(t, F.langLanguageText, tvb, pos + 6, Math.max(0, len - 1), text);
      out.statement = out.statement ? `${out.statement}\n${text}` : text;
      pos += 5 + len;
    } else if (token === 0xe6) {
      const len = u16(pos + 1);
      const t = tree.add(node, F.dbrpc, tvb, pos, 3 + len, null);
      tree.add(t, F.dbrpcLength, tvb, pos + 1, 2, len);
      const n = tvb.u8(pos + 3);
      tree.add(t, F.dbrpcRpcnameLen, tvb, pos + 3, 1, n);
      out.rpc = tvb.str(pos + 4, n, 'latin1');
      tree.add(t, F.dbrpcRpcname, tvb, pos + 4, n, out.rpc);
      tree.add(t, F.dbrpcOptions, tvb, pos + 4 + n, 2, u16(pos + 4 + n));
      pos += 3 + len;
    } else if ([0xfd, 0xfe, 0xff, 0x79, 0x7c, 0x71, 0x78].includes(token)) {
      const size = token === 0x79 || token === 0x78 ? 4 : token === 0x71 ? 1 : 8;
      tree.text(node, tvb, pos, 1 + size, `Token 0x${token.toString(16)}`);
      tvb.check(pos, 1 + size);
      pos += 1 + size;
    } else if ([0x20, 0x22, 0x23, 0x61, 0xa3, 0xe4].includes(token)) {
      const len = u32(pos + 1);
      tvb.check(pos + 5, len);
      tree.text(node, tvb, pos, 5 + len, `Token 0x${token.toString(16)}`);
      pos += 5 + len;
    } else if (token === 0xd7 || token === 0xd1) {
      // PARAMS / ROW: sized by a preceding format token we do not keep; stop.
      tree.add(node, F.unknownToken, tvb, pos, tvb.length - pos, null, `Token 0x${token.toString(16)}: values not decoded`);
      break;
    } else if ([0xe2, 0xe7, 0xec, 0xee, 0x80, 0x82, 0x83, 0x84, 0x86, 0xa6].includes(token)) {
      const len = u16(pos + 1);
      tvb.check(pos + 3, len);
      tree.text(node, tvb, pos, 3 + len, `Token 0x${token.toString(16)}`);
      pos += 3 + len;
    } else {
      tree.add(node, F.unknownToken, tvb, pos, tvb.length - pos, null, `Token - Unknown (0x${token.toString(16)}): decoding stops here`);
      break;
    }
  }
  return out;
}
