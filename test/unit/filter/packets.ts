/**
 * Packets for the filter tests, built by hand: real header bytes (so slices read what Wireshark
 * would) and field items from the registry at the offsets a dissector would use.
 */
import { lookupField } from '../../../shared/fields/registry';
import type { FieldDef } from '../../../shared/fields/types';
import { PacketTree, type FieldValue, type ProtoNode } from '../../../electron/engine/decode/tree';
import { Tvb } from '../../../electron/engine/decode/tvb';

function def(name: string): FieldDef {
  const d = lookupField(name);
  if (!d) throw new Error(`test uses unknown field ${name}`);
  return d;
}

const hex = (s: string) => Uint8Array.from(s.replace(/[^0-9a-f]/gi, '').match(/../g)!.map((h) => parseInt(h, 16)));

class Builder {
  readonly tree: PacketTree;
  readonly tvb: Tvb;
  constructor(bytes: Uint8Array) {
    this.tree = new PacketTree(bytes);
    this.tvb = new Tvb(bytes);
  }
  proto(name: string, off: number, len: number, parent: ProtoNode | null = null): ProtoNode {
    const d = def(name);
    return this.tree.protocol(parent, { name, label: d.label, short: name, fields: [d] }, this.tvb, off, len);
  }
  add(parent: ProtoNode | null, name: string, off: number, len: number, value: FieldValue): ProtoNode {
    return this.tree.add(parent, def(name), this.tvb, off, len, value);
  }
  gen(parent: ProtoNode | null, name: string, value: FieldValue): ProtoNode {
    return this.tree.generated(parent, def(name), value);
  }
}

const QUERY = 'SELECT * FROM users WHERE name = \'Zoë\'';

/**
 * Frame 7: Ethernet / IPv4 10.0.0.1 → 192.168.1.20 / TCP 51000 → 3306 [PSH, ACK] carrying a MySQL
 * COM_QUERY. 2013-03-05 02:59:32.452858 UTC.
 */
export function mysqlQueryPacket(): PacketTree {
  const payloadText = new TextEncoder().encode(QUERY);
  const mysqlHdr = Uint8Array.of(payloadText.length + 1, 0, 0, 0, 0x03);
  const eth = hex('00 1f d0 81 c8 9a 58 b0 35 74 f1 22 08 00');
  const ipTotal = 20 + 20 + mysqlHdr.length + payloadText.length;
  const ip = hex(`45 00 ${(ipTotal >> 8).toString(16).padStart(2, '0')} ${(ipTotal & 0xff).toString(16).padStart(2, '0')} 1c 46 40 00 40 06 00 00 0a 00 00 01 c0 a8 01 14`);
  const tcp = hex('c7 38 0c ea 00 00 03 e8 00 00 07 d0 50 18 01 f5 00 00 00 00');
  const bytes = new Uint8Array([...eth, ...ip, ...tcp, ...mysqlHdr, ...payloadText]);
  const b = new Builder(bytes);
  const frame = b.proto('frame', 0, bytes.length);
  b.gen(frame, 'frame.time', 1362452372452858000n);
  b.gen(frame, 'frame.time_epoch', 1362452372452858000n);
  b.gen(frame, 'frame.time_delta', 0.0023);
  b.gen(frame, 'frame.time_relative', 45.5);
  b.gen(frame, 'frame.number', 7);
  b.gen(frame, 'frame.len', bytes.length);
  b.gen(frame, 'frame.protocols', 'eth:ethertype:ip:tcp:mysql');
  const e = b.proto('eth', 0, 14);
  b.add(e, 'eth.dst', 0, 6, bytes.subarray(0, 6));
  b.add(e, 'eth.addr', 0, 6, bytes.subarray(0, 6));
  b.add(e, 'eth.src', 6, 6, bytes.subarray(6, 12));
  b.add(e, 'eth.addr', 6, 6, bytes.subarray(6, 12));
  b.add(e, 'eth.type', 12, 2, 0x0800);
  const i = b.proto('ip', 14, 20);
  b.add(i, 'ip.version', 14, 1, 4);
  b.add(i, 'ip.len', 16, 2, ipTotal);
  b.add(i, 'ip.id', 18, 2, 0x1c46);
  b.add(i, 'ip.flags.df', 20, 1, true);
  b.add(i, 'ip.ttl', 22, 1, 64);
  b.add(i, 'ip.proto', 23, 1, 6);
  b.add(i, 'ip.src', 26, 4, bytes.subarray(26, 30));
  b.add(i, 'ip.addr', 26, 4, bytes.subarray(26, 30));
  b.add(i, 'ip.dst', 30, 4, bytes.subarray(30, 34));
  b.add(i, 'ip.addr', 30, 4, bytes.subarray(30, 34));
  const t = b.proto('tcp', 34, 20);
  b.add(t, 'tcp.srcport', 34, 2, 51000);
  b.add(t, 'tcp.dstport', 36, 2, 3306);
  b.add(t, 'tcp.port', 34, 2, 51000);
  b.add(t, 'tcp.port', 36, 2, 3306);
  b.gen(t, 'tcp.stream', 2);
  b.add(t, 'tcp.seq', 38, 4, 1000);
  b.add(t, 'tcp.ack', 42, 4, 2000);
  b.add(t, 'tcp.flags', 46, 2, 0x018);
  b.add(t, 'tcp.flags.syn', 46, 2, false);
  b.add(t, 'tcp.flags.ack', 46, 2, true);
  b.add(t, 'tcp.flags.push', 46, 2, true);
  b.add(t, 'tcp.window_size_value', 48, 2, 501);
  b.gen(t, 'tcp.len', mysqlHdr.length + payloadText.length);
  b.gen(t, 'tcp.analysis.ack_rtt', 0.0015);
  b.add(t, 'tcp.payload', 54, bytes.length - 54, bytes.subarray(54));
  const m = b.proto('mysql', 54, bytes.length - 54);
  b.add(m, 'mysql.packet_length', 54, 3, payloadText.length + 1);
  b.add(m, 'mysql.packet_number', 57, 1, 0);
  b.add(m, 'mysql.command', 58, 1, 3);
  b.add(m, 'mysql.query', 59, payloadText.length, QUERY);
  return b.tree;
}

/** Frame 12: Ethernet / IPv6 fe80::1 → 2001:db8::20 / UDP 5353 → 53, 2-byte payload. */
export function udpV6Packet(): PacketTree {
  const eth = hex('33 33 00 00 00 fb 02 42 ac 11 00 02 86 dd');
  const ip6 = hex('60 00 00 00 00 0a 11 40 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 20');
  const udp = hex('14 e9 00 35 00 0a 00 00 ab cd');
  const bytes = new Uint8Array([...eth, ...ip6, ...udp]);
  const b = new Builder(bytes);
  const frame = b.proto('frame', 0, bytes.length);
  b.gen(frame, 'frame.number', 12);
  b.gen(frame, 'frame.len', bytes.length);
  b.gen(frame, 'frame.time_delta', 1.25);
  const e = b.proto('eth', 0, 14);
  b.add(e, 'eth.dst', 0, 6, bytes.subarray(0, 6));
  b.add(e, 'eth.src', 6, 6, bytes.subarray(6, 12));
  const i = b.proto('ipv6', 14, 40);
  b.add(i, 'ipv6.src', 22, 16, bytes.subarray(22, 38));
  b.add(i, 'ipv6.addr', 22, 16, bytes.subarray(22, 38));
  b.add(i, 'ipv6.dst', 38, 16, bytes.subarray(38, 54));
  b.add(i, 'ipv6.addr', 38, 16, bytes.subarray(38, 54));
  const u = b.proto('udp', 54, 8);
  b.add(u, 'udp.srcport', 54, 2, 5353);
  b.add(u, 'udp.dstport', 56, 2, 53);
  b.add(u, 'udp.port', 54, 2, 5353);
  b.add(u, 'udp.port', 56, 2, 53);
  b.add(u, 'udp.length', 58, 2, 10);
  return b.tree;
}
