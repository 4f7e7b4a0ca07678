/** IPv4 and IPv6. */
import { defineProtocol, f } from './types';

export const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop Option', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 43: 'Routing Header for IPv6',
  44: 'Fragment Header for IPv6', 47: 'Generic Routing Encapsulation', 50: 'Encap Security Payload', 51: 'Authentication Header',
  58: 'ICMPv6', 59: 'IPv6 No Next Header', 60: 'Destination Options for IPv6', 132: 'SCTP',
};

export const IP = defineProtocol('ip', 'Internet Protocol Version 4', 'IPv4', {
  version: f.uint('ip.version', 'Version', 8),
  hdrLen: f.uint('ip.hdr_len', 'Header Length', 8),
  dsfield: f.uint('ip.dsfield', 'Differentiated Services Field', 8, 'hex'),
  dscp: f.uint('ip.dsfield.dscp', 'Differentiated Services Codepoint', 8, 'dec', undefined, 0xfc),
  ecn: f.uint('ip.dsfield.ecn', 'Explicit Congestion Notification', 8, 'dec', undefined, 0x03),
  len: f.uint('ip.len', 'Total Length', 16),
  id: f.uint('ip.id', 'Identification', 16, 'hex_dec'),
  flags: f.uint('ip.flags', 'Flags', 8, 'hex', undefined, 0xe0),
  flagsRb: f.bool('ip.flags.rb', 'Reserved bit', 8, 0x80),
  flagsDf: f.bool('ip.flags.df', "Don't fragment", 8, 0x40),
  flagsMf: f.bool('ip.flags.mf', 'More fragments', 8, 0x20),
  fragOffset: f.uint('ip.frag_offset', 'Fragment Offset', 16, 'dec', undefined, 0x1fff),
  ttl: f.uint('ip.ttl', 'Time to Live', 8),
  proto: f.uint('ip.proto', 'Protocol', 8, 'dec', IP_PROTOCOLS),
  checksum: f.uint('ip.checksum', 'Header Checksum', 16, 'hex'),
  checksumStatus: f.uint('ip.checksum.status', 'Header checksum status', 8, 'none', { 0: 'Bad', 1: 'Good', 2: 'Unverified' }),
  src: f.ipv4('ip.src', 'Source Address'),
  dst: f.ipv4('ip.dst', 'Destination Address'),
  addr: f.ipv4('ip.addr', 'Source or Destination Address'),
  optType: f.uint('ip.opt.type', 'Type', 8),
  optLen: f.uint('ip.opt.len', 'Length', 8),
  lenBad: f.none('ip.bogus_ip_length', 'Bogus IP length'),
  hdrLenBad: f.none('ip.bogus_header_length', 'Bogus IP header length'),
});

/** IPv6 extension headers are protocols of their own in Wireshark (filterable as "ipv6.hopopts"). */
export const IPV6_HOPOPTS = defineProtocol('ipv6.hopopts', 'IPv6 Hop-by-Hop Option', 'IPv6', {});
export const IPV6_DSTOPTS = defineProtocol('ipv6.dstopts', 'Destination Options for IPv6', 'IPv6', {});
export const IPV6_ROUTING = defineProtocol('ipv6.routing', 'Routing Header for IPv6', 'IPv6', {});
export const IPV6_FRAGHDR = defineProtocol('ipv6.fraghdr', 'Fragment Header for IPv6', 'IPv6', {});

export const IPV6 = defineProtocol('ipv6', 'Internet Protocol Version 6', 'IPv6', {
  version: f.uint('ipv6.version', 'Version', 8),
  tclass: f.uint('ipv6.tclass', 'Traffic Class', 32, 'hex', undefined, 0x0ff00000),
  flow: f.uint('ipv6.flow', 'Flow Label', 24, 'hex', undefined, 0xfffff),
  plen: f.uint('ipv6.plen', 'Payload Length', 16),
  nxt: f.uint('ipv6.nxt', 'Next Header', 8, 'dec', IP_PROTOCOLS),
  hlim: f.uint('ipv6.hlim', 'Hop Limit', 8),
  src: f.ipv6('ipv6.src', 'Source Address'),
  dst: f.ipv6('ipv6.dst', 'Destination Address'),
  addr: f.ipv6('ipv6.addr', 'Source or Destination Address'),
  hopoptsNxt: f.uint('ipv6.hopopts.nxt', 'Next Header', 8, 'dec', IP_PROTOCOLS),
  hopoptsLen: f.uint('ipv6.hopopts.len', 'Length', 8),
  dstoptsNxt: f.uint('ipv6.dstopts.nxt', 'Next Header', 8, 'dec', IP_PROTOCOLS),
  dstoptsLen: f.uint('ipv6.dstopts.len', 'Length', 8),
  routingNxt: f.uint('ipv6.routing.nxt', 'Next Header', 8, 'dec', IP_PROTOCOLS),
  routingLen: f.uint('ipv6.routing.len', 'Length', 8),
  routingType: f.uint('ipv6.routing.type', 'Type', 8),
  fragNxt: f.uint('ipv6.fraghdr.nxt', 'Next header', 8, 'dec', IP_PROTOCOLS),
  fragOffset: f.uint('ipv6.fraghdr.offset', 'Offset', 16, 'dec', undefined, 0xfff8),
  fragMore: f.bool('ipv6.fraghdr.more', 'More Fragments', 16, 0x0001),
  fragIdent: f.uint('ipv6.fraghdr.ident', 'Identification', 32, 'hex'),
  plenBad: f.none('ipv6.plen_exceeds_framing', 'IPv6 payload length does not match expected framing length'),
});
