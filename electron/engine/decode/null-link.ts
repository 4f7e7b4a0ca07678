/** BSD loopback: LINKTYPE_NULL (family in the capturing host's byte order) and LINKTYPE_LOOP (network order). */
import { NULL_LINK, RAW } from '../../../shared/fields/link';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

// AF_INET is 2 everywhere; AF_INET6 differs by OS (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS, 10 Linux).
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

export function dissectNull(L: Layers, tvb: Tvb, networkOrder: boolean): void {
  const { tree } = L;
  tvb.check(0, 4);
  const be = tvb.u32(0), le = tvb.u32le(0);
  const item = tree.protocol(null, NULL_LINK, tvb, 0, 4, 'Null/Loopback');
  const payload = tvb.sub(4);
  let family: number;
  if (networkOrder || (be & 0xffff0000) === 0) family = be;
  else if ((le & 0xffff0000) === 0) family = le; // written by a little-endian host
  else {
    // An old form with an Ethernet type in the low 16 bits (Wireshark's null.type).
    const type = tvb.u16(2);
    tree.add(item, NULL_LINK.f.type, tvb, 2, 2, type);
    if (type === 0x0800) L.ipv4(payload);
    else if (type === 0x86dd) L.ipv6(payload);
    else L.data(payload);
    return;
  }
  tree.add(item, NULL_LINK.f.family, tvb, 0, 4, family);
  if (family === AF_INET) L.ipv4(payload);
  else if (AF_INET6.has(family)) L.ipv6(payload);
  else L.data(payload);
}

/** LINKTYPE_RAW and friends: the version nibble says IPv4 or IPv6. */
export function dissectRawIp(L: Layers, tvb: Tvb): void {
  L.tree.protocol(null, RAW, tvb, 0, 0, 'Raw packet data');
  const v = tvb.u8(0) >> 4;
  if (v === 4) L.ipv4(tvb);
  else if (v === 6) L.ipv6(tvb);
  else L.data(tvb);
}
