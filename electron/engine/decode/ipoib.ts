/**
 * IP over InfiniBand (LINKTYPE_IPOIB): a 44-byte header — 20 bytes of source hardware address
 * (not shown by Wireshark), the 20-byte destination address (QPN, GID), type and reserved.
 */
import { IPOIB } from '../../../shared/fields/link';
import { dissectEthertype } from './ethertype';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

export function dissectIpoib(L: Layers, tvb: Tvb): void {
  const { tree } = L;
  const F = IPOIB.f;
  tvb.check(0, 44);
  const item = tree.protocol(null, IPOIB, tvb, 0, 44, 'IP over Infiniband');
  const daddr = tree.add(item, F.daddr, tvb, 20, 20, null, 'Destination address');
  tree.item(daddr, F.daddrQpn, tvb, 21, 3);
  tree.add(daddr, F.dgid, tvb, 24, 16, tvb.bytes(24, 16));
  const type = tvb.u16(40);
  tree.add(item, F.type, tvb, 40, 2, type);
  tree.item(item, F.reserved, tvb, 42, 2);
  dissectEthertype(L, type, tvb.sub(44));
}
