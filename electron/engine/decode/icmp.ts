/**
 * ICMP and ICMPv6. Error messages carry the start of the packet that caused them; it is decoded
 * as Wireshark does (its addresses and ports become further occurrences of ip.src, udp.srcport...),
 * without touching conversations or the summary columns.
 */
import { ICMP, ICMPV6 } from '../../../shared/fields/icmp';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMPV6_ERRORS = new Set([1, 2, 3, 4]);

export function dissectIcmp(L: Layers, tvb: Tvb, v6: boolean): void {
  const { tree, pinfo } = L;
  const P = v6 ? ICMPV6 : ICMP;
  tvb.check(0, 4);
  const type = tvb.u8(0), code = tvb.u8(1);
  const item = tree.protocol(null, P, tvb, 0, tvb.length);
  tree.add(item, P.f.type, tvb, 0, 1, type);
  tree.add(item, P.f.code, tvb, 1, 1, code);
  tree.item(item, P.f.checksum, tvb, 2, 2);
  pinfo.colProtocol = P.short;
  pinfo.colInfo = `${P.f.type.values?.[type] ?? 'Type ' + type} (code ${code})`;
  const isError = v6 ? ICMPV6_ERRORS.has(type) : ICMP_ERRORS.has(type);
  if (!isError || tvb.length < 8) {
    if (tvb.length > 4) L.data(tvb.sub(4));
    return;
  }
  if (v6 && type === 2) tree.item(item, ICMPV6.f.mtu, tvb, 4, 4);
  else if (!v6 && type === 3 && code === 4) tree.item(item, ICMP.f.mtu, tvb, 6, 2);
  else tree.add(item, v6 ? ICMPV6.f.reserved : ICMP.f.unused, tvb, 4, 4, tvb.bytes(4, 4));
  L.inErrorPacket(() => (v6 ? L.ipv6(tvb.sub(8)) : L.ipv4(tvb.sub(8))));
}
