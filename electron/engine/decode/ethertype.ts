/** Hand-off by EtherType, shared by Ethernet, VLAN and Linux cooked capture. */
import type { Layers } from './layers';
import type { Tvb } from './tvb';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_VNTAG = 0x8926;

export function isVlanType(t: number): boolean {
  return t === ETHERTYPE_VLAN || t === ETHERTYPE_QINQ || t === ETHERTYPE_QINQ_OLD;
}

/**
 * Dissect the payload of an EtherType; returns how many bytes the upper layer claimed
 * (so the link layer can label what follows as trailer), or -1 when nothing took it.
 */
export function dissectEthertype(L: Layers, type: number, tvb: Tvb): number {
  if (type === ETHERTYPE_IPV4) return L.ipv4(tvb);
  if (type === ETHERTYPE_IPV6) return L.ipv6(tvb);
  if (type === ETHERTYPE_QINQ) return L.ieee8021ad(tvb);
  if (type === ETHERTYPE_VNTAG) return L.vntag(tvb);
  if (isVlanType(type)) return L.vlan(tvb);
  L.data(tvb);
  return -1;
}
