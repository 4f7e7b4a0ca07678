/** 802.1Q / 802.1ad VLAN tags (QinQ is a VLAN inside a VLAN). */
import { IEEE8021AD, VLAN, VNTAG } from '../../../shared/fields/link';
import { dissectEthertype } from './ethertype';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

/** An 802.1ad service tag (TPID 0x88a8): the outer tag of Q-in-Q. */
export function dissectIeee8021ad(L: Layers, tvb: Tvb): number {
  const { tree } = L;
  const F = IEEE8021AD.f;
  tvb.check(0, 4);
  const tci = tvb.u16(0);
  const item = tree.protocol(null, IEEE8021AD, tvb, 0, 4, `IEEE 802.1ad, ID: ${tci & 0xfff}`);
  tree.item(item, F.priority, tvb, 0, 2);
  tree.item(item, F.dei, tvb, 0, 2);
  tree.item(item, F.id, tvb, 0, 2);
  const used = dissectEthertype(L, tvb.u16(2), tvb.sub(4));
  return used < 0 ? tvb.length : 4 + used;
}

/** A VN-Tag: 4 bytes of tag, then the EtherType of what follows. */
export function dissectVntag(L: Layers, tvb: Tvb): number {
  const { tree } = L;
  const F = VNTAG.f;
  tvb.check(0, 6);
  const item = tree.protocol(null, VNTAG, tvb, 0, 6, 'VN-Tag');
  for (const def of [F.dir, F.ptr, F.dst, F.looped, F.r, F.version, F.src]) tree.item(item, def, tvb, 0, 4);
  const type = tvb.u16(4);
  tree.add(item, F.etype, tvb, 4, 2, type);
  const used = dissectEthertype(L, type, tvb.sub(6));
  return used < 0 ? tvb.length : 6 + used;
}

export function dissectVlan(L: Layers, tvb: Tvb): number {
  const { tree } = L;
  const F = VLAN.f;
  tvb.check(0, 4);
  const tci = tvb.u16(0);
  const type = tvb.u16(2);
  const item = tree.protocol(null, VLAN, tvb, 0, 4, `802.1Q Virtual LAN, PRI: ${tci >> 13}, DEI: ${(tci >> 12) & 1}, ID: ${tci & 0xfff}`);
  tree.item(item, F.priority, tvb, 0, 2);
  tree.item(item, F.dei, tvb, 0, 2);
  tree.item(item, F.id, tvb, 0, 2);
  if (type <= 1500) {
    tree.add(item, F.len, tvb, 2, 2, type);
    L.data(tvb.sub(4));
    return tvb.length;
  }
  tree.add(item, F.etype, tvb, 2, 2, type);
  const used = dissectEthertype(L, type, tvb.sub(4));
  return used < 0 ? tvb.length : 4 + used;
}
