/** Link layers: Ethernet, 802.1Q VLAN, Linux cooked (SLL/SLL2), BSD loopback (NULL/LOOP). */
import { defineProtocol, f, type ProtocolDef } from './types';

const ETHERTYPES: Record<number, string> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q Virtual LAN', 0x88a8: '802.1ad Provider Bridge (Q-in-Q)',
  0x9100: 'VLAN-tagged frame (Q-in-Q)', 0x8863: 'PPPoE Discovery', 0x8864: 'PPPoE Session', 0x8847: 'MPLS label switched packet',
  0x88cc: '802.1 Link Layer Discovery Protocol (LLDP)',
};

export const ETH = defineProtocol('eth', 'Ethernet II', 'Ethernet', {
  dst: f.ether('eth.dst', 'Destination'),
  src: f.ether('eth.src', 'Source'),
  addr: f.ether('eth.addr', 'Address'),
  dstLg: f.bool('eth.dst.lg', 'LG bit', 24, 0x20000),
  dstIg: f.bool('eth.dst.ig', 'IG bit', 24, 0x10000),
  srcLg: f.bool('eth.src.lg', 'LG bit', 24, 0x20000),
  srcIg: f.bool('eth.src.ig', 'IG bit', 24, 0x10000),
  lg: f.bool('eth.lg', 'LG bit', 24, 0x20000),
  ig: f.bool('eth.ig', 'IG bit', 24, 0x10000),
  type: f.uint('eth.type', 'Type', 16, 'hex', ETHERTYPES),
  len: f.uint('eth.len', 'Length', 16),
  padding: f.bytes('eth.padding', 'Padding'),
  trailer: f.bytes('eth.trailer', 'Trailer'),
});

export const VLAN = defineProtocol('vlan', '802.1Q Virtual LAN', '802.1Q', {
  priority: f.uint('vlan.priority', 'Priority', 16, 'dec', undefined, 0xe000),
  dei: f.bool('vlan.dei', 'DEI', 16, 0x1000),
  id: f.uint('vlan.id', 'ID', 16, 'dec', undefined, 0x0fff),
  etype: f.uint('vlan.etype', 'Type', 16, 'hex', ETHERTYPES),
  len: f.uint('vlan.len', 'Length', 16),
  trailer: f.bytes('vlan.trailer', 'Trailer'),
  tooManyTags: f.none('vlan.too_many_tags', 'Too many nested VLAN tags'),
});

/** 802.1ad (Q-in-Q) outer tags: the same layout as 802.1Q, its own protocol in Wireshark. */
export const IEEE8021AD = defineProtocol('ieee8021ad', 'IEEE 802.1ad', '802.1ad', {
  priority: f.uint('ieee8021ad.priority', 'Priority', 16, 'dec', undefined, 0xe000),
  dei: f.uint('ieee8021ad.dei', 'DEI', 16, 'dec', undefined, 0x1000),
  id: f.uint('ieee8021ad.id', 'ID', 16, 'dec', undefined, 0x0fff),
});

/** VN-Tag (Cisco/IEEE 802.1Qbh, EtherType 0x8926). */
export const VNTAG = defineProtocol('vntag', 'VN-Tag', 'VNTAG', {
  dir: f.bool('vntag.dir', 'Direction', 32, 0x80000000),
  ptr: f.bool('vntag.ptr', 'Pointer', 32, 0x40000000),
  dst: f.uint('vntag.dst', 'Destination', 32, 'dec', undefined, 0x3fff0000),
  looped: f.bool('vntag.looped', 'Looped', 32, 0x8000),
  r: f.uint('vntag.r', 'Reserved', 32, 'dec', undefined, 0x4000),
  version: f.uint('vntag.version', 'Version', 32, 'dec', undefined, 0x3000),
  src: f.uint('vntag.src', 'Source', 32, 'dec', undefined, 0xfff),
  etype: f.uint('vntag.etype', 'Type', 16, 'hex', ETHERTYPES),
});

/** LINKTYPE_IPOIB: source and destination hardware addresses, then type and reserved. */
export const IPOIB = defineProtocol('ipoib', 'IP over Infiniband', 'IPoIB', {
  daddr: f.none('ipoib.daddr', 'Destination address'),
  daddrQpn: f.uint('ipoib.daddr.qpn', 'Destination QPN', 24, 'hex'),
  dgid: f.ipv6('ipoib.dgid', 'Destination GID'),
  type: f.uint('ipoib.type', 'Type', 16, 'hex', ETHERTYPES),
  reserved: f.uint('ipoib.reserved', 'Reserved', 16, 'hex'),
});

/** LINKTYPE_RAW: no link header; Wireshark shows a "raw" layer before IP. */
export const RAW = defineProtocol('raw', 'Raw packet data', 'Raw', {});

export const SLL = defineProtocol('sll', 'Linux cooked capture', 'SLL', {
  pkttype: f.uint('sll.pkttype', 'Packet type', 16, 'dec', {
    0: 'Unicast to us', 1: 'Broadcast', 2: 'Multicast', 3: 'Unicast to another host', 4: 'Sent by us',
  }),
  hatype: f.uint('sll.hatype', 'Link-layer address type', 16),
  halen: f.uint('sll.halen', 'Link-layer address length', 16),
  srcEth: f.ether('sll.src.eth', 'Source'),
  srcIpv4: f.ipv4('sll.src.ipv4', 'Source'),
  srcOther: f.bytes('sll.src.other', 'Source'),
  unused: f.bytes('sll.unused', 'Unused'),
  ltype: f.uint('sll.ltype', 'Protocol', 16, 'hex'),
  etype: f.uint('sll.etype', 'Protocol', 16, 'hex', ETHERTYPES),
  ifindex: f.uint('sll.ifindex', 'Interface index'),
  trailer: f.bytes('sll.trailer', 'Trailer'),
});

export const NULL_LINK = defineProtocol('null', 'Null/Loopback', 'NULL', {
  family: f.uint('null.family', 'Family', 32, 'dec', { 2: 'IP', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' }),
  type: f.uint('null.type', 'Type', 16, 'hex', ETHERTYPES),
});

export const LINK_PROTOCOLS: readonly ProtocolDef[] = [ETH, VLAN, IEEE8021AD, VNTAG, IPOIB, RAW, SLL, NULL_LINK];
