/** ICMP and ICMPv6: the header, and the offending packet that error messages carry. */
import { defineProtocol, f } from './types';

export const ICMP = defineProtocol('icmp', 'Internet Control Message Protocol', 'ICMP', {
  type: f.uint('icmp.type', 'Type', 8, 'dec', {
    0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench', 5: 'Redirect', 8: 'Echo (ping) request',
    11: 'Time-to-live exceeded', 12: 'Parameter problem', 13: 'Timestamp', 14: 'Timestamp reply',
  }),
  code: f.uint('icmp.code', 'Code', 8),
  checksum: f.uint('icmp.checksum', 'Checksum', 16, 'hex'),
  unused: f.bytes('icmp.unused', 'Unused'),
  mtu: f.uint('icmp.mtu', 'MTU of next hop', 16),
});

export const ICMPV6 = defineProtocol('icmpv6', 'Internet Control Message Protocol v6', 'ICMPv6', {
  type: f.uint('icmpv6.type', 'Type', 8, 'dec', {
    1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem', 128: 'Echo (ping) request',
    129: 'Echo (ping) reply', 133: 'Router Solicitation', 134: 'Router Advertisement', 135: 'Neighbor Solicitation',
    136: 'Neighbor Advertisement', 137: 'Redirect',
  }),
  code: f.uint('icmpv6.code', 'Code', 8),
  checksum: f.uint('icmpv6.checksum', 'Checksum', 16, 'hex'),
  reserved: f.bytes('icmpv6.reserved', 'Reserved'),
  mtu: f.uint('icmpv6.mtu', 'MTU', 32),
});
