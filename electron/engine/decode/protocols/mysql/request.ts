/** Client commands (COM_*), decoded per Wireshark, and the request events they produce. */
import { MYSQL_COMMANDS } from '../../../../../shared/fields/mysql';
import type { ProtoNode } from '../../tree';
import { CAP, COM, COM_NAMES, EXT, MAX_COLUMNS, PARAMETER_COUNT_AVAILABLE } from './constants';
import { connectAttributes } from './handshake';
import { colAppend, colSet } from './info';
import { asLength, readLenEnc, strSize, strzValue } from './lenenc';
import { F, type Msg, addBitmask, addSecret, addStrz, REFRESH_FLAGS } from './items';
import { decodeBinaryValue } from './values';

/** Commands after which the server sends nothing. */
const NO_RESPONSE = new Set<number>([COM.QUIT, COM.STMT_CLOSE, COM.STMT_SEND_LONG_DATA]);

export function dissectRequest(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  if (tvb.length - off === 0) {
    // Empty packet: end of LOCAL INFILE data.
    if (st.phase === 'infile_data') st.phase = 'response_ok';
    return;
  }
  colSet(st, ctx.pinfo, 'Request');
  const opcode = tvb.u8(off);
  const label = MYSQL_COMMANDS[opcode];
  colAppend(st, ctx.pinfo, label !== undefined ? ` ${label}` : ` Unknown (${opcode}) `);
  const req = tree.add(m.item, F.request, tvb, off, tvb.length - off, null, `Request Command ${label ?? `Unknown (${opcode})`}`);
  tree.add(req, F.command, tvb, off, 1, opcode);
  off += 1;
  const current = st.phase;
  let statement = '';
  let params: string[] | undefined;
  let login: { user: string; database?: string } | undefined;

  switch (opcode) {
    case COM.QUIT:
    case COM.RESET_CONNECTION:
      st.phase = opcode === COM.QUIT ? st.phase : 'response_ok';
      break;
    case COM.PROCESS_INFO:
      st.phase = 'response_tabular';
      st.resultFormat = 'text';
      break;
    case COM.DEBUG:
    case COM.PING:
      st.phase = 'response_ok';
      break;
    case COM.STATISTICS:
      st.phase = 'response_message';
      break;
    case COM.INIT_DB:
    case COM.CREATE_DB:
    case COM.DROP_DB:
      statement = addStrz(tree, req, F.schema, tvb, off).text;
      st.phase = 'response_ok';
      break;
    case COM.QUERY:
      st.phase = 'response_tabular';
      st.resultFormat = 'text';
      statement = query(m, req, off);
      break;
    case COM.STMT_PREPARE:
      statement = addStrz(tree, req, F.query, tvb, off).text;
      st.pendingPrepare = statement;
      st.phase = 'response_prepare';
      break;
    case COM.STMT_CLOSE: {
      const id = tvb.u32le(off);
      tree.add(req, F.stmtId, tvb, off, 4, id);
      statement = st.stmts.get(id)?.query ?? '';
      st.stmts.delete(id);
      st.phase = 'request';
      break;
    }
    case COM.STMT_RESET: {
      const id = tvb.u32le(off);
      tree.add(req, F.stmtId, tvb, off, 4, id);
      statement = st.stmts.get(id)?.query ?? '';
      st.phase = 'response_ok';
      break;
    }
    case COM.FIELD_LIST:
      statement = addStrz(tree, req, F.tableName, tvb, off).text;
      st.phase = 'response_show_fields';
      break;
    case COM.PROCESS_KILL:
      tree.item(req, F.threadId, tvb, off, 4, 'le');
      statement = String(tvb.u32le(off));
      st.phase = 'response_ok';
      break;
    case COM.CHANGE_USER:
      login = changeUser(m, req, off);
      statement = login.user;
      break;
    case COM.REFRESH:
      addBitmask(tree, req, F.refresh, REFRESH_FLAGS, tvb, off, 1);
      st.phase = 'response_ok';
      break;
    case COM.SHUTDOWN:
      if (tvb.remaining(off) > 0) tree.item(req, F.shutdown, tvb, off, 1);
      st.phase = 'response_ok';
      break;
    case COM.SET_OPTION:
      tree.item(req, F.option, tvb, off, 2, 'le');
      st.phase = 'response_ok';
      break;
    case COM.STMT_FETCH: {
      const id = tvb.u32le(off);
      tree.add(req, F.stmtId, tvb, off, 4, id);
      tree.item(req, F.numRows, tvb, off + 4, 4, 'le');
      statement = st.stmts.get(id)?.query ?? '';
      st.phase = 'response_tabular';
      st.resultFormat = 'binary';
      break;
    }
    case COM.STMT_SEND_LONG_DATA: {
      const id = tvb.u32le(off);
      tree.add(req, F.stmtId, tvb, off, 4, id);
      const param = tvb.u16le(off + 4);
      tree.add(req, F.param, tvb, off + 4, 2, param);
      const stmt = st.stmts.get(id);
      if (stmt && param < stmt.numParams && !stmt.streamed.includes(param)) stmt.streamed.push(param);
      statement = stmt?.query ?? '';
      const len = tvb.length - (off + 6);
      if (len > 0) tree.add(req, F.payload, tvb, off + 6, len, tvb.bytes(off + 6, len));
      if (current !== 'response_prepare') st.phase = 'request';
      break;
    }
    case COM.STMT_EXECUTE: {
      // Phase first: parameters that fail to decode must not derail the response.
      if (current !== 'response_prepare') st.phase = 'response_tabular';
      st.resultFormat = 'binary';
      const r = execute(m, req, off);
      statement = r.statement;
      params = r.params;
      break;
    }
    case COM.BINLOG_DUMP:
      tree.item(req, F.binlogPosition, tvb, off, 4, 'le');
      tree.item(req, F.binlogFlags, tvb, off + 4, 2, 'le');
      tree.item(req, F.binlogServerId, tvb, off + 6, 4, 'le');
      if (tvb.length - (off + 10) > 0) {
        const len = tvb.length - (off + 10);
        statement = tvb.str(off + 10, len);
        tree.add(req, F.binlogFileName, tvb, off + 10, len, statement);
      }
      st.phase = 'binlog_dump';
      break;
    case COM.REGISTER_SLAVE:
      registerSlave(m, req, off);
      st.phase = 'response_ok';
      break;
    case COM.BINLOG_DUMP_GTID:
    case COM.TABLE_DUMP:
    case COM.CONNECT_OUT:
    case COM.STMT_BULK_EXECUTE: {
      const len = tvb.length - off;
      if (len > 0) tree.add(req, F.payload, tvb, off, len, tvb.bytes(off, len));
      st.phase = opcode === COM.BINLOG_DUMP_GTID ? 'binlog_dump' : opcode === COM.STMT_BULK_EXECUTE ? 'response_tabular' : 'request';
      break;
    }
    default: {
      const len = tvb.length - off;
      const p = tree.add(req, F.payload, tvb, off, len, tvb.bytes(off, len));
      tree.expert(p, F.commandInvalid, 'Warning', 'Unknown/invalid command code');
      st.phase = 'undefined';
    }
  }

  st.rows = 0;
  const command = COM_NAMES[opcode] ?? `COM_UNKNOWN_${opcode}`;
  ctx.emit({
    kind: 'request', command, statement,
    ...(params ? { params } : {}),
    ...(NO_RESPONSE.has(opcode) ? { expectsResponse: false } : {}),
  });
  if (login) ctx.emit({ kind: 'login', phase: 'attempt', ...login });
}

/** COM_QUERY: optional query attributes (CLIENT_QUERY_ATTRIBUTES), then the statement text. */
function query(m: Msg, req: ProtoNode, off: number): string {
  const { tree, tvb, st } = m;
  if (st.cliExt & st.srvExt & EXT.QUERY_ATTRIBUTES) {
    const next = queryAttributes(m, req, off);
    if (next < 0) return '';
    off = next;
  } else if (tvb.remaining(off) > 2 && tvb.u8(off) === 0 && tvb.u8(off + 1) === 1) {
    // Capture started after the handshake: an empty attribute block (count 0, one set) precedes the text.
    off += 2;
  }
  const size = strSize(tvb, off);
  const text = strzValue(tvb, off, size);
  tree.add(req, F.query, tvb, off, size, text);
  return text;
}

/** Returns the offset of the statement text, or -1 when the attribute values cannot be walked. */
function queryAttributes(m: Msg, req: ProtoNode, off: number): number {
  const { tree, tvb } = m;
  const qa = tree.add(req, F.queryAttrs, tvb, off, 0, null);
  const start = off;
  const count = readLenEnc(tvb, off);
  tree.add(qa, F.queryAttrsCount, tvb, off, count.size, count.value);
  off += count.size;
  off += readLenEnc(tvb, off).size; // parameter set count (always 1)
  const n = asLength(count.value);
  if (n > 0) {
    if (n > MAX_COLUMNS) {
      tree.expert(qa, F.invalidLength, 'Error', `Invalid length: ${n}`);
      return -1;
    }
    const nullLen = Math.floor((n + 7) / 8);
    const nulls = tvb.bytes(off, nullLen);
    tree.add(qa, F.unused, tvb, off, nullLen, nulls);
    off += nullLen;
    const bound = tvb.u8(off);
    tree.add(qa, F.queryAttrsSendTypesToServer, tvb, off, 1, bound !== 0);
    off += 1;
    if (!bound) {
      qa.length = off - start;
      return -1;
    }
    const types: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = tvb.u16le(off);
      tree.add(qa, F.queryAttrNameType, tvb, off, 2, tvb.u16(off));
      types.push(t);
      off += 2;
      const le = readLenEnc(tvb, off);
      const len = asLength(le.value);
      tree.add(qa, F.queryAttrName, tvb, off + le.size, len, tvb.str(off + le.size, len));
      off += le.size + len;
    }
    for (let i = 0; i < n; i++) {
      if (nulls[i >> 3]! & (1 << (i & 7))) continue;
      const t = types[i]!;
      const node = tree.add(qa, F.queryAttrValue, tvb, off, 0, '');
      const v = decodeBinaryValue(m, node, off, t & 0xff, (t & 0x8000) !== 0);
      if (!v) {
        qa.length = off - start;
        return -1;
      }
      node.value = v.text;
      node.length = v.next - off;
      off = v.next;
    }
  }
  qa.length = off - start;
  return off;
}

function execute(m: Msg, req: ProtoNode, off: number): { statement: string; params?: string[] } {
  const { tree, tvb, st } = m;
  let id = tvb.u32le(off);
  tree.add(req, F.stmtId, tvb, off, 4, id);
  off += 4;
  const flags = tvb.u8(off);
  tree.add(req, F.execFlags, tvb, off, 1, flags);
  off += 1;
  tree.item(req, F.execIter, tvb, off, 4, 'le');
  off += 4;
  if (id === 0xffffffff) id = st.lastStmtId;
  const stmt = st.stmts.get(id);
  if (!stmt) {
    const len = tvb.length - off;
    if (len > 0) {
      const p = tree.add(req, F.payload, tvb, off, len, tvb.bytes(off, len));
      tree.expert(p, F.prepareResponseNeeded, 'Warning', 'PREPARE Response packet is needed to dissect the payload');
    }
    return { statement: '' };
  }
  // Query attributes are in use only when both ends announce them (MariaDB never does).
  const qa = (st.cliExt & st.srvExt & EXT.QUERY_ATTRIBUTES) !== 0;
  let count = stmt.numParams;
  if (qa && flags & PARAMETER_COUNT_AVAILABLE) {
    const le = readLenEnc(tvb, off);
    count = asLength(le.value);
    tree.add(req, F.numParams, tvb, off, le.size, count);
    off += le.size;
  }
  if (count === 0 || tvb.remaining(off) <= 0) return { statement: stmt.query };
  if (count > MAX_COLUMNS) {
    tree.expert(req, F.invalidLength, 'Error', `Invalid length: ${count}`);
    return { statement: stmt.query };
  }
  const nullLen = Math.floor((count + 7) / 8);
  const nulls = tvb.bytes(off, nullLen);
  off += nullLen;
  const bound = tvb.u8(off);
  tree.add(req, F.newParameterBoundFlag, tvb, off, 1, bound);
  off += 1;

  // Parameter types travel only when (re)bound; later executions reuse them.
  let types = stmt.paramTypes;
  const names: string[] = [];
  const typeNodes: ProtoNode[] = [];
  if (bound === 1) {
    types = [];
    for (let i = 0; i < count; i++) {
      const node = tree.add(req, F.execParam, tvb, off, 2, null);
      tree.item(node, F.fieldType, tvb, off, 1);
      tree.item(node, F.execUnsigned, tvb, off + 1, 1);
      types.push(tvb.u8(off) | ((tvb.u8(off + 1) & 0x80) << 1));
      off += 2;
      if (qa) {
        const le = readLenEnc(tvb, off);
        const len = asLength(le.value);
        names.push(tvb.str(off + le.size, len));
        off += le.size + len;
      }
      typeNodes.push(node);
    }
    if (count <= stmt.numParams) stmt.paramTypes = types;
  }
  if (!types || types.length < count) return { statement: stmt.query };

  const params: string[] = [];
  for (let i = 0; i < count; i++) {
    if (nulls[i >> 3]! & (1 << (i & 7))) {
      params.push('NULL');
      continue;
    }
    if (stmt.streamed.includes(i)) {
      const parent = typeNodes[i] ?? req;
      tree.expert(parent, F.streamedParam, 'Chat', 'This parameter was streamed, its value can be found in Send BLOB packets');
      params.push('<streamed>');
      continue;
    }
    const t = types[i]!;
    const v = decodeBinaryValue(m, typeNodes[i] ?? req, off, t & 0xff, (t & 0x100) !== 0);
    if (!v) break;
    params.push(v.text);
    off = v.next;
  }
  return { statement: stmt.query, params };
}

/** COM_CHANGE_USER: a new login inside the connection; its OK/ERR answers both the command and the login. */
function changeUser(m: Msg, req: ProtoNode, off: number): { user: string; database?: string } {
  const { tree, tvb, st } = m;
  const user = addStrz(tree, req, F.user, tvb, off);
  off += user.size;
  if (tvb.remaining(off) > 0) {
    let len: number;
    if (st.cliCaps & CAP.SECURE_CONNECTION) {
      len = tvb.u8(off);
      off += 1;
    } else {
      len = strSize(tvb, off);
    }
    if (len > 0) addSecret(tree, req, F.passwd, tvb, off, len);
    else tvb.check(off, 0);
    off += len;
  }
  let database: string | undefined;
  if (tvb.remaining(off) >= 0) {
    const s = addStrz(tree, req, F.schema, tvb, off);
    database = s.text;
    off += s.size;
  }
  if (tvb.remaining(off) >= 2) {
    tree.add(req, F.charset, tvb, off, 2, tvb.u16le(off));
    off += 2;
  }
  st.phase = 'response_ok';
  if (st.cliExt & EXT.PLUGIN_AUTH && tvb.remaining(off) > 0) {
    st.phase = 'auth_switch_request';
    const p = addStrz(tree, req, F.clientAuthPlugin, tvb, off);
    st.authMethod = p.text;
    off += p.size;
  }
  if (st.cliExt & EXT.CONNECT_ATTRS && tvb.remaining(off) > 0) connectAttributes(m, req, off);
  st.authenticating = true;
  st.authIsCommand = true;
  return { user: user.text, ...(database ? { database } : {}) };
}

function registerSlave(m: Msg, req: ProtoNode, off: number): void {
  const { tree, tvb } = m;
  tree.item(req, F.binlogServerId, tvb, off, 4, 'le');
  off += 4;
  const pairs = [
    [F.binlogSlaveHostnameLength, F.binlogSlaveHostname],
    [F.binlogSlaveUserLength, F.binlogSlaveUser],
    [F.binlogSlavePasswordLength, F.binlogSlavePassword],
  ] as const;
  for (const [lenDef, strDef] of pairs) {
    const len = tvb.u8(off);
    tree.add(req, lenDef, tvb, off, 1, len);
    off += 1;
    if (strDef === F.binlogSlavePassword) addSecret(tree, req, strDef, tvb, off, len);
    else tree.add(req, strDef, tvb, off, len, tvb.str(off, len));
    off += len;
  }
  tree.item(req, F.binlogSlaveMysqlPort, tvb, off, 2, 'le');
  tree.item(req, F.binlogReplicationRank, tvb, off + 2, 4, 'le');
  tree.item(req, F.binlogMasterId, tvb, off + 6, 4, 'le');
}

/** LOCAL INFILE: the client streams the file's content as raw packets until an empty one. */
export function dissectInfileData(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  const len = tvb.length - off;
  if (len === 0) {
    st.phase = 'response_ok';
    return;
  }
  colAppend(st, ctx.pinfo, ' LOCAL INFILE Payload');
  tree.add(m.item, F.loadDataPayload, tvb, off, len, tvb.bytes(off, len));
}

