/** LOGIN7 (TDS 7.x) and the TDS 4.2/5.0 login record. Passwords are never shown unless secrets are on. */
import { TDS } from '../../../../../shared/fields/tds';
import type { FieldDef } from '../../../../../shared/fields/types';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { setVersion, type TdsState } from './state';
import { cstr } from './types';

const F = TDS.f;

let showSecrets = false;
/** Show passwords de-obfuscated (the CLI's --show-secrets). */
export function setShowSecrets(on: boolean): void { showSecrets = on; }

const hidden = (bytes: number): string => `<hidden, ${bytes} bytes>`;

export interface LoginResult { user?: string; database?: string; app?: string }

const LOGIN7_STRINGS: readonly [string, FieldDef | null][] = [
  ['Client Name', F.login7Clientname], ['Username', F.login7Username], ['Password', F.login7Password],
  ['App Name', F.login7Appname], ['Server Name', F.login7Servername], ['Unknown1', null],
  ['Library Name', F.login7Libraryname], ['Locale', F.login7Locale], ['Database Name', F.login7Databasename],
];

/** LOGIN7's password: each byte XOR 0xA5 after a nibble swap; undo it. */
function deobfuscate(b: Uint8Array): string {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const x = b[i]! ^ 0xa5;
    out[i] = ((x & 0x0f) << 4) | ((x & 0xf0) >> 4);
  }
  return new TextDecoder('utf-16le').decode(out);
}

export function dissectLogin7(tvb: Tvb, tree: PacketTree, parent: ProtoNode, st: TdsState): LoginResult {
  const login = tree.text(parent, tvb, 0, tvb.length, 'TDS7 Login Packet');
  const hdr = tree.text(login, tvb, 0, 36, 'Login Packet Header');
  tree.item(hdr, F.login7TotalLen, tvb, 0, 4, 'le');
  const version = tvb.u32le(4);
  tree.add(hdr, F.login7Version, tvb, 4, 4, version);
  setVersion(st, version);
  tree.item(hdr, F.login7PacketSize, tvb, 8, 4, 'le');
  const cv = tvb.u32(12);
  tree.add(hdr, F.login7ClientVersion, tvb, 12, 4, cv, `Client version: ${cv >>> 24}.${(cv >>> 16) & 0xff}.${cv & 0xffff}`);
  tree.item(hdr, F.login7ClientPid, tvb, 16, 4, 'le');
  tree.item(hdr, F.login7ConnectionId, tvb, 20, 4, 'le');
  tree.item(hdr, F.login7OptionFlags1, tvb, 24, 1);
  tree.item(hdr, F.login7OptionFlags2, tvb, 25, 1);
  tree.item(hdr, F.login7SqlTypeFlags, tvb, 26, 1);
  tree.item(hdr, F.login7ReservedFlags, tvb, 27, 1);
  tree.item(hdr, F.login7TimeZone, tvb, 28, 4, 'le');
  tree.item(hdr, F.login7Collation, tvb, 32, 4, 'le');
  const table = tree.text(login, tvb, 36, 50, 'Lengths and offsets');
  const res: LoginResult = {};
  for (let i = 0; i < LOGIN7_STRINGS.length; i++) {
    const [label, def] = LOGIN7_STRINGS[i]!;
    const at = 36 + i * 4;
    const off = tvb.u16le(at);
    const chars = tvb.u16le(at + 2);
    tree.add(table, F.login7Offset, tvb, at, 2, off, `${label} offset: ${off}`);
    tree.add(table, F.login7Length, tvb, at + 2, 2, chars, `${label} length: ${chars}`);
    if (chars === 0 || !def) continue;
    const bytes = chars * 2;
    if (def === F.login7Password) {
      const b = tvb.bytes(off, bytes);
      const v = showSecrets ? deobfuscate(b) : hidden(bytes);
      tree.add(login, def, tvb, off, bytes, v, `Password: ${v}`);
      continue;
    }
    const s = cstr(tvb.str(off, bytes, 'utf16le'));
    tree.add(login, def, tvb, off, bytes, s);
    if (def === F.login7Username) res.user = s;
    else if (def === F.login7Databasename) res.database = s;
    else if (def === F.login7Appname) res.app = s;
  }
  return res;
}

/** A fixed-width name field of the TDS 4/5 login: `size` bytes then a length byte. */
function loginName(tvb: Tvb, tree: PacketTree, node: ProtoNode, off: number, size: number,
  def: FieldDef, lenDef: FieldDef, secret = false): { value: string; next: number } {
  let len = tvb.u8(off + size);
  tree.add(node, lenDef, tvb, off + size, 1, len);
  if (len > size) {
    tree.expert(node, F.invalidLength, 'Warning', `Invalid ${def.label} length (${len})`, tvb, off + size, 1);
    len = size;
  }
  let value = '';
  if (len > 0) {
    value = secret && !showSecrets ? hidden(len) : cstr(tvb.str(off, len, 'latin1'));
    tree.add(node, def, tvb, off, len, value);
  }
  return { value, next: off + size + 1 };
}

/** TDS 4.2/5.0 login record: fixed 30-byte name fields, byte-order options, remote passwords, version. */
export function dissectLogin45(tvb: Tvb, tree: PacketTree, parent: ProtoNode, st: TdsState): LoginResult {
  const node = tree.add(parent, F.login, tvb, 0, tvb.length, null, 'TDS 4/5 Login Packet');
  let off = loginName(tvb, tree, node, 0, 30, F.loginHostname, F.loginHostnameLength).next;
  const user = loginName(tvb, tree, node, off, 30, F.loginUsername, F.loginUsernameLength);
  off = loginName(tvb, tree, node, user.next, 30, F.loginPassword, F.loginPasswordLength, true).next;
  off = loginName(tvb, tree, node, off, 30, F.loginHostprocess, F.loginHostprocessLength).next;
  const int2 = tvb.u8(off);
  const int4 = tvb.u8(off + 1);
  const chr = tvb.u8(off + 2);
  tree.add(node, F.loginOptionInt2, tvb, off, 1, int2);
  tree.add(node, F.loginOptionInt4, tvb, off + 1, 1, int4);
  tree.add(node, F.loginOptionChar, tvb, off + 2, 1, chr);
  st.int2Le = int2 !== 2; // 2 = big-endian, 3 = little-endian
  st.int4Le = int4 !== 0; // 0 = big-endian, 1 = little-endian
  st.charUtf16 = false;
  off += 9 + 4 + 3; // options, TDS 4 packet size, spare
  off = loginName(tvb, tree, node, off, 30, F.loginAppname, F.loginAppnameLength).next;
  off = loginName(tvb, tree, node, off, 30, F.loginServername, F.loginServernameLength).next;
  tree.text(node, tvb, off, 256, 'Remote password');
  off += 256;
  const version = tvb.u32(off);
  tree.add(node, F.loginProtoversion, tvb, off, 4, version);
  setVersion(st, version);
  node.text = version === 0x05000000 ? 'TDS 5 Login Packet' : 'TDS 4 Login Packet';
  off += 4;
  off = loginName(tvb, tree, node, off, 10, F.loginProgname, F.loginPrognameLength).next;
  tree.item(node, F.loginProgversion, tvb, off, 4);
  off += 4 + 3; // program version, options 2
  off = loginName(tvb, tree, node, off, 30, F.loginLanguage, F.loginLanguageLength).next;
  off += 1 + 2 + 3 + 6 + 2; // setlang, oldsecure, seclogin/secbulk/halogin, session id, secspare
  off = loginName(tvb, tree, node, off, 30, F.loginCharset, F.loginCharsetLength).next;
  off += 1; // setcharset
  loginName(tvb, tree, node, off, 6, F.loginPacketsize, F.loginPacketsizeLength);
  return { user: user.value || undefined };
}
