/**
 * Hand-built packets for decoder tests: Ethernet/VLAN/SLL/NULL + IPv4/IPv6 + TCP/UDP with correct
 * lengths, and a minimal pcap file writer so tshark can read the same bytes as the oracle.
 */
import { writeFileSync } from 'node:fs';

export function bytes(...parts: (number[] | Uint8Array | string)[]): Uint8Array {
  const arrs = parts.map((p) => typeof p === 'string' ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) { out.set(a, o); o += a.length; }
  return out;
}

const u16 = (v: number) => [(v >> 8) & 255, v & 255];
const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export interface TcpSpec {
  sport: number; dport: number; seq: number; ack?: number; flags: number; win?: number;
  options?: number[]; payload?: Uint8Array | string;
}

export function tcp(s: TcpSpec): Uint8Array {
  const opts = s.options ?? [];
  const padded = opts.concat(new Array((4 - (opts.length % 4)) % 4).fill(1));
  const hlen = 20 + padded.length;
  const payload = typeof s.payload === 'string' ? new TextEncoder().encode(s.payload) : s.payload ?? new Uint8Array(0);
  return bytes(u16(s.sport), u16(s.dport), u32(s.seq), u32(s.ack ?? 0), [(hlen / 4) << 4, s.flags & 0xff],
    u16(s.win ?? 65535), [0, 0, 0, 0], padded, payload);
}

export function udp(sport: number, dport: number, payload: Uint8Array | string): Uint8Array {
  const p = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return bytes(u16(sport), u16(dport), u16(8 + p.length), [0, 0], p);
}

export function ipv4(src: string, dst: string, proto: number, payload: Uint8Array, opts: { id?: number; ttl?: number; df?: boolean; ipOptions?: number[] } = {}): Uint8Array {
  const o = opts.ipOptions ?? [];
  const hlen = 20 + o.length;
  const a = (ip: string) => ip.split('.').map(Number);
  return bytes([0x40 | (hlen / 4), 0], u16(hlen + payload.length), u16(opts.id ?? 1), [opts.df === false ? 0 : 0x40, 0],
    [opts.ttl ?? 64, proto], [0, 0], a(src), a(dst), o, payload);
}

export function ipv6(src: number[], dst: number[], nxt: number, payload: Uint8Array, ext: Uint8Array = new Uint8Array(0)): Uint8Array {
  return bytes([0x60, 0, 0, 0], u16(ext.length + payload.length), [nxt, 64], src, dst, ext, payload);
}

export const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
export const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

/** Ethernet II; `vlans` are VLAN ids outermost first (two or more make QinQ with an 802.1ad outer tag). */
export function ether(type: number, payload: Uint8Array, vlans: number[] = []): Uint8Array {
  const tags: number[] = [];
  vlans.forEach((id, i) => tags.push(...u16(i === 0 && vlans.length > 1 ? 0x88a8 : 0x8100), ...u16(id)));
  return bytes(MAC_B, MAC_A, tags, u16(type), payload);
}

export interface PcapRecord { data: Uint8Array; sec?: number; usec?: number; origLen?: number }

/** A little-endian microsecond pcap. */
export function writePcap(path: string, linkType: number, records: PcapRecord[]): void {
  const parts: Uint8Array[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16); h.writeUInt32LE(linkType, 20);
  parts.push(h);
  records.forEach((r, i) => {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(r.sec ?? 1_700_000_000 + i, 0);
    rh.writeUInt32LE(r.usec ?? 0, 4);
    rh.writeUInt32LE(r.data.length, 8);
    rh.writeUInt32LE(r.origLen ?? r.data.length, 12);
    parts.push(rh, r.data);
  });
  writeFileSync(path, Buffer.concat(parts));
}
