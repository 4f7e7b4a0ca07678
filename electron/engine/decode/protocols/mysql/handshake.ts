/**
 * Connection phase: server greeting (HandshakeV10), SSL request, login (HandshakeResponse41),
 * auth switch request/response and the caching_sha2_password exchanges.
 */
import { CAP, EXT } from './constants';
import { colAppend, colFence, colSet } from './info';
import { readLenEnc, asLength, strSize, strzValue } from './lenenc';
import {
  F, type Msg, addBitmask, addLenEncUint, addSecret, addServerStatus, addStrz, CAPS_FLAGS, EXTCAPS_FLAGS,
} from './items';
import { dissectErrorBody } from './response';

/** Wireshark's printable rendering of column text (tvb_format_text), enough for Info. */
export function formatText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || c === 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

const MARIADB_VERSION_PREFIX = '5.5.5-';

export function dissectGreeting(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Server Greeting ');
  const proto = tvb.u8(off);
  if (proto === 0xff) {
    // The server refuses the connection before the handshake (e.g. 1130 host not allowed).
    const err = dissectErrorBody(m, m.item, off + 1);
    ctx.emit({ kind: 'login', phase: 'error', errorCode: String(err.code), errorMessage: err.message });
    return;
  }
  st.phase = 'login';
  const g = tree.add(m.item, F.serverGreeting, tvb, off, tvb.length - off, null);
  colAppend(st, ctx.pinfo, ` proto=${proto}`);
  tree.add(g, F.protocol, tvb, off, 1, proto);
  off += 1;

  const vsize = strSize(tvb, off);
  const version = strzValue(tvb, off, vsize);
  const shown = vsize > 6 && version.startsWith(MARIADB_VERSION_PREFIX) ? version.slice(MARIADB_VERSION_PREFIX.length) : version;
  colAppend(st, ctx.pinfo, ` version=${formatText(shown)} `);
  colFence(st, ctx.pinfo);
  tree.add(g, F.version, tvb, off, vsize, version);
  const major = /^(\d+)\./.exec(version);
  st.major = major ? Math.min(Number(major[1]), 255) : 0;
  off += vsize;

  tree.item(g, F.threadId, tvb, off, 4, 'le');
  off += 4;
  off += addStrz(tree, g, F.salt, tvb, off).size;
  if (tvb.remaining(off) <= 0) return;

  st.srvCaps = addBitmask(tree, g, F.capsServer, CAPS_FLAGS, tvb, off, 2);
  off += 2;
  if (tvb.remaining(off) <= 0) return;
  tree.item(g, F.serverLanguage, tvb, off, 1);
  off += 1;
  addServerStatus(m, g, off);
  off += 2;
  st.srvExt = addBitmask(tree, g, F.extcapsServer, EXTCAPS_FLAGS, tvb, off, 2);
  off += 2;
  tree.item(g, F.authPluginLength, tvb, off, 1);
  off += 1;
  tree.item(g, F.unused, tvb, off, 10);
  off += 10;
  if (tvb.remaining(off) > 0) off += addStrz(tree, g, F.salt2, tvb, off).size;
  if (tvb.remaining(off) > 0) {
    const p = addStrz(tree, g, F.authPlugin, tvb, off);
    st.authMethod = p.text;
    off += p.size;
  }
}

export function dissectLogin(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Login Request');
  const login = tree.add(m.item, F.loginRequest, tvb, off, tvb.length - off, null);
  const caps = addBitmask(tree, login, F.capsClient, CAPS_FLAGS, tvb, off, 2);
  st.cliCaps = caps;
  off += 2;
  const sslRequest = (caps & CAP.SSL) !== 0 && st.tls === 'none';
  if (sslRequest) colSet(st, ctx.pinfo, 'Response: SSL Handshake');

  if (caps & CAP.PROTOCOL_41) {
    st.cliExt = addBitmask(tree, login, F.extcapsClient, EXTCAPS_FLAGS, tvb, off, 2);
    off += 2;
    tree.item(login, F.maxPacket, tvb, off, 4, 'le');
    off += 4;
    tree.item(login, F.charset, tvb, off, 1);
    off += 1;
    tree.item(login, F.unused, tvb, off, 23);
    off += 23;
  } else {
    st.cliExt = 0;
    tree.item(login, F.maxPacket, tvb, off, 3, 'le');
    off += 3;
  }

  if (sslRequest) {
    // The rest of the handshake runs inside TLS.
    colAppend(st, ctx.pinfo, ' user= ');
    st.tls = 'requested';
    st.phase = 'login';
    ctx.emit({ kind: 'tls', phase: 'requested' });
    return;
  }
  st.capsKnown = true;
  st.phase = caps !== 0 ? 'response_ok' : st.phase;
  if ((st.srvCaps & CAP.COMPRESS) && (caps & CAP.COMPRESS)) st.compression = 'init';
  st.authenticating = true;

  const usize = strSize(tvb, off);
  const user = strzValue(tvb, off, usize);
  colAppend(st, ctx.pinfo, ` user=${formatText(user)} `);
  tree.add(login, F.user, tvb, off, usize, user);
  off += usize;
  let database: string | undefined;
  if (tvb.remaining(off) > 0) {
    off = authResponse(m, login, off, caps, st.cliExt);
    if (caps & CAP.CONNECT_WITH_DB && tvb.remaining(off) >= 0) {
      const s = strSize(tvb, off);
      database = strzValue(tvb, off, s);
      colAppend(st, ctx.pinfo, `db=${formatText(database)} `);
      tree.add(login, F.schema, tvb, off, s, database);
      off += s;
    }
    if (st.cliExt & EXT.PLUGIN_AUTH) {
      st.phase = 'auth_switch_request';
      const p = addStrz(tree, login, F.clientAuthPlugin, tvb, off);
      st.authMethod = p.text;
      off += p.size;
    }
    if (st.cliExt & EXT.CONNECT_ATTRS && tvb.remaining(off) > 0) off = connectAttributes(m, login, off);
    if (st.cliExt & EXT.ZSTD && tvb.remaining(off) > 0) {
      tree.item(login, F.compressionZstdLevel, tvb, off, 1);
      off += 1;
    }
  }
  colFence(st, ctx.pinfo);
  ctx.emit({ kind: 'login', phase: 'attempt', user, ...(database !== undefined ? { database } : {}) });
}

/** The scrambled password: 1-byte (or length-encoded) length with 4.1 auth, else NUL-terminated. */
function authResponse(m: Msg, parent: Parameters<typeof addSecret>[1], off: number, caps: number, ext: number): number {
  const { tree, tvb } = m;
  if (caps & CAP.SECURE_CONNECTION) {
    const le = ext & EXT.PLUGIN_AUTH_LENENC ? readLenEnc(tvb, off) : { value: tvb.u8(off), size: 1 };
    const len = asLength(le.value);
    off += le.size;
    if (len > 0) addSecret(tree, parent, F.passwd, tvb, off, len);
    else tvb.check(off, 0);
    return off + len;
  }
  const len = strSize(tvb, off);
  if (len > 1) addSecret(tree, parent, F.passwd, tvb, off, len);
  return off + len;
}

export function connectAttributes(m: Msg, parent: Parameters<typeof addSecret>[1], off: number): number {
  const { tree, tvb } = m;
  const total = readLenEnc(tvb, off);
  const totalLen = asLength(total.value);
  const node = tree.add(parent, F.connattrs, tvb, off, Math.min(total.size + totalLen, tvb.length - off), null);
  tree.add(node, F.connattrsLength, tvb, off, total.size, total.value);
  off += total.size;
  const end = off + totalLen;
  tvb.check(off, totalLen);
  while (off < end) {
    const start = off;
    const attr = tree.add(node, F.connattrsAttr, tvb, off, 0, null);
    const n = addLenEncUint(tree, attr, F.connattrsNameLength, tvb, off);
    off += n.size;
    const nameLen = asLength(n.value);
    const name = tvb.str(off, nameLen);
    tree.add(attr, F.connattrsName, tvb, off, nameLen, name);
    off += nameLen;
    const v = addLenEncUint(tree, attr, F.connattrsValueLength, tvb, off);
    off += v.size;
    const valueLen = asLength(v.value);
    const value = tvb.str(off, valueLen);
    tree.add(attr, F.connattrsValue, tvb, off, valueLen, value);
    off += valueLen;
    attr.length = off - start;
    attr.text = `Connection Attribute - ${name}: ${value}`;
  }
  return off;
}

/** Server asks the client to use another auth method (0xfe + plugin name + data). */
export function dissectAuthSwitchRequest(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Auth Switch Request ');
  colFence(st, ctx.pinfo);
  st.phase = 'auth_switch_response';
  if (st.cliExt & EXT.PLUGIN_AUTH) {
    const name = addStrz(tree, m.item, F.authSwitchRequestName, tvb, off);
    st.authMethod = name.text;
    off += name.size;
    const len = strSize(tvb, off);
    tree.add(m.item, F.authSwitchRequestData, tvb, off, len, tvb.bytes(off, len));
  } else {
    tree.item(m.item, F.authSwitchRequestStatus, tvb, off, 1);
  }
}

export function dissectAuthSwitchResponse(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Auth Switch Response ');
  colFence(st, ctx.pinfo);
  const len = tvb.length - off;
  if (len > 0) addSecret(tree, m.item, F.authSwitchResponseData, tvb, off, len);
  if (st.authMethod === 'caching_sha2_password') st.phase = 'auth_sha2';
}

const SHA2_STATES: Readonly<Record<number, string>> = {
  2: 'request_public_key', 3: 'fast_auth_success', 4: 'perform_full_authentication',
};

/** caching_sha2_password: 0x01 + state from the server, or the client's one-byte public key request. */
export function dissectAuthSha2(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Caching_sha2_password ');
  colFence(st, ctx.pinfo);
  if (!ctx.fromServer && tvb.length - off !== 1) {
    // The password itself (RSA-encrypted, or clear text inside TLS).
    addSecret(tree, m.item, F.sha2Response, tvb, off, tvb.length - off);
    st.phase = 'response_ok';
    return;
  }
  if (tvb.length - off === 2) off += 1; // the 0x01 "more data" marker
  const c = tvb.u8(off);
  const name = SHA2_STATES[c] ?? 'unknown';
  if (c === 2) st.phase = 'auth_pubkey';
  else if (c === 4) st.phase = 'auth_sha2';
  colAppend(st, ctx.pinfo, name);
  tree.add(m.item, F.sha2Auth, tvb, off, 1, name);
}

/** The server's RSA public key (0x01 + PEM text). */
export function dissectPublicKey(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Public key ');
  colFence(st, ctx.pinfo);
  st.phase = 'auth_sha2_response';
  off += 1;
  const len = Math.max(0, tvb.length - off);
  tree.add(m.item, F.pubkey, tvb, off, len, strzValue(tvb, off, len));
}

/** The client's RSA-encrypted password after it received the public key. */
export function dissectSha2Response(m: Msg, off: number): void {
  const { tree, tvb, st, ctx } = m;
  colSet(st, ctx.pinfo, 'Caching_sha2_password response');
  const len = tvb.length - off;
  if (len > 0) addSecret(tree, m.item, F.sha2Response, tvb, off, len);
  st.phase = 'response_ok';
}
