/** PRELOGIN (packet type 0x12, and the server's answer in a type 4 packet): an option table, or TLS handshake records. */
import { TDS } from '../../../../../shared/fields/tds';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';

const F = TDS.f;

/** A TLS record header (content type 20-24, version 3.x) whose record fits in the bytes. */
export function looksLikeTls(data: Uint8Array, off = 0): boolean {
  if (data.length - off < 5) return false;
  const type = data[off]!;
  const len = (data[off + 3]! << 8) | data[off + 4]!;
  return type >= 0x14 && type <= 0x18 && data[off + 1] === 3 && data[off + 2]! <= 4 && len + 5 <= data.length - off;
}

/**
 * Is this an option table: options 0..7 each with an offset and length inside the message, then 0xFF?
 * (Wireshark's test for a PRELOGIN answer inside a Response packet.)
 */
export function isPreloginOptionList(tvb: Tvb): boolean {
  let cur = 0;
  let sawOption = false;
  while (cur < tvb.length) {
    const token = tvb.data[cur]!;
    cur += 1;
    if (token === 0xff) return sawOption;
    if (token > 7 || cur + 4 > tvb.length) return false;
    const off = (tvb.data[cur]! << 8) | tvb.data[cur + 1]!;
    const len = (tvb.data[cur + 2]! << 8) | tvb.data[cur + 3]!;
    if (off > tvb.length || len > tvb.length) return false;
    sawOption = true;
    cur += 4;
  }
  return false;
}

export interface PreloginResult {
  tls: boolean;
  encryption?: number;
  version?: number;
}

export function dissectPrelogin(tvb: Tvb, tree: PacketTree, parent: ProtoNode): PreloginResult {
  const item = tree.add(parent, F.prelogin, tvb, 0, tvb.length, null);
  if (looksLikeTls(tvb.data)) {
    item.text = 'Pre-Login Message - TLS exchange';
    return { tls: true };
  }
  const res: PreloginResult = { tls: false };
  let cur = 0;
  while (cur < tvb.length) {
    const token = tvb.u8(cur);
    const opt = tree.text(item, tvb, cur, token === 0xff ? 1 : 5, 'Option');
    tree.item(opt, F.preloginToken, tvb, cur, 1);
    cur += 1;
    if (token === 0xff) { opt.text = 'Option: Terminator'; break; }
    const off = tvb.u16(cur);
    tree.item(opt, F.preloginOffset, tvb, cur, 2);
    const len = tvb.u16(cur + 2);
    tree.item(opt, F.preloginLength, tvb, cur + 2, 2);
    cur += 4;
    if (len === 0) continue;
    switch (token) {
      case 0: {
        const v = tvb.u32(off);
        tree.add(opt, F.preloginVersion, tvb, off, 4, v, `Version: ${v >>> 24}.${(v >>> 16) & 0xff}.${v & 0xffff}`);
        tree.item(opt, F.preloginSubbuild, tvb, off + 4, 2, 'le');
        opt.text = 'Option: Version';
        res.version = v;
        break;
      }
      case 1:
        tree.item(opt, F.preloginEncryption, tvb, off, 1);
        res.encryption = tvb.u8(off);
        opt.text = 'Option: Encryption';
        break;
      case 2: {
        const z = tvb.sub(off, len);
        const n = z.strzLen(0);
        tree.add(opt, F.preloginInstopt, tvb, off, len, z.str(0, n < 0 ? len : n - 1, 'latin1'));
        opt.text = 'Option: InstOpt';
        break;
      }
      case 3: tree.item(opt, F.preloginThreadid, tvb, off, 4); opt.text = 'Option: ThreadID'; break;
      case 4: tree.item(opt, F.preloginMars, tvb, off, 1); opt.text = 'Option: MARS'; break;
      case 5: tree.item(opt, F.preloginTraceid, tvb, off, len); opt.text = 'Option: TraceID'; break;
      case 6: tree.item(opt, F.preloginFedauthrequired, tvb, off, 1); opt.text = 'Option: FedAuthRequired'; break;
      case 7: tree.item(opt, F.preloginNonceopt, tvb, off, len); opt.text = 'Option: NonceOpt'; break;
      default: break; // unknown options are skipped: their offset/length are shown above
    }
  }
  return res;
}
