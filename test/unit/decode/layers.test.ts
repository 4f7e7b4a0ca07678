// Link and network layers against tshark: the same hand-built frames dissected by both.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytes, ether, ipv4, ipv6, tcp, udp, writePcap, MAC_A } from '../../support/frames';
import { diffTables, ourFields, tsharkFields } from '../../support/field-compare';
import { runPass } from '../../../electron/engine/pass';

const dir = mkdtempSync(join(tmpdir(), 'dbwire-layers-'));
const V6A = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6B = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const SYN = 0x02, ACK = 0x10, PSH = 0x08;
const OPTS = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0];

const CORE = ['frame.len', 'frame.cap_len', 'frame.time_epoch', 'frame.protocols', 'eth.src', 'eth.dst', 'eth.type', 'vlan.id', 'vlan.etype',
  'sll.pkttype', 'sll.etype', 'null.family', 'ip.src', 'ip.dst', 'ip.addr', 'ip.proto', 'ip.ttl', 'ip.id', 'ip.len', 'ip.flags.df', 'ip.hdr_len',
  'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.plen', 'ipv6.hlim', 'tcp.srcport', 'tcp.dstport', 'tcp.hdr_len', 'tcp.flags', 'tcp.len',
  'tcp.window_size_value', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval', 'udp.srcport', 'udp.dstport', 'udp.length',
  'tcp.payload', 'data.data'];

async function agree(name: string, linkType: number, frames: Uint8Array[], fields = CORE): Promise<void> {
  const file = join(dir, name + '.pcap');
  writePcap(file, linkType, frames.map((data) => ({ data })));
  const [ref, got] = await Promise.all([tsharkFields(file, fields), ourFields(file, fields)]);
  expect(diffTables(fields, ref, got)).toEqual([]);
}

const tcpSyn = tcp({ sport: 40000, dport: 3306, seq: 1000, flags: SYN, options: OPTS });
const tcpData = tcp({ sport: 40000, dport: 3306, seq: 1001, ack: 5001, flags: ACK | PSH, payload: 'hello' });

describe('link and network layers agree with tshark', () => {
  it('Ethernet, IPv4, TCP with options, UDP', () => agree('eth', 1, [
    ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpSyn)),
    ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpData, { id: 0x1234, ttl: 3, df: false })),
    ether(0x0800, ipv4('10.0.0.1', '10.0.0.9', 17, udp(40001, 40002, 'abc'))),
  ]));

  it('802.1Q and QinQ tags', () => agree('vlan', 1, [
    ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpSyn), [100]),
    ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpData), [200, 300]),
  ]));

  it('IPv6 with hop-by-hop and destination options', () => {
    const hop = bytes([60, 0, 1, 4, 0, 0, 0, 0]); // next: dstopts; PadN
    const dst = bytes([6, 0, 1, 4, 0, 0, 0, 0]); // next: TCP
    return agree('v6', 1, [
      ether(0x86dd, ipv6(V6A, V6B, 6, tcpSyn)),
      ether(0x86dd, ipv6(V6A, V6B, 0, tcpData, bytes(hop, dst))),
    ]);
  });

  it('Linux cooked v1 and v2, NULL, LOOP, RAW, IPV4, IPV6 link types', async () => {
    const ip = ipv4('127.0.0.1', '127.0.0.1', 6, tcpSyn);
    const sll1 = bytes([0, 4, 0, 1, 0, 6], MAC_A, [0, 0], [0x08, 0x00], ip);
    const sll2 = bytes([0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6], MAC_A, [0, 0], ip);
    await agree('sll', 113, [sll1]);
    await agree('sll2', 276, [sll2]);
    await agree('null', 0, [bytes([2, 0, 0, 0], ip)]);
    await agree('loop', 108, [bytes([0, 0, 0, 2], ip)]);
    await agree('raw', 101, [ip, ipv6(V6A, V6B, 6, tcpSyn)]);
    await agree('ipv4lt', 228, [ip]);
    await agree('ipv6lt', 229, [ipv6(V6A, V6B, 6, tcpSyn)]);
  });
});

describe('malformed packets', () => {
  it('end their tree with _ws.malformed (or an expert error where Wireshark gives one) and the next packets still decode', async () => {
    const good = ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpData));
    const badTcpHdr = ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, bytes(tcpData.subarray(0, 12), [0x30], tcpData.subarray(13))));
    const cutIp = ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpData).subarray(0, 10));
    const badIhl = ether(0x0800, bytes([0x42], ipv4('10.0.0.1', '10.0.0.2', 6, tcpData).subarray(1)));
    const file = join(dir, 'malformed.pcap');
    writePcap(file, 1, [good, badTcpHdr, cutIp, badIhl, good].map((data) => ({ data })));
    const malformed: boolean[] = [];
    const ports: number[] = [];
    const experts: boolean[] = [];
    const r = await runPass(file, {}, (d) => {
      experts.push(d.tree.has('tcp.bogus_header_length') || d.tree.has('ip.bogus_header_length'));
      malformed.push(d.tree.has('_ws.malformed'));
      ports.push((d.tree.first('tcp.srcport')?.value as number | undefined) ?? -1);
    });
    expect(r.error).toBeNull();
    expect(r.frames).toBe(5);
    // A cut IP header is malformed; bogus header lengths are expert errors, as in Wireshark.
    expect(malformed).toEqual([false, false, true, false, false]);
    expect(experts).toEqual([false, true, false, true, false]);
    expect(ports[0]).toBe(40000);
    expect(ports[4]).toBe(40000);
    const ref = await tsharkFields(file, ['frame.number', '_ws.malformed']);
    expect(ref.map((row) => row[1]!.length > 0)).toEqual(malformed);
  });
});
