/** Messages from the client (frontend), decoded as Wireshark's dissect_pgsql_fe_msg. */
import { PGSQL } from '../../../../../shared/fields/pgsql';
import type { AppContext } from '../../app';
import type { ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { FE_TYPE_NAMES } from './constants';
import { hex, strz } from './read';
import { hiddenText, secretsShown } from './secrets';
import { onExecute, onSimpleQuery, onStartup, onSync, onTerminate } from './session';
import { authAt, boundedSet, type PgsqlState } from './state';
import { untypedKind } from './framing';

const F = PGSQL.f;
type Ctx = AppContext<PgsqlState>;

/** pgsql.type of a frontend message. */
export function frontendTypeName(tvb: Tvb, s: PgsqlState, frame: number): string {
  const t = tvb.u8(0);
  if (t === 0) {
    const kind = untypedKind(tvb.u32(0), tvb.u32(4));
    switch (kind) {
      case 'ssl': return 'SSL request';
      case 'gss': return 'GSS encrypt request';
      case 'cancel': return 'Cancel request';
      case 'startup': return 'Startup message';
      default: return 'Unknown';
    }
  }
  if (t === 0x70 /* p */) {
    switch (authAt(s, frame)) {
      case 'sasl-initial': return 'SASLInitialResponse message';
      case 'sasl': return 'SASLResponse message';
      case 'gss': return 'GSSResponse message';
      default: return 'Password message';
    }
  }
  return FE_TYPE_NAMES[t & 0xff] ?? 'Unknown';
}

/** Decode the body of a frontend message; `n` is the offset after type and length. */
export function dissectFrontend(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number, length: number): void {
  const { tree, state: s } = ctx;
  const t = String.fromCharCode(tvb.u8(0));
  switch (t) {
    case '\0': return untyped(tvb, node, ctx);
    case 'p': return authResponse(tvb, node, ctx, n, length);
    case 'Q': {
      const q = strz(tvb, n);
      tree.add(node, F.query, tvb, n, q.size, q.value);
      onSimpleQuery(s, ctx.emit, 'Simple query', q.value);
      return;
    }
    case 'P': {
      const name = strz(tvb, n);
      tree.add(node, F.statement, tvb, n, name.size, name.value);
      n += name.size;
      const q = strz(tvb, n);
      tree.add(node, F.query, tvb, n, q.size, q.value);
      n += q.size;
      const count = tvb.u16(n);
      tvb.check(n + 2, count * 4);
      const sub = tree.text(node, tvb, n, 2 + count * 4, `Parameters: ${count}`);
      n += 2;
      for (let i = 0; i < count; i++, n += 4) tree.item(sub, F.typeOid, tvb, n, 4);
      boundedSet(s.statements, name.value, q.value);
      return;
    }
    case 'B': return bind(tvb, node, ctx, n);
    case 'E': {
      const portal = strz(tvb, n);
      tree.add(node, F.portal, tvb, n, portal.size, portal.value);
      n += portal.size;
      const max = tvb.u32(n);
      tree.add(node, F.returns, tvb, n, 4, max, `Returns: ${max === 0 ? 'all' : max} rows`);
      const p = s.portals.get(portal.value);
      onExecute(s, ctx.emit, p?.statement ?? `(portal "${portal.value}" bound before the capture)`, p?.params);
      return;
    }
    case 'D':
    case 'C': {
      const kind = tvb.u8(n);
      const name = strz(tvb, n + 1);
      const def = kind === 0x50 /* P */ ? F.portal : F.statement;
      tree.add(node, def, tvb, n + 1, name.size, name.value, `${kind === 0x50 ? 'Portal' : 'Statement'}: ${name.value}`);
      if (t === 'C') (kind === 0x50 ? s.portals : s.statements).delete(name.value);
      return;
    }
    case 'S': onSync(s); return;
    case 'd': tree.item(node, F.copydata, tvb, n, length - 4); return;
    case 'f': {
      const e = strz(tvb, n);
      tree.add(node, F.error, tvb, n, e.size, e.value);
      return;
    }
    case 'F': return functionCall(tvb, node, ctx, n);
    case 'X': onTerminate(ctx.emit); return;
    default: return; // Flush, Copy done, unknown: nothing more to show
  }
}

function untyped(tvb: Tvb, node: ProtoNode, ctx: Ctx): void {
  const { tree, state: s } = ctx;
  const len = tvb.u32(0);
  const code = tvb.u32(4);
  const kind = untypedKind(len, code);
  if (kind === 'ssl' || kind === 'gss' || kind === 'cancel') {
    tree.item(node, F.requestCode, tvb, 4, 4);
    if (kind === 'cancel') {
      tree.item(node, F.pid, tvb, 8, 4);
      tree.item(node, F.key, tvb, 12, 4);
      return;
    }
    s.pendingAnswer = kind;
    if (kind === 'ssl') ctx.emit({ kind: 'tls', phase: 'requested' });
    return;
  }
  if (kind !== 'startup') return;
  tree.item(node, F.versionMajor, tvb, 4, 2);
  tree.item(node, F.versionMinor, tvb, 6, 2);
  const params = new Map<string, string>();
  let n = 8;
  // name/value pairs until the empty name that ends the list (or the end of the message).
  while (n < len && tvb.u8(n) !== 0) {
    const name = strz(tvb, n);
    const value = strz(tvb, n + name.size);
    tree.add(node, F.parameterName, tvb, n, name.size, name.value);
    tree.add(node, F.parameterValue, tvb, n + name.size, value.size, value.value);
    if (!params.has(name.value)) params.set(name.value, value.value);
    n += name.size + value.size;
  }
  onStartup(s, ctx.emit, params);
}

/** 'p': password, SASL or GSSAPI data, depending on what the server asked for. */
function authResponse(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number, length: number): void {
  const { tree, state: s, pinfo } = ctx;
  const show = secretsShown();
  switch (authAt(s, pinfo.num)) {
    case 'sasl-initial': {
      const mech = strz(tvb, n);
      tree.add(node, F.saslMech, tvb, n, mech.size, mech.value);
      n += mech.size;
      const dl = tvb.i32(n);
      tree.item(node, F.saslDataLength, tvb, n, 4);
      n += 4;
      if (dl > 0) secretBytes(tree, node, F.saslData, tvb, n, dl, show);
      return;
    }
    case 'sasl': secretBytes(tree, node, F.saslData, tvb, n, length - 4, show); return;
    case 'gss': secretBytes(tree, node, F.gssapiData, tvb, n, length - 4, show); return;
    default: {
      const pw = strz(tvb, n);
      if (show) tree.add(node, F.password, tvb, n, pw.size, pw.value);
      else tree.add(node, F.password, tvb, n, pw.size, `<hidden, ${pw.size - 1} bytes>`, hiddenText('Password', pw.size - 1));
    }
  }
}

function secretBytes(tree: Ctx['tree'], node: ProtoNode, def: typeof F.saslData, tvb: Tvb, off: number, len: number, show: boolean): void {
  if (show) tree.item(node, def, tvb, off, len);
  else {
    tvb.check(off, len);
    tree.add(node, def, tvb, off, len, new Uint8Array(0), hiddenText(def.label, len));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decode parameter values (text as text, binary as hex, NULL) as the client bound them. */
function paramText(b: Uint8Array | null, binary: boolean): string {
  if (b === null) return 'NULL';
  if (!binary) return utf8.decode(b);
  return '\\x' + hex(b, 256);
}

function bind(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number): void {
  const { tree, state: s } = ctx;
  const portal = strz(tvb, n);
  tree.add(node, F.portal, tvb, n, portal.size, portal.value);
  n += portal.size;
  const stmt = strz(tvb, n);
  tree.add(node, F.statement, tvb, n, stmt.size, stmt.value);
  n += stmt.size;

  const nFormats = tvb.u16(n);
  tvb.check(n + 2, nFormats * 2);
  let sub = tree.text(node, tvb, n, 2 + nFormats * 2, `Parameter formats: ${nFormats}`);
  n += 2;
  const formats: number[] = [];
  for (let i = 0; i < nFormats; i++, n += 2) formats.push(tree.item(sub, F.format, tvb, n, 2).value as number);

  const nValues = tvb.u16(n);
  const valuesStart = n;
  sub = tree.text(node, tvb, n, 2, `Parameter values: ${nValues}`);
  n += 2;
  const params: string[] = [];
  for (let i = 0; i < nValues; i++) {
    const siz = tvb.i32(n);
    tree.add(sub, F.valLength, tvb, n, 4, siz);
    n += 4;
    let data: Uint8Array | null = null;
    if (siz > 0) {
      data = tree.item(sub, F.valData, tvb, n, siz).value as Uint8Array;
      n += siz;
    } else if (siz === 0) data = new Uint8Array(0);
    const fmt = nFormats === 0 ? 0 : nFormats === 1 ? formats[0]! : formats[i] ?? 0;
    params.push(paramText(data, fmt === 1));
  }
  sub.length = n - valuesStart;

  const nResults = tvb.u16(n);
  tvb.check(n + 2, nResults * 2);
  sub = tree.text(node, tvb, n, 2 + nResults * 2, `Result formats: ${nResults}`);
  n += 2;
  for (let i = 0; i < nResults; i++, n += 2) tree.item(sub, F.format, tvb, n, 2);

  const statement = s.statements.get(stmt.value) ?? `(statement "${stmt.value}" prepared before the capture)`;
  boundedSet(s.portals, portal.value, { statement, params });
}

function functionCall(tvb: Tvb, node: ProtoNode, ctx: Ctx, n: number): void {
  const { tree, state: s } = ctx;
  const oid = tvb.u32(n);
  tree.item(node, F.oid, tvb, n, 4);
  n += 4;
  const nFormats = tvb.u16(n);
  tvb.check(n + 2, nFormats * 2);
  let sub = tree.text(node, tvb, n, 2 + nFormats * 2, `Parameter formats: ${nFormats}`);
  n += 2;
  for (let i = 0; i < nFormats; i++, n += 2) tree.item(sub, F.format, tvb, n, 2);
  const nValues = tvb.u16(n);
  sub = tree.text(node, tvb, n, 2, `Parameter values: ${nValues}`);
  n += 2;
  for (let i = 0; i < nValues; i++) {
    const siz = tvb.i32(n);
    tree.add(sub, F.valLength, tvb, n, 4, siz);
    n += 4;
    if (siz > 0) {
      tree.item(sub, F.valData, tvb, n, siz);
      n += siz;
    }
  }
  tree.item(node, F.format, tvb, n, 2);
  onSimpleQuery(s, ctx.emit, 'Function call', `function oid ${oid}`);
}
