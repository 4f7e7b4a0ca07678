/** Ethernet II (and 802.3 length frames, shown as such). */
import { ETH } from '../../../shared/fields/link';
import { dissectEthertype } from './ethertype';
import type { Layers } from './layers';
import type { Tvb } from './tvb';
import { macText } from './addr';

export function dissectEthernet(L: Layers, tvb: Tvb): void {
  const { tree, pinfo } = L;
  const F = ETH.f;
  tvb.check(0, 14);
  const type = tvb.u16(12);
  if (tree.lean && type > 1500) {
    // The first pass: no items, and MAC texts only when no upper layer set the address columns.
    tree.protocol(null, ETH, tvb, 0, 14);
    pinfo.colProtocol = 'Ethernet';
    try {
      dissectEthertype(L, type, tvb.sub(14));
    } finally {
      if (!pinfo.src) { pinfo.src = macText(tvb.bytes(6, 6)); pinfo.dst = macText(tvb.bytes(0, 6)); }
    }
    return;
  }
  const dst = tvb.bytes(0, 6), src = tvb.bytes(6, 6);
  const item = tree.protocol(null, ETH, tvb, 0, 14, `Ethernet II, Src: ${macText(src)}, Dst: ${macText(dst)}`);
  const d = tree.add(item, F.dst, tvb, 0, 6, dst);
  tree.item(d, F.dstLg, tvb, 0, 3);
  tree.item(d, F.dstIg, tvb, 0, 3);
  tree.hidden(item, F.addr, tvb, 0, 6, dst);
  const s = tree.add(item, F.src, tvb, 6, 6, src);
  tree.item(s, F.srcLg, tvb, 6, 3);
  tree.item(s, F.srcIg, tvb, 6, 3);
  tree.hidden(item, F.addr, tvb, 6, 6, src);
  pinfo.src = macText(src);
  pinfo.dst = macText(dst);
  pinfo.colProtocol = 'Ethernet';
  if (type <= 1500) {
    // 802.3 with a length field: LLC follows, which we do not decode.
    tree.add(item, F.len, tvb, 12, 2, type);
    L.data(tvb.sub(14, Math.min(type, tvb.length - 14)));
    return;
  }
  tree.add(item, F.type, tvb, 12, 2, type);
  const payload = tvb.sub(14);
  const used = dissectEthertype(L, type, payload);
  if (used >= 0 && used < payload.length) {
    const rest = payload.sub(used);
    const allZero = rest.data.every((b) => b === 0);
    // Frames shorter than the 60-byte minimum are padded with zeros; anything else is a trailer.
    tree.add(item, allZero && tvb.length <= 60 ? F.padding : F.trailer, rest, 0, rest.length, rest.bytes(0, rest.length));
  }
}
