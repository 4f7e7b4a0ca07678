/** Linux cooked capture, v1 (LINKTYPE_LINUX_SLL, 16 bytes) and v2 (LINKTYPE_LINUX_SLL2, 20 bytes). */
import { SLL } from '../../../shared/fields/link';
import { dissectEthertype } from './ethertype';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

const ARPHRD_ETHER = 1;

export function dissectSll(L: Layers, tvb: Tvb, version: 1 | 2): void {
  const { tree } = L;
  const F = SLL.f;
  const hdr = version === 1 ? 16 : 20;
  tvb.check(0, hdr);
  const item = tree.protocol(null, SLL, tvb, 0, hdr, version === 1 ? 'Linux cooked capture v1' : 'Linux cooked capture v2');
  let protoOff: number, hatypeOff: number, halenOff: number, addrOff: number, pkttype: number;
  if (version === 1) {
    pkttype = tvb.u16(0);
    tree.add(item, F.pkttype, tvb, 0, 2, pkttype);
    hatypeOff = 2; halenOff = 4; addrOff = 6; protoOff = 14;
    tree.item(item, F.hatype, tvb, hatypeOff, 2);
    tree.add(item, F.halen, tvb, halenOff, 2, tvb.u16(halenOff));
  } else {
    protoOff = 0; hatypeOff = 8; halenOff = 11; addrOff = 12;
    tree.item(item, F.ifindex, tvb, 4, 4);
    tree.item(item, F.hatype, tvb, hatypeOff, 2);
    pkttype = tvb.u8(10);
    tree.add(item, F.pkttype, tvb, 10, 1, pkttype);
    tree.add(item, F.halen, tvb, halenOff, 1, tvb.u8(halenOff));
  }
  const hatype = tvb.u16(hatypeOff);
  const halen = version === 1 ? tvb.u16(halenOff) : tvb.u8(halenOff);
  if (hatype === ARPHRD_ETHER && halen === 6) tree.add(item, F.srcEth, tvb, addrOff, 6, tvb.bytes(addrOff, 6));
  else if (halen > 0) tree.add(item, F.srcOther, tvb, addrOff, Math.min(halen, 8), tvb.bytes(addrOff, Math.min(halen, 8)));
  const proto = tvb.u16(protoOff);
  const payload = tvb.sub(hdr);
  if (proto <= 1500) {
    tree.add(item, F.ltype, tvb, protoOff, 2, proto);
    L.data(payload);
    return;
  }
  tree.add(item, F.etype, tvb, protoOff, 2, proto);
  const used = dissectEthertype(L, proto, payload);
  if (used >= 0 && used < payload.length) tree.add(item, F.trailer, payload, used, payload.length - used, payload.bytes(used, payload.length - used));
}
