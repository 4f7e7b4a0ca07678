/**
 * Server responses, decoded according to the request they answer (the connection's phase):
 * OK, ERR, EOF, result sets (column count, column definitions, text and binary rows),
 * COM_STMT_PREPARE OK, COM_FIELD_LIST definitions, COM_STATISTICS text, LOCAL INFILE, binlog events.
 */
import { CAP, EXT, FIELD_FLAG_UNSIGNED, MAX_COLUMNS, MAX_PAYLOAD, STATUS } from './constants';
import { colAppend, colFence } from './info';
import { asLength, readLenEnc } from './lenenc';
import {
  F, type Msg, addBitmask, addLenEncString, addLenEncUint, addServerStatus, FIELD_FLAGS,
} from './items';
import { dissectAuthSha2, dissectAuthSwitchRequest, dissectPublicKey } from './handshake';
import { decodeBinaryValue } from './values';
import type { ProtoNode } from '../../tree';

export interface ErrorInfo {
  readonly code: number;
  readonly message: string;
}

/** ERR packet body after the 0xff marker: code, optional '#'+SQLSTATE, message. */
export function dissectErrorBody(m: Msg, parent: ProtoNode, off: number): ErrorInfo {
  const { tree, tvb, st, ctx } = m;
  const code = tvb.u16le(off);
  colAppend(st, ctx.pinfo, ` Error ${code} `);
  colFence(st, ctx.pinfo);
  tree.add(parent, F.errorCode, tvb, off, 2, code);
  off += 2;
  if (tvb.remaining(off) > 0 && tvb.u8(off) === 0x23 /* '#' */) {
    off += 1;
    tree.item(parent, F.sqlstate, tvb, off, 5);
    off += 5;
  }
  const len = Math.max(0, tvb.length - off);
  const message = tvb.str(off, len);
  tree.add(parent, F.errorMessage, tvb, off, len, message);
  return { code, message };
}

/** Emit the outcome of a login (handshake or COM_CHANGE_USER) if one is in progress; true if it was. */
function loginOutcome(m: Msg, err: ErrorInfo | null): boolean {
  const { st, ctx } = m;
  if (!st.authenticating) return false;
  st.authenticating = false;
  if (err) ctx.emit({ kind: 'login', phase: 'error', errorCode: String(err.code), errorMessage: err.message });
  else ctx.emit({ kind: 'login', phase: 'ok' });
  if (st.authIsCommand) {
    st.authIsCommand = false;
    return false; // COM_CHANGE_USER: also answer the command
  }
  return true;
}

function respondError(m: Msg, err: ErrorInfo): void {
  if (loginOutcome(m, err)) return;
  m.ctx.emit({ kind: 'response', status: 'error', errorCode: String(err.code), errorMessage: err.message, final: true });
}

function respondOk(m: Msg, rows: number | undefined, status: number): void {
  if (loginOutcome(m, null)) return;
  const final = (status & STATUS.MORE_RESULTS_EXISTS) === 0;
  m.ctx.emit({ kind: 'response', status: 'ok', ...(rows !== undefined ? { rows } : {}), final });
}

export function dissectResponse(m: Msg, off: number): void {
  const { tree, tvb, st } = m;
  const code = tvb.u8(off);
  const phase = st.phase;
  const eofMaybe = st.eofMaybe;
  st.eofMaybe = false;
  if (code === 0x01 && st.authenticating && isPemKey(m, off + 1)) {
    // AuthMoreData carrying the server's RSA key (sha256_password / caching_sha2_password).
    dissectPublicKey(m, off);
    return;
  }
  if (code === 0xff) {
    tree.item(m.item, F.responseCode, tvb, off, 1);
    m.item.text = 'MySQL Protocol - response ERROR';
    const err = dissectErrorBody(m, m.item, off + 1);
    st.phase = 'request';
    respondError(m, err);
    return;
  }
  if (code === 0xfe) {
    tree.item(m.item, F.responseCode, tvb, off, 1);
    const rest = tvb.length - off - 1;
    if (rest <= 5) {
      tree.item(m.item, F.eof, tvb, off, 1);
      dissectEof(m, off + 1, eofMaybe ? 'field_packet' : phase);
    } else if (rest < MAX_PAYLOAD) {
      if (phase === 'auth_switch_request') dissectAuthSwitchRequest(m, off + 1);
      else dissectOkPacket(m, off + 1);
    } else {
      st.phase = 'row_packet';
      dissectTextRow(m, off);
    }
    return;
  }
  if (code === 0x00) {
    switch (phase) {
      case 'response_prepare':
        tree.item(m.item, F.responseCode, tvb, off, 1);
        dissectPrepareOk(m, off + 1);
        return;
      case 'row_packet':
        if (st.resultFormat === 'binary') {
          tree.item(m.item, F.responseCode, tvb, off, 1);
          dissectBinaryRow(m, off + 1);
        } else {
          dissectTextRow(m, off);
        }
        return;
      case 'binlog_dump':
        tree.item(m.item, F.responseCode, tvb, off, 1);
        dissectBinlogEvent(m, off + 1);
        return;
      default:
        tree.item(m.item, F.responseCode, tvb, off, 1);
        dissectOkPacket(m, off + 1);
        return;
    }
  }
  switch (phase) {
    case 'response_message': {
      const len = tvb.length - off;
      if (len > 0) tree.add(m.item, F.message, tvb, off, len, tvb.str(off, len));
      st.phase = 'request';
      m.ctx.emit({ kind: 'response', status: 'ok', final: true });
      return;
    }
    case 'response_tabular':
    case 'request':
      if (code === 0xfb) {
        dissectLocalInfileRequest(m, off);
        return;
      }
      dissectResultHeader(m, off);
      return;
    case 'prepared_parameters':
    case 'prepared_fields':
    case 'field_packet':
    case 'response_show_fields':
      dissectFieldPacket(m, off, phase);
      return;
    case 'row_packet':
      dissectTextRow(m, off);
      return;
    case 'auth_switch_request':
      if (tvb.length - off === 2) dissectAuthSha2(m, off);
      else dissectAuthSwitchRequest(m, off);
      return;
    case 'auth_sha2':
      dissectAuthSha2(m, off);
      return;
    default: {
      const len = tvb.length - off;
      const p = tree.add(m.item, F.payload, tvb, off, len, tvb.bytes(off, len));
      tree.expert(p, F.unknownResponse, 'Warning', 'unknown/invalid response');
      st.phase = 'undefined';
    }
  }
}

export function dissectOkPacket(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  m.item.text = 'MySQL Protocol - response OK';
  colAppend(st, ctx.pinfo, ' OK ');
  colFence(st, ctx.pinfo);
  const affected = readLenEnc(tvb, off);
  tree.add(m.item, F.affectedRows, tvb, off, affected.size, affected.value);
  off += affected.size;
  const insert = readLenEnc(tvb, off);
  if (insert.value !== 0) tree.add(m.item, F.insertId, tvb, off, insert.size, insert.value);
  off += insert.size;
  let status = 0;
  if (tvb.remaining(off) > 0) {
    status = addServerStatus(m, m.item, off);
    off += 2;
    if (st.cliCaps & st.srvCaps & CAP.PROTOCOL_41) {
      tree.item(m.item, F.warnings, tvb, off, 2, 'le');
      off += 2;
    }
  }
  if (st.cliExt & EXT.SESSION_TRACK) {
    if (tvb.remaining(off) > 0) {
      const info = readLenEnc(tvb, off);
      off += info.size;
      const len = asLength(info.value);
      if (len > 0) {
        tree.add(m.item, F.message, tvb, off, len, tvb.str(off, len));
        off += len;
      }
      if (status & STATUS.SESSION_STATE_CHANGED) sessionTrack(m, off);
    }
  } else if (tvb.remaining(off) > 0) {
    const len = tvb.length - off;
    tree.add(m.item, F.message, tvb, off, len, tvb.str(off, len));
  }

  const wasRows = st.phase === 'row_packet';
  const rows = wasRows ? st.rows : typeof affected.value === 'bigint' ? Number(affected.value) : affected.value;
  st.phase = 'request';
  if (st.compression === 'init') st.compression = 'active';
  respondOk(m, rows, status);
}

/** Session state changes (CLIENT_SESSION_TRACK) after an OK's info text. */
function sessionTrack(m: Msg, off: number): void {
  const { tree, tvb } = m;
  const total = readLenEnc(tvb, off);
  const data = tree.add(m.item, F.sessionTrackData, tvb, off, tvb.length - off, null);
  tree.add(data, F.sessionTrackDataLength, tvb, off, total.size, total.value);
  off += total.size;
  const end = Math.min(off + asLength(total.value), tvb.length);
  while (off < end) {
    const start = off;
    const entry = tree.add(data, F.sessionTrack, tvb, off, 0, null);
    const type = tvb.u8(off);
    tree.add(entry, F.sessionTrackType, tvb, off, 1, type);
    off += 1;
    const len = addLenEncUint(tree, entry, F.sessionTrackLength, tvb, off);
    off += len.size;
    const body = off;
    const bodyLen = asLength(len.value);
    tvb.check(body, bodyLen);
    switch (type) {
      case 0: { // SESSION_SYSVARS_TRACKER: name, value
        const n = addLenEncUint(tree, entry, F.sessionTrackSysvarLength, tvb, off);
        off += n.size;
        tree.add(entry, F.sessionTrackSysvarName, tvb, off, asLength(n.value), tvb.str(off, asLength(n.value)));
        off += asLength(n.value);
        const v = addLenEncUint(tree, entry, F.sessionTrackSysvarLength, tvb, off);
        off += v.size;
        tree.add(entry, F.sessionTrackSysvarValue, tvb, off, asLength(v.value), tvb.str(off, asLength(v.value)));
        break;
      }
      case 1: { // CURRENT_SCHEMA_TRACKER
        const n = addLenEncUint(tree, entry, F.sessionTrackSchemaLength, tvb, off);
        off += n.size;
        tree.add(entry, F.sessionTrackSchema, tvb, off, asLength(n.value), tvb.str(off, asLength(n.value)));
        break;
      }
      case 2: // SESSION_STATE_CHANGE_TRACKER
        tree.add(entry, F.sessionTrackStateChange, tvb, off, 1, tvb.str(off, 1));
        break;
      case 3: { // SESSION_TRACK_GTIDS
        tree.item(entry, F.sessionTrackGtidsEncoding, tvb, off, 1);
        off += 1;
        const n = addLenEncUint(tree, entry, F.sessionTrackGtidsLength, tvb, off);
        off += n.size;
        tree.add(entry, F.sessionTrackGtids, tvb, off, asLength(n.value), tvb.str(off, asLength(n.value)));
        break;
      }
      case 4: { // SESSION_TRACK_TRANSACTION_CHARACTERISTICS
        const n = addLenEncUint(tree, entry, F.sessionTrackTransactionCharacteristicsLength, tvb, off);
        off += n.size;
        tree.add(entry, F.sessionTrackTransactionCharacteristics, tvb, off, asLength(n.value), tvb.str(off, asLength(n.value)));
        break;
      }
      case 5: { // SESSION_TRACK_TRANSACTION_STATE
        const n = addLenEncUint(tree, entry, F.sessionTrackTransactionStateLength, tvb, off);
        off += n.size;
        tree.add(entry, F.sessionTrackTransactionState, tvb, off, asLength(n.value), tvb.str(off, asLength(n.value)));
        break;
      }
      default:
        tree.add(entry, F.payload, tvb, off, bodyLen, tvb.bytes(off, bodyLen));
    }
    // Each entry says its own length: continue after it whatever its content held.
    off = body + bodyLen;
    entry.length = off - start;
  }
}

function dissectEof(m: Msg, off: number, phase: string): void {
  const { tree, tvb, st, ctx } = m;
  let status = 0;
  if (tvb.remaining(off) >= 2) {
    tree.item(m.item, F.warnings, tvb, off, 2, 'le');
    off += 2;
  }
  if (tvb.remaining(off) >= 2) status = addServerStatus(m, m.item, off);
  const more = (status & STATUS.MORE_RESULTS_EXISTS) !== 0;
  if (phase === 'prepared_parameters') {
    const stmt = st.stmts.get(st.preparingStmt);
    if (stmt && stmt.numFields > 0) {
      m.item.text = 'MySQL Protocol - intermediate EOF';
      st.remainingDefs = stmt.numFields;
      st.phase = 'prepared_fields';
      return;
    }
  } else if (phase === 'field_packet') {
    m.item.text = 'MySQL Protocol - intermediate EOF';
    st.phase = 'row_packet';
    return;
  }
  m.item.text = 'MySQL Protocol - response EOF';
  const rows = phase === 'row_packet' ? st.rows : undefined;
  st.phase = 'request';
  if (loginOutcome(m, null)) return;
  ctx.emit({ kind: 'response', status: 'ok', ...(rows !== undefined ? { rows } : {}), final: !more });
}

function dissectResultHeader(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  m.item.text = 'MySQL Protocol - column count';
  colAppend(st, ctx.pinfo, 'TABULAR ');
  colFence(st, ctx.pinfo);
  const n = readLenEnc(tvb, off);
  tree.add(m.item, F.numFields, tvb, off, n.size, n.value);
  off += n.size;
  st.rows = 0;
  ctx.emit({ kind: 'response', status: 'ok', final: false });
  let metadataFollows = 1;
  if (st.cliExt & st.srvExt & 0x0200 /* CLIENT_OPTIONAL_RESULTSET_METADATA */ && tvb.remaining(off) > 0) {
    metadataFollows = tvb.u8(off);
    tree.add(m.item, F.metadataFollows, tvb, off, 1, metadataFollows);
    off += 1;
  }
  if (typeof n.value === 'bigint' || n.value > MAX_COLUMNS) {
    tree.expert(m.item, F.invalidLength, 'Error', `Invalid length: ${n.value}`);
    st.phase = 'undefined';
    return;
  }
  if (tvb.remaining(off) > 0) {
    const extra = readLenEnc(tvb, off);
    tree.add(m.item, F.extra, tvb, off, extra.size, extra.value);
  }
  st.columns = metadataFollows ? [] : null;
  st.remainingDefs = metadataFollows ? n.value : 0;
  if (n.value > 0 && metadataFollows) st.phase = 'field_packet';
  else st.phase = n.value > 0 && !(st.cliExt & EXT.DEPRECATE_EOF) ? 'field_packet' : 'row_packet';
}

function dissectFieldPacket(m: Msg, off: number, phase: string): void {
  const { tree, tvb, st } = m;
  m.item.text = `MySQL Protocol - ${phase === 'response_show_fields' ? 'response to SHOW FIELDS' : phase === 'prepared_parameters' ? 'parameters in response to PREPARE' : phase === 'prepared_fields' ? 'fields in response to PREPARE' : 'field packet'}`;
  const parent = m.item;
  off = addLenEncString(tree, parent, F.fieldCatalog, tvb, off);
  if (off < tvb.length) {
    off = addLenEncString(tree, parent, F.fieldDb, tvb, off);
    off = addLenEncString(tree, parent, F.fieldTable, tvb, off);
    off = addLenEncString(tree, parent, F.fieldOrgTable, tvb, off);
    off = addLenEncString(tree, parent, F.fieldName, tvb, off);
    off = addLenEncString(tree, parent, F.fieldOrgName, tvb, off);
    off += 1; // length of the fixed-length fields (0x0c)
    tree.item(parent, F.fieldCharsetnr, tvb, off, 2, 'le');
    off += 2;
    tree.item(parent, F.fieldLength, tvb, off, 4, 'le');
    off += 4;
    const type = tvb.u8(off);
    tree.add(parent, F.fieldType, tvb, off, 1, type);
    off += 1;
    const flags = addBitmask(tree, parent, F.fieldFlags, FIELD_FLAGS, tvb, off, 2);
    off += 2;
    tree.item(parent, F.fieldDecimals, tvb, off, 1);
    off += 1;
    off += 2; // filler
    if (phase === 'field_packet' && st.columns && st.columns.length < MAX_COLUMNS) st.columns.push({ type, flags });
    if (tvb.remaining(off) > 0) addLenEncString(tree, parent, F.fieldDefault, tvb, off);
  }
  // Without CLIENT_DEPRECATE_EOF an EOF packet ends each block of definitions instead.
  if (st.remainingDefs > 0) {
    st.remainingDefs -= 1;
    if (st.remainingDefs === 0 && st.cliExt & EXT.DEPRECATE_EOF) endOfDefinitions(m, phase);
  }
}

function endOfDefinitions(m: Msg, phase: string): void {
  const { st, ctx } = m;
  if (phase === 'field_packet') {
    st.phase = 'row_packet';
    st.eofMaybe = !st.capsKnown;
  } else if (phase === 'prepared_parameters') {
    const stmt = st.stmts.get(st.preparingStmt);
    if (stmt && stmt.numFields > 0) {
      st.remainingDefs = stmt.numFields;
      st.phase = 'prepared_fields';
    } else {
      st.phase = 'request';
      ctx.emit({ kind: 'response', status: 'ok', final: true });
    }
  } else if (phase === 'prepared_fields') {
    st.phase = 'request';
    ctx.emit({ kind: 'response', status: 'ok', final: true });
  }
}

function dissectTextRow(m: Msg, off: number): void {
  const { tree, tvb, st } = m;
  m.item.text = 'MySQL Protocol - row packet';
  st.rows += 1;
  while (tvb.remaining(off) > 0) off = addLenEncString(tree, m.item, F.rowText, tvb, off);
}

function dissectBinaryRow(m: Msg, off: number): void {
  const { tree, tvb, st } = m;
  m.item.text = 'MySQL Protocol - row packet';
  st.rows += 1;
  const cols = st.columns;
  if (!cols || cols.length === 0) {
    const len = tvb.length - off;
    if (len > 0) tree.add(m.item, F.payload, tvb, off, len, tvb.bytes(off, len));
    return;
  }
  const nullLen = Math.floor((cols.length + 9) / 8);
  const bitmap = tvb.bytes(off, nullLen);
  tree.add(m.item, F.rowNullbuffer, tvb, off, nullLen, bitmap);
  off += nullLen;
  for (let i = 0; i < cols.length; i++) {
    const bit = i + 2; // the binary row bitmap starts at bit 2
    if (bitmap[bit >> 3]! & (1 << (bit & 7))) {
      tree.add(m.item, F.execFieldNull, tvb, off, 0, null);
      continue;
    }
    if (tvb.remaining(off) <= 0) break;
    const col = cols[i]!;
    const v = decodeBinaryValue(m, m.item, off, col.type, (col.flags & FIELD_FLAG_UNSIGNED) !== 0);
    if (!v) break;
    off = v.next;
  }
}

function dissectPrepareOk(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  m.item.text = 'MySQL Protocol - response to PREPARE';
  const id = tvb.u32le(off);
  tree.add(m.item, F.stmtId, tvb, off, 4, id);
  off += 4;
  const numFields = tvb.u16le(off);
  tree.add(m.item, F.numFields, tvb, off, 2, numFields);
  off += 2;
  const numParams = tvb.u16le(off);
  tree.add(m.item, F.numParams, tvb, off, 2, numParams);
  off += 2;
  off += 1; // filler
  if (tvb.remaining(off) >= 2) tree.item(m.item, F.warnings, tvb, off, 2, 'le');
  st.stmts.set(id, { query: st.pendingPrepare, numParams, numFields, paramTypes: null, streamed: [] });
  st.lastStmtId = id;
  st.preparingStmt = id;
  if (numParams > 0) {
    st.remainingDefs = numParams;
    st.phase = 'prepared_parameters';
    ctx.emit({ kind: 'response', status: 'ok', final: false });
  } else if (numFields > 0) {
    st.remainingDefs = numFields;
    st.phase = 'prepared_fields';
    ctx.emit({ kind: 'response', status: 'ok', final: false });
  } else {
    st.remainingDefs = 0;
    st.phase = 'request';
    ctx.emit({ kind: 'response', status: 'ok', final: true });
  }
}

function dissectLocalInfileRequest(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colAppend(st, ctx.pinfo, ' LOCAL INFILE');
  tree.item(m.item, F.responseCode, tvb, off, 1);
  off += 1;
  const len = tvb.length - off;
  tree.add(m.item, F.loadDataFilename, tvb, off, len, tvb.str(off, len));
  st.phase = 'infile_data';
  ctx.emit({ kind: 'response', status: 'ok', final: false });
}

function dissectBinlogEvent(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colAppend(st, ctx.pinfo, 'Binlog Event ');
  colFence(st, ctx.pinfo);
  const ts = tvb.u32le(off);
  tree.add(m.item, F.binlogEventHeaderTimestamp, tvb, off, 4, BigInt(ts) * 1_000_000_000n);
  tree.item(m.item, F.binlogEventHeaderEventType, tvb, off + 4, 1);
  tree.item(m.item, F.binlogEventHeaderServerId, tvb, off + 5, 4, 'le');
  tree.item(m.item, F.binlogEventHeaderEventSize, tvb, off + 9, 4, 'le');
  tree.item(m.item, F.binlogEventHeaderLogPosition, tvb, off + 13, 4, 'le');
  tree.item(m.item, F.binlogEventHeaderFlags, tvb, off + 17, 2, 'le');
  if (tvb.length - (off + 19) >= 4) tree.item(m.item, F.binlogEventChecksum, tvb, tvb.length - 4, 4, 'le');
}

const PEM = '-----BEGIN';

function isPemKey(m: Msg, off: number): boolean {
  return m.tvb.remaining(off) > PEM.length && m.tvb.str(off, PEM.length, 'latin1') === PEM;
}
