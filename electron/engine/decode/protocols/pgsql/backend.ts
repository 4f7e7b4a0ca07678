/** Messages from the server (backend), decoded as Wireshark's dissect_pgsql_be_msg. */
import { PGSQL } from '../../../../../shared/fields/pgsql';
import type { FieldDef } from '../../../../../shared/fields/types';
import type { AppContext } from '../../app';
import type { ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { AUTH, BE_TYPE_NAMES } from './constants';
import { rowsFromTag, strz } from './read';
import { onAuthOk, onCompletion, onDataRow, onError, onReadyForQuery, type ErrorInfo } from './session';
import { setAuth, type PgsqlState } from './state';

const F = PGSQL.f;
type Ctx = AppContext<PgsqlState>;

export function backendTypeName(t: number): string {
  return BE_TYPE_NAMES[t & 0xff] ?? 'Unknown';
}

/** ErrorResponse / NoticeResponse field codes → fields (anything else is pgsql.text). */
const ERROR_FIELDS: Readonly<Record<string, FieldDef>> = {
  S: F.severity, V: F.text, C: F.code, M: F.message, D: F.detail, H: F.hint, P: F.position,
  p: F.internalPosition, q: F.internalQuery, W: F.where, s: F.schemaName, t: F.tableName,
  c: F.columnName, d: F.typeName, n: F.constraintName, F: F.file, L: F.line, R: F.routine,
};

/** Decode the body of a backend message; `n` is the offset after type and length. */
export function dissectBackend(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number, length: number): void {
  const { tree, state: s } = ctx;
  switch (String.fromCharCode(tvb.u8(0))) {
    case 'R': return authRequest(tvb, node, ctx, n, length);
    case 'K':
      tree.item(node, F.pid, tvb, n, 4);
      tree.item(node, F.key, tvb, n + 4, 4);
      return;
    case 'S': {
      const name = strz(tvb, n);
      const value = strz(tvb, n + name.size);
      tree.add(node, F.parameterName, tvb, n, name.size, name.value);
      tree.add(node, F.parameterValue, tvb, n + name.size, value.size, value.value);
      return;
    }
    case 't': {
      const count = tvb.u16(n);
      tvb.check(n + 2, count * 4);
      const sub = tree.text(node, tvb, n, 2 + count * 4, `Parameters: ${count}`);
      n += 2;
      for (let i = 0; i < count; i++, n += 4) tree.item(sub, F.typeOid, tvb, n, 4);
      return;
    }
    case 'T': {
      const count = tvb.u16(n);
      const sub = tree.item(node, F.fieldCount, tvb, n, 2);
      n += 2;
      for (let i = 0; i < count; i++) {
        const name = strz(tvb, n);
        const col = tree.add(sub, F.colName, tvb, n, name.size, name.value);
        n += name.size;
        tree.item(col, F.tableOid, tvb, n, 4);
        tree.item(col, F.colIndex, tvb, n + 4, 2);
        tree.item(col, F.typeOid, tvb, n + 6, 4);
        tree.item(col, F.valLength, tvb, n + 10, 2);
        tree.item(col, F.colTypemod, tvb, n + 12, 4);
        tree.item(col, F.format, tvb, n + 16, 2);
        n += 18;
      }
      return;
    }
    case 'D': {
      const count = tvb.u16(n);
      const sub = tree.item(node, F.fieldCount, tvb, n, 2);
      n += 2;
      for (let i = 0; i < count; i++) {
        const siz = tvb.i32(n);
        tree.add(sub, F.valLength, tvb, n, 4, siz);
        n += 4;
        if (siz > 0) {
          tree.item(sub, F.valData, tvb, n, siz);
          n += siz;
        }
      }
      onDataRow(s);
      return;
    }
    case 'C': {
      const tag = strz(tvb, n);
      tree.add(node, F.tag, tvb, n, tag.size, tag.value);
      onCompletion(s, ctx.emit, rowsFromTag(tag.value));
      return;
    }
    case 'I': onCompletion(s, ctx.emit, 0); return;
    case 's': onCompletion(s, ctx.emit, undefined); return;
    case 'Z':
      tree.item(node, F.status, tvb, n, 1);
      onReadyForQuery(s, ctx.emit);
      return;
    case 'E':
    case 'N': {
      const e = errorFields(tvb, node, ctx, n);
      if (tvb.u8(0) === 0x45) onError(s, ctx.emit, e);
      return;
    }
    case 'A': {
      tree.item(node, F.pid, tvb, n, 4);
      n += 4;
      const cond = strz(tvb, n);
      tree.add(node, F.condition, tvb, n, cond.size, cond.value);
      n += cond.size;
      const payload = strz(tvb, n);
      if (payload.size > 1) tree.add(node, F.text, tvb, n, payload.size, payload.value);
      return;
    }
    case 'G':
    case 'H':
    case 'W': {
      // Overall format (int8), then one int16 format per column. (Wireshark 4.0 reads the
      // overall format as 1 byte too but shows only count-2 column formats: a known bug.)
      tree.item(node, F.format, tvb, n, 1);
      const count = tvb.u16(n + 1);
      tvb.check(n + 3, count * 2);
      const sub = tree.text(node, tvb, n + 1, 2 + count * 2, `Columns: ${count}`);
      n += 3;
      for (let i = 0; i < count; i++, n += 2) tree.item(sub, F.format, tvb, n, 2);
      return;
    }
    case 'd': tree.item(node, F.copydata, tvb, n, length - 4); return;
    case 'V': {
      const siz = tvb.i32(n);
      tree.add(node, F.valLength, tvb, n, 4, siz);
      if (siz > 0) tree.item(node, F.valData, tvb, n + 4, siz);
      return;
    }
    case 'v': {
      tree.item(node, F.supportedMinor, tvb, n, 4);
      const count = tvb.i32(n + 4);
      tree.item(node, F.nonsupportedCount, tvb, n + 4, 4);
      n += 8;
      for (let i = 0; i < count; i++) {
        const opt = strz(tvb, n);
        tree.add(node, F.nonsupportedOption, tvb, n, opt.size, opt.value);
        n += opt.size;
      }
      return;
    }
    default: return; // '1' '2' '3' 'n' 'c': no body
  }
}

function authRequest(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number, length: number): void {
  const { tree, state: s, pinfo } = ctx;
  const type = tvb.u32(n);
  tree.item(node, F.authtype, tvb, n, 4);
  n += 4;
  switch (type) {
    case AUTH.OK: onAuthOk(s); return;
    case AUTH.CRYPT:
    case AUTH.MD5:
      tree.item(node, F.salt, tvb, n, type === AUTH.CRYPT ? 2 : 4);
      setAuth(s, pinfo.num, 'password');
      return;
    case AUTH.CLEARTEXT: setAuth(s, pinfo.num, 'password'); return;
    case AUTH.GSS_CONTINUE:
      tree.item(node, F.gssapiData, tvb, n, length - 8);
      setAuth(s, pinfo.num, 'gss');
      return;
    case AUTH.GSS:
    case AUTH.SSPI: setAuth(s, pinfo.num, 'gss'); return;
    case AUTH.SASL: {
      // Mechanism names until the empty one that ends the list.
      while (n < length && tvb.u8(n) !== 0) {
        const mech = strz(tvb, n);
        tree.add(node, F.saslMech, tvb, n, mech.size, mech.value);
        n += mech.size;
      }
      setAuth(s, pinfo.num, 'sasl-initial');
      return;
    }
    case AUTH.SASL_CONTINUE:
    case AUTH.SASL_FINAL:
      if (n < length + 1) tree.item(node, F.saslData, tvb, n, length - 8);
      setAuth(s, pinfo.num, 'sasl');
      return;
    default: return;
  }
}

function errorFields(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number): ErrorInfo {
  const { tree } = ctx;
  const out: { severity?: string; code?: string; message?: string } = {};
  // Fields are a code byte and a C string each, until a zero code byte; each step moves on.
  while (n < tvb.length) {
    const c = tvb.u8(n);
    if (c === 0) break;
    const v = strz(tvb, n + 1);
    const code = String.fromCharCode(c);
    tree.add(node, ERROR_FIELDS[code] ?? F.text, tvb, n, v.size + 1, v.value);
    if (code === 'S' && out.severity === undefined) out.severity = v.value;
    else if (code === 'V') out.severity = v.value;
    else if (code === 'C') out.code = v.value;
    else if (code === 'M') out.message = v.value;
    n += v.size + 1;
  }
  return out;
}
