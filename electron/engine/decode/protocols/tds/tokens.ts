/**
 * The tabular response (packet type 4): a stream of tokens. Known tokens are decoded; an unknown
 * token (whose length cannot be known) stops the stream with an item, as Wireshark does.
 * Returns a summary for the transaction events.
 */
import { TDS, TDS_ENVCHANGE_TYPES } from '../../../../../shared/fields/tds';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { isSybase, setVersion, tds71OrLess, tds72OrGreater, V_UNKNOWN, type TdsState } from './state';
import { cstr, dissectValue, UndecodableError, typeName, isKnownType, type TypeInfo } from './types';

const F = TDS.f;

export interface ResponseSummary {
  error?: { number: number; message: string };
  loginAck: boolean;
  /** Sum of the valid DONE row counts. */
  rows?: number;
  /** A DONE/DONEPROC was seen and the last one had no MORE bit. */
  final: boolean;
  sawDone: boolean;
  tokens: number;
  /** Every token up to the end of the message was decoded. */
  complete: boolean;
}

interface Column { info: TypeInfo; name: string }
interface Ctx { tvb: Tvb; tree: PacketTree; st: TdsState; sum: ResponseSummary; columns: Column[] }

export function newSummary(): ResponseSummary {
  return { loginAck: false, final: false, sawDone: false, tokens: 0, complete: false };
}

/** Decode the token stream into `sum` (filled as tokens are read, so it is useful even after a bounds error). */
export function dissectResponse(tvb: Tvb, tree: PacketTree, parent: ProtoNode, st: TdsState, sum: ResponseSummary): void {
  const ctx: Ctx = { tvb, tree, st, sum, columns: [] };
  let pos = 0;
  while (pos < tvb.length) {
    const token = tvb.u8(pos);
    let size: number;
    try {
      size = isSybase(st) ? sybaseToken(ctx, parent, pos, token) : tds7Token(ctx, parent, pos, token);
    } catch (e) {
      if (!(e instanceof UndecodableError)) throw e;
      tree.add(parent, F.unknownToken, tvb, pos, tvb.length - pos, null, `${e.message}: decoding of this message stops here`);
      return;
    }
    if (size <= 0) break; // unknown token: its length is unknown, stop here
    sum.tokens++;
    pos += size;
  }
  sum.complete = pos >= tvb.length;
}

/** Stop at a token we cannot size: an item that says so, as Wireshark's "Token - Unknown". */
function unknownToken(ctx: Ctx, parent: ProtoNode, pos: number, token: number): number {
  ctx.tree.add(parent, F.unknownToken, ctx.tvb, pos, ctx.tvb.length - pos, null,
    `Token - Unknown (0x${token.toString(16).padStart(2, '0')}): decoding of this message stops here`);
  return 0;
}

function tokenItem(ctx: Ctx, parent: ProtoNode, def: (typeof F)[keyof typeof F], pos: number, text?: string): ProtoNode {
  return ctx.tree.add(parent, def, ctx.tvb, pos, 1, null, text);
}

function finish(node: ProtoNode, start: number, end: number): number {
  node.length = end - start;
  return end - start;
}

function tds7Token(ctx: Ctx, parent: ProtoNode, pos: number, token: number): number {
  switch (token) {
    case 0x81: return colMetadata(ctx, parent, pos);
    case 0xfd: return done(ctx, parent, pos, 'done');
    case 0xfe: return done(ctx, parent, pos, 'doneproc');
    case 0xff: return done(ctx, parent, pos, 'doneinproc');
    case 0xe3: return envChange(ctx, parent, pos);
    case 0xaa: return errorInfo(ctx, parent, pos, true);
    case 0xab: return errorInfo(ctx, parent, pos, false);
    case 0xae: return featureExtAck(ctx, parent, pos);
    case 0xad: return loginAck(ctx, parent, pos);
    case 0xd1: return row(ctx, parent, pos, false);
    case 0xd2: return row(ctx, parent, pos, true);
    case 0x78: return offsetToken(ctx, parent, pos);
    case 0xa9: return order(ctx, parent, pos);
    case 0x79: return returnStatus(ctx, parent, pos);
    case 0xac: return returnValue(ctx, parent, pos);
    case 0xe4: return sessionState(ctx, parent, pos);
    case 0xed: return sspi(ctx, parent, pos);
    case 0xa4: case 0xa5: return skipUshort(ctx, parent, pos, token === 0xa4 ? 'Token - TabName' : 'Token - ColInfo');
    default: return unknownToken(ctx, parent, pos, token);
  }
}

/** TDS 4.2/5.0 tokens (Sybase numbering); lengths follow the negotiated byte order. */
function sybaseToken(ctx: Ctx, parent: ProtoNode, pos: number, token: number): number {
  const { tvb, st } = ctx;
  const u16 = (o: number) => (st.int2Le ? tvb.u16le(o) : tvb.u16(o));
  const u32 = (o: number) => (st.int4Le ? tvb.u32le(o) : tvb.u32(o));
  switch (token) {
    case 0xfd: return done(ctx, parent, pos, 'done');
    case 0xfe: return done(ctx, parent, pos, 'doneproc');
    case 0xff: return done(ctx, parent, pos, 'doneinproc');
    case 0xe3: return envChange(ctx, parent, pos);
    case 0xab: return errorInfo(ctx, parent, pos, false);
    case 0xad: return loginAck(ctx, parent, pos);
    case 0xa9: return order(ctx, parent, pos);
    case 0x79: return returnStatus(ctx, parent, pos);
    case 0xe5: return eed(ctx, parent, pos);
    case 0xe2: {
      const node = tokenItem(ctx, parent, F.capability, pos);
      const len = u16(pos + 1);
      ctx.tree.add(node, F.capabilityLength, tvb, pos + 1, 2, len);
      tvb.check(pos + 3, len);
      return finish(node, pos, pos + 3 + len);
    }
    // Length-prefixed tokens we step over: 2-byte length (most), 4-byte (the "2" variants).
    case 0xee: case 0xa0: case 0xa1: case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xa8: case 0xe6: case 0xe7:
    case 0xec: case 0x80: case 0x82: case 0x83: case 0x84: case 0x86: case 0xaa: case 0xae: {
      const len = u16(pos + 1);
      tvb.check(pos + 3, len);
      ctx.tree.text(parent, tvb, pos, 3 + len, `Token 0x${token.toString(16)} (${len} bytes)`);
      return 3 + len;
    }
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x61: case 0xa3: {
      const len = u32(pos + 1);
      tvb.check(pos + 5, len);
      ctx.tree.text(parent, tvb, pos, 5 + len, `Token 0x${token.toString(16)} (${len} bytes)`);
      return 5 + len;
    }
    default: return unknownToken(ctx, parent, pos, token);
  }
}

const DONE_DEFS = {
  done: { node: F.done, status: F.doneStatus, curcmd: F.doneCurcmd, rc32: F.doneRowcount, rc64: F.doneRowcount64, label: 'Token - Done' },
  doneproc: { node: F.doneproc, status: F.doneprocStatus, curcmd: F.doneprocCurcmd, rc32: F.doneprocRowcount, rc64: F.doneprocRowcount64, label: 'Token - DoneProc' },
  doneinproc: { node: F.doneinproc, status: F.doneinprocStatus, curcmd: F.doneinprocCurcmd, rc32: F.doneinprocRowcount, rc64: F.doneinprocRowcount64, label: 'Token - DoneInProc' },
} as const;

const DONE_FLAGS: readonly [number, string][] = [
  [0x1, 'More'], [0x2, 'Error'], [0x4, 'In Transaction'], [0x8, 'Procedure'], [0x10, 'Row count valid'],
  [0x20, 'Acknowledge ATTN'], [0x40, 'Event'], [0x80, 'RPC in batch'], [0x100, 'Server Error'],
];

function done(ctx: Ctx, parent: ProtoNode, pos: number, kind: keyof typeof DONE_DEFS): number {
  const { tvb, tree, st, sum } = ctx;
  const d = DONE_DEFS[kind];
  const node = tokenItem(ctx, parent, d.node, pos, d.label);
  const status = st.int2Le ? tvb.u16le(pos + 1) : tvb.u16(pos + 1);
  const flags = DONE_FLAGS.filter(([b]) => status & b).map(([, n]) => n).join(', ');
  const st16 = tree.add(node, d.status, tvb, pos + 1, 2, status & (d.status.mask ?? 0xffff),
    `Status flags: 0x${status.toString(16).padStart(3, '0')}${flags ? `, ${flags}` : ''}`);
  tree.add(st16, F.doneStatusMore, tvb, pos + 1, 2, (status & 0x1) !== 0);
  tree.add(st16, F.doneStatusError, tvb, pos + 1, 2, (status & 0x2) !== 0);
  tree.add(st16, F.doneStatusInxact, tvb, pos + 1, 2, (status & 0x4) !== 0);
  if (kind !== 'doneinproc') tree.add(st16, F.doneStatusProc, tvb, pos + 1, 2, (status & 0x8) !== 0);
  tree.add(st16, F.doneStatusCount, tvb, pos + 1, 2, (status & 0x10) !== 0);
  tree.add(st16, F.doneStatusAttn, tvb, pos + 1, 2, (status & 0x20) !== 0);
  tree.add(st16, F.doneStatusEvent, tvb, pos + 1, 2, (status & 0x40) !== 0);
  if (kind === 'doneproc') tree.add(st16, F.doneStatusRpcinbatch, tvb, pos + 1, 2, (status & 0x80) !== 0);
  tree.add(st16, F.doneStatusSrverror, tvb, pos + 1, 2, (status & 0x100) !== 0);
  tree.add(node, d.curcmd, tvb, pos + 3, 2, st.int2Le ? tvb.u16le(pos + 3) : tvb.u16(pos + 3));
  let count: number;
  let end: number;
  // TDS 7.2 raised the row count to 64 bits. With the version unknown Wireshark assumes 64 bits;
  // we do too, except when exactly 4 bytes remain, where only a 32-bit count can be right.
  if (tds71OrLess(st) || (st.version === V_UNKNOWN && tvb.length - (pos + 5) === 4)) {
    count = st.int4Le ? tvb.u32le(pos + 5) : tvb.u32(pos + 5);
    tree.add(node, d.rc32, tvb, pos + 5, 4, count);
    end = pos + 9;
  } else {
    const c = tvb.u64le(pos + 5);
    tree.add(node, d.rc64, tvb, pos + 5, 8, c <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(c) : c);
    count = Number(c);
    end = pos + 13;
  }
  if (kind !== 'doneinproc') { // DONEINPROC ends a statement inside a procedure, never the response
    sum.sawDone = true;
    sum.final = (status & 0x1) === 0;
  }
  if (status & 0x10) sum.rows = (sum.rows ?? 0) + count;
  if ((status & 0x2) && !sum.error) sum.error = { number: 0, message: 'DONE with error status' };
  return finish(node, pos, end);
}

/** A B_VARCHAR-style string: a count of characters, UTF-16LE in TDS 7, single bytes in TDS 4/5. */
function charLen(st: TdsState, n: number): number { return st.charUtf16 ? n * 2 : n; }
function readChars(ctx: Ctx, off: number, n: number): string {
  return cstr(ctx.tvb.str(off, charLen(ctx.st, n), ctx.st.charUtf16 ? 'utf16le' : 'latin1'));
}

function envChange(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree, st } = ctx;
  const node = tokenItem(ctx, parent, F.envchange, pos);
  const len = st.int2Le ? tvb.u16le(pos + 1) : tvb.u16(pos + 1);
  tree.add(node, F.envchangeLength, tvb, pos + 1, 2, len);
  const end = pos + 3 + len;
  tvb.check(pos + 3, len);
  const type = tvb.u8(pos + 3);
  tree.item(node, F.envchangeType, tvb, pos + 3, 1);
  node.text = `Token - EnvChange: ${TDS_ENVCHANGE_TYPES[type] ?? `type ${type}`}`;
  let cur = pos + 4;
  const sub = tvb.sub(0, end); // the value fields must stay within the token's declared length
  const stringValue = (lenDef: typeof F.envchangeNewvalueLength, strDef: typeof F.envchangeNewvalueString) => {
    const n = sub.u8(cur);
    tree.add(node, lenDef, sub, cur, 1, n);
    cur += 1;
    if (n > 0) {
      const bytes = charLen(st, n);
      tree.add(node, strDef, sub, cur, bytes, cstr(sub.str(cur, bytes, st.charUtf16 ? 'utf16le' : 'latin1')));
      cur += bytes;
    }
  };
  const bytesValue = (lenDef: typeof F.envchangeNewvalueLength, bDef: typeof F.envchangeNewvalue) => {
    const n = sub.u8(cur);
    tree.add(node, lenDef, sub, cur, 1, n);
    cur += 1;
    if (n > 0) { tree.item(node, bDef, sub, cur, n); cur += n; }
  };
  if ([1, 2, 3, 4, 5, 6, 13, 19].includes(type)) stringValue(F.envchangeNewvalueLength, F.envchangeNewvalueString);
  else if (type === 7) {
    const n = sub.u8(cur);
    tree.add(node, F.envchangeNewvalueLength, sub, cur, 1, n);
    cur += 1;
    if (n >= 5) {
      tree.item(node, F.envchangeCollateCodepage, sub, cur, 2, 'le');
      tree.item(node, F.envchangeCollateFlags, sub, cur + 2, 2, 'le');
      tree.item(node, F.envchangeCollateCharsetId, sub, cur + 4, 1);
    }
    cur += n;
  } else if ([8, 12, 16].includes(type)) bytesValue(F.envchangeNewvalueLength, F.envchangeNewvalue);
  else if ([9, 10, 11, 17, 18].includes(type)) { tree.item(node, F.envchangeNewvalueLength, sub, cur, 1); cur += 1; }
  if ([1, 2, 3, 4].includes(type)) stringValue(F.envchangeOldvalueLength, F.envchangeOldvalueString);
  else if ([5, 6, 8, 12, 13, 15, 16, 18, 19].includes(type)) { tree.item(node, F.envchangeOldvalueLength, sub, cur, 1); cur += 1; }
  else if ([7, 9, 10, 11, 17].includes(type)) bytesValue(F.envchangeOldvalueLength, F.envchangeOldvalue);
  if (type === 4 && st.version !== 0) { /* packet size change: nothing to track, TDS packets carry their own lengths */ }
  return finish(node, pos, end);
}

function errorInfo(ctx: Ctx, parent: ProtoNode, pos: number, isError: boolean): number {
  const { tvb, tree, st, sum } = ctx;
  const D = isError
    ? { node: F.error, len: F.errorLength, num: F.errorNumber, state: F.errorState, cls: F.errorClass, mlen: F.errorMsgtextLength, msg: F.errorMsgtext, slen: F.errorServernameLength, srv: F.errorServername, plen: F.errorProcnameLength, proc: F.errorProcname, line: F.errorLinenumber, label: 'Token - Error' }
    : { node: F.info, len: F.infoLength, num: F.infoNumber, state: F.infoState, cls: F.infoClass, mlen: F.infoMsgtextLength, msg: F.infoMsgtext, slen: F.infoServernameLength, srv: F.infoServername, plen: F.infoProcnameLength, proc: F.infoProcname, line: F.infoLinenumber, label: 'Token - Info' };
  const node = tokenItem(ctx, parent, D.node, pos, D.label);
  const len = st.int2Le ? tvb.u16le(pos + 1) : tvb.u16(pos + 1);
  tree.add(node, D.len, tvb, pos + 1, 2, len);
  let cur = pos + 3;
  const num = st.int4Le ? tvb.u32le(cur) : tvb.u32(cur);
  tree.add(node, D.num, tvb, cur, 4, num);
  tree.item(node, D.state, tvb, cur + 4, 1);
  tree.item(node, D.cls, tvb, cur + 5, 1);
  cur += 6;
  const mlen = st.int2Le ? tvb.u16le(cur) : tvb.u16(cur);
  tree.add(node, D.mlen, tvb, cur, 2, mlen, `Error message length: ${mlen} characters`);
  cur += 2;
  const msg = readChars(ctx, cur, mlen);
  tree.add(node, D.msg, tvb, cur, charLen(st, mlen), msg);
  cur += charLen(st, mlen);
  for (const [lenDef, strDef] of [[D.slen, D.srv], [D.plen, D.proc]] as const) {
    const n = tvb.u8(cur);
    tree.add(node, lenDef, tvb, cur, 1, n, `${lenDef.label}: ${n} characters`);
    cur += 1;
    if (n) { tree.add(node, strDef, tvb, cur, charLen(st, n), readChars(ctx, cur, n)); cur += charLen(st, n); }
  }
  if (tds71OrLess(st)) { tree.add(node, D.line, tvb, cur, 2, st.int2Le ? tvb.u16le(cur) : tvb.u16(cur)); cur += 2; }
  else { tree.add(node, D.line, tvb, cur, 4, tvb.u32le(cur)); cur += 4; }
  node.text = `${D.label}: ${num}`;
  if (isError && !sum.error) sum.error = { number: num, message: msg };
  return finish(node, pos, cur);
}

/** Sybase EED (extended error): errors of class > 10 count as errors. */
function eed(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree, st, sum } = ctx;
  const u16 = (o: number) => (st.int2Le ? tvb.u16le(o) : tvb.u16(o));
  const node = tokenItem(ctx, parent, F.eed, pos);
  const len = u16(pos + 1);
  tree.add(node, F.eedLength, tvb, pos + 1, 2, len);
  const end = pos + 3 + len;
  const t = tvb.sub(0, end);
  let cur = pos + 3;
  const num = st.int4Le ? t.u32le(cur) : t.u32(cur);
  tree.add(node, F.eedNumber, t, cur, 4, num);
  tree.item(node, F.eedState, t, cur + 4, 1);
  const cls = t.u8(cur + 5);
  tree.item(node, F.eedClass, t, cur + 5, 1);
  cur += 6;
  const sl = t.u8(cur);
  tree.item(node, F.eedSqlState, t, cur + 1, sl);
  cur += 1 + sl;
  tree.add(node, F.eedStatus, t, cur, 1, t.u8(cur) !== 0);
  tree.add(node, F.eedTranstate, t, cur + 1, 2, st.int2Le ? t.u16le(cur + 1) : t.u16(cur + 1));
  cur += 3;
  const ml = st.int2Le ? t.u16le(cur) : t.u16(cur);
  const msg = t.str(cur + 2, ml, 'latin1');
  tree.add(node, F.eedMsgtext, t, cur + 2, ml, msg);
  cur += 2 + ml;
  const srvl = t.u8(cur);
  tree.add(node, F.eedServername, t, cur + 1, srvl, t.str(cur + 1, srvl, 'latin1'));
  cur += 1 + srvl;
  const pl = t.u8(cur);
  tree.add(node, F.eedProcname, t, cur + 1, pl, t.str(cur + 1, pl, 'latin1'));
  cur += 1 + pl;
  tree.add(node, F.eedLinenumber, t, cur, 2, st.int2Le ? t.u16le(cur) : t.u16(cur));
  if (cls > 10 && !sum.error) sum.error = { number: num, message: msg };
  return finish(node, pos, end);
}

function loginAck(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree, st, sum } = ctx;
  const node = tokenItem(ctx, parent, F.loginack, pos);
  const len = st.int2Le ? tvb.u16le(pos + 1) : tvb.u16(pos + 1);
  tree.add(node, F.loginackLength, tvb, pos + 1, 2, len);
  tree.item(node, F.loginackInterface, tvb, pos + 3, 1);
  const version = tvb.u32(pos + 4);
  tree.add(node, F.loginackTdsversion, tvb, pos + 4, 4, version);
  setVersion(st, version);
  let cur = pos + 8;
  const n = tvb.u8(cur);
  cur += 1;
  tree.add(node, F.loginackProgname, tvb, cur, charLen(st, n), readChars(ctx, cur, n));
  cur += charLen(st, n);
  const pv = tvb.u32(cur);
  tree.add(node, F.loginackProgversion, tvb, cur, 4, pv,
    `Server Version: ${pv >>> 24}.${(pv >>> 16) & 0xff}.${pv & 0xffff}`);
  sum.loginAck = true;
  return finish(node, pos, Math.max(cur + 4, pos + 3 + len));
}

function colMetadata(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree, st } = ctx;
  const node = tokenItem(ctx, parent, F.colmetadata, pos);
  const count = tvb.u16le(pos + 1);
  tree.add(node, F.colmetadataColumns, tvb, pos + 1, 2, count);
  let cur = pos + 3;
  ctx.columns = [];
  if (count === 0xffff) return finish(node, pos, cur); // NoMetaData: the client reuses what it has
  for (let i = 0; i < count; i++) {
    const colStart = cur;
    const col = tree.add(node, F.colmetadataField, tvb, cur, 0, null, `Column ${i + 1}`);
    if (tds71OrLess(st)) { tree.add(col, F.colmetadataUsertype, tvb, cur, 2, tvb.u16le(cur)); cur += 2; }
    else { tree.add(col, F.colmetadataUsertype, tvb, cur, 4, tvb.u32le(cur)); cur += 4; }
    const flags = tvb.u16le(cur);
    const fl = tree.add(col, F.colmetadataFlags, tvb, cur, 2, flags);
    tree.add(fl, F.colmetadataFlagsNullable, tvb, cur, 2, (flags & 0x1) !== 0);
    cur += 2;
    const type = tvb.u8(cur);
    tree.add(col, F.colmetadataType, tvb, cur, 1, type, `Type: ${type} (${typeName(type)})`);
    cur += 1;
    const info: TypeInfo = { type, maxLen: -1, precision: 0, scale: 0, plp: false };
    cur = colTypeInfo(ctx, col, cur, info);
    const n = tvb.u8(cur);
    tree.add(col, F.colmetadataColnameLength, tvb, cur, 1, n);
    cur += 1;
    const name = cstr(tvb.str(cur, n * 2, 'utf16le'));
    if (n) tree.add(col, F.colmetadataColname, tvb, cur, n * 2, name);
    cur += n * 2;
    col.length = cur - colStart;
    if (name) col.text = `Column ${i + 1}: ${name} (${typeName(type)})`;
    ctx.columns.push({ info, name });
  }
  return finish(node, pos, cur);
}

/** The per-column TYPE_INFO inside COLMETADATA (lengths, precision/scale, collation, table names). */
function colTypeInfo(ctx: Ctx, col: ProtoNode, cur: number, info: TypeInfo): number {
  const { tvb, tree } = ctx;
  const t = info.type;
  const collation = () => {
    tree.item(col, F.colmetadataCollateCodepage, tvb, cur, 2, 'le');
    tree.item(col, F.colmetadataCollateFlags, tvb, cur + 2, 2, 'le');
    tree.item(col, F.colmetadataCollateCharsetId, tvb, cur + 4, 1);
    cur += 5;
  };
  const tableName = () => {
    const parts = tvb.u8(cur);
    tree.add(col, F.colmetadataTableNameParts, tvb, cur, 1, parts);
    cur += 1;
    for (let p = 0; p < parts; p++) {
      const n = tvb.u16le(cur);
      tree.add(col, F.colmetadataTableNameLength, tvb, cur, 2, n);
      tree.add(col, F.colmetadataTableName, tvb, cur + 2, n * 2, tvb.str(cur + 2, n * 2, 'utf16le'));
      cur += 2 + n * 2;
    }
  };
  if (!isKnownType(t)) throw new UndecodableError(`unknown column type 0x${t.toString(16)}`);
  switch (t) {
    case 0x24: case 0x26: case 0x68: case 0x6d: case 0x6e: case 0x6f: case 0x2f: case 0x27: case 0x2d: case 0x25:
      info.maxLen = tvb.u8(cur); tree.add(col, F.colmetadataTypeSize, tvb, cur, 1, info.maxLen); cur += 1; break;
    case 0x37: case 0x3f: case 0x6a: case 0x6c:
      info.maxLen = tvb.u8(cur); tree.add(col, F.colmetadataTypeSize, tvb, cur, 1, info.maxLen);
      info.precision = tvb.u8(cur + 1); tree.add(col, F.colmetadataPrecision, tvb, cur + 1, 1, info.precision);
      info.scale = tvb.u8(cur + 2); tree.add(col, F.colmetadataScale, tvb, cur + 2, 1, info.scale);
      cur += 3; break;
    case 0x29: case 0x2a: case 0x2b:
      info.scale = tvb.u8(cur); tree.add(col, F.colmetadataScale, tvb, cur, 1, info.scale); cur += 1; break;
    case 0xa5: case 0xad: case 0xa7: case 0xaf: case 0xe7: case 0xef:
      info.maxLen = tvb.u16le(cur);
      tree.add(col, F.colmetadataLargeTypeSize, tvb, cur, 2, info.maxLen);
      cur += 2;
      if (info.maxLen === 0xffff && (t === 0xa5 || t === 0xa7 || t === 0xe7)) info.plp = true;
      if (t !== 0xa5 && t !== 0xad) collation();
      break;
    case 0x23: case 0x63: case 0x22:
      info.maxLen = tvb.u32le(cur);
      cur += 4;
      if (t !== 0x22) collation();
      tableName();
      break;
    case 0xf1: {
      info.plp = true;
      const schema = tvb.u8(cur);
      cur += 1;
      if (schema) {
        for (let k = 0; k < 2; k++) { cur += 1 + tvb.u8(cur) * 2; }
        cur += 2 + tvb.u16le(cur) * 2;
        tvb.check(0, cur);
      }
      break;
    }
    case 0xf0: {
      info.plp = true;
      cur += 2;
      for (let k = 0; k < 3; k++) { cur += 1 + tvb.u8(cur) * 2; }
      cur += 2 + tvb.u16le(cur) * 2;
      tvb.check(0, cur);
      break;
    }
    case 0x62: info.maxLen = tvb.u32le(cur); cur += 4; break;
    default: break; // fixed-length types carry no TYPE_VARLEN
  }
  return cur;
}

function row(ctx: Ctx, parent: ProtoNode, pos: number, nbc: boolean): number {
  const { tvb, tree, st } = ctx;
  const node = tokenItem(ctx, parent, nbc ? F.nbcrow : F.row, pos, nbc ? 'Token - NBCRow' : 'Token - Row');
  let cur = pos + 1;
  const cols = ctx.columns;
  const bitmapStart = cur;
  if (nbc) cur += Math.ceil(cols.length / 8);
  tvb.check(bitmapStart, cur - bitmapStart);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i]!;
    if (nbc && (tvb.u8(bitmapStart + (i >> 3)) & (1 << (i & 7)))) continue;
    const field = tree.add(node, F.rowField, tvb, cur, 0, null);
    if (c.name) tree.generated(field, F.varbyteColumnName, c.name, undefined, tvb.ds, tvb.base + cur);
    if (c.info.type === 0x62) throw new UndecodableError('sql_variant values are not decoded');
    const v = dissectValue(tvb, cur, tree, field, c.info, st);
    field.length = v.end - cur;
    field.text = `Field ${i + 1} (${v.text.length > 80 ? `${v.text.slice(0, 80)}…` : v.text})`;
    cur = v.end;
  }
  return finish(node, pos, cur);
}

function offsetToken(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const node = tokenItem(ctx, parent, F.offset, pos);
  ctx.tree.item(node, F.offsetId, ctx.tvb, pos + 1, 2, 'le');
  ctx.tree.item(node, F.offsetLen, ctx.tvb, pos + 3, 2, 'le');
  return finish(node, pos, pos + 5);
}

function order(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree, st } = ctx;
  const node = tokenItem(ctx, parent, F.order, pos);
  const len = st.int2Le ? tvb.u16le(pos + 1) : tvb.u16(pos + 1);
  tree.add(node, F.orderLength, tvb, pos + 1, 2, len);
  tvb.check(pos + 3, len);
  const width = isSybase(ctx.st) ? 1 : 2;
  for (let i = 0; i + width <= len; i += width) {
    tree.add(node, F.orderColnum, tvb, pos + 3 + i, width, width === 1 ? tvb.u8(pos + 3 + i) : tvb.u16le(pos + 3 + i));
  }
  return finish(node, pos, pos + 3 + len);
}

function returnStatus(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const node = tokenItem(ctx, parent, F.returnstatus, pos);
  const v = ctx.st.int4Le ? ctx.tvb.u32le(pos + 1) : ctx.tvb.u32(pos + 1);
  ctx.tree.add(node, F.returnstatusValue, ctx.tvb, pos + 1, 4, v);
  return finish(node, pos, pos + 5);
}

/** RETURNVALUE (output parameters): ordinal, name, status, user type, flags, TYPE_INFO, value. */
function returnValue(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree, st } = ctx;
  let cur = pos + 3; // token, ordinal
  const n = tvb.u8(cur);
  const name = tvb.str(cur + 1, n * 2, 'utf16le');
  cur += 1 + n * 2 + 1; // name, status
  cur += tds72OrGreater(st) ? 4 : 2; // user type
  cur += 2; // flags
  const node = tree.text(parent, tvb, pos, 1, `Token - ReturnValue${name ? ` (${name})` : ''}`);
  const info: TypeInfo = { type: tvb.u8(cur), maxLen: -1, precision: 0, scale: 0, plp: false };
  cur = colTypeInfo(ctx, node, cur + 1, info);
  if (info.type === 0x62) throw new UndecodableError('sql_variant values are not decoded');
  const v = dissectValue(tvb, cur, tree, node, info, st);
  node.length = v.end - pos;
  return v.end - pos;
}

function featureExtAck(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const { tvb, tree } = ctx;
  const node = tokenItem(ctx, parent, F.featureextack, pos);
  let cur = pos + 1;
  for (;;) {
    const id = tvb.u8(cur);
    if (id === 0xff) {
      const fnode = tree.add(node, F.featureextackFeature, tvb, cur, 1, null);
      tree.item(fnode, F.featureextackFeatureid, tvb, cur, 1);
      cur += 1;
      break;
    }
    const len = tvb.u32le(cur + 1);
    tvb.check(cur + 5, len);
    const fnode = tree.add(node, F.featureextackFeature, tvb, cur, 5 + len, null);
    tree.item(fnode, F.featureextackFeatureid, tvb, cur, 1);
    tree.add(fnode, F.featureextackDatalen, tvb, cur + 1, 4, len);
    tree.item(fnode, F.featureextackData, tvb, cur + 5, len);
    cur += 5 + len;
  }
  return finish(node, pos, cur);
}

function sessionState(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const node = tokenItem(ctx, parent, F.sessionstate, pos);
  const len = ctx.tvb.u32le(pos + 1);
  ctx.tree.add(node, F.sessionstateLength, ctx.tvb, pos + 1, 4, len);
  ctx.tvb.check(pos + 5, len);
  return finish(node, pos, pos + 5 + len);
}

function sspi(ctx: Ctx, parent: ProtoNode, pos: number): number {
  const node = tokenItem(ctx, parent, F.sspi, pos);
  const len = ctx.tvb.u16le(pos + 1);
  if (len) ctx.tree.item(node, F.sspiBuffer, ctx.tvb, pos + 3, len);
  return finish(node, pos, pos + 3 + len);
}

function skipUshort(ctx: Ctx, parent: ProtoNode, pos: number, label: string): number {
  const len = ctx.tvb.u16le(pos + 1);
  ctx.tvb.check(pos + 3, len);
  ctx.tree.text(parent, ctx.tvb, pos, 3 + len, label);
  return 3 + len;
}
