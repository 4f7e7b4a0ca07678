/**
 * One packet's dissection in progress: the tree, pinfo, the cross-packet session state, and the
 * hand-offs between layers. Layer modules are plain functions of (Layers, Tvb) so each stays small.
 */
import type { PacketInfo } from './packet-info';
import type { PacketTree } from './tree';
import type { Tvb } from './tvb';
import type { DissectSession } from './session';
import { dissectIpv4 } from './ipv4';
import { dissectIpv6 } from './ipv6';
import { dissectIeee8021ad, dissectVlan, dissectVntag } from './vlan';
import { dissectData } from './data';
import { dissectTcp } from './tcp';
import { dissectUdp } from './udp';
import { dissectIcmp } from './icmp';

/** Network-layer facts the transport layer needs. */
export interface NetInfo {
  family: 4 | 6;
  /** Family-tagged address text, used as conversation keys. */
  srcKey: string;
  dstKey: string;
}

export class Layers {
  net: NetInfo | null = null;
  /** Inside the offending packet an ICMP error carries: no conversations, no column changes. */
  inError = false;
  /** Depth guard against hostile nesting (VLAN in VLAN in ..., IP in IP). */
  depth = 0;

  constructor(readonly tree: PacketTree, readonly pinfo: PacketInfo, readonly session: DissectSession) {}

  ipv4(tvb: Tvb): number { return this.nested(dissectIpv4, tvb); }
  ipv6(tvb: Tvb): number { return this.nested(dissectIpv6, tvb); }
  vlan(tvb: Tvb): number { return this.nested(dissectVlan, tvb); }
  ieee8021ad(tvb: Tvb): number { return this.nested(dissectIeee8021ad, tvb); }
  vntag(tvb: Tvb): number { return this.nested(dissectVntag, tvb); }
  tcp(tvb: Tvb): void { dissectTcp(this, tvb); }
  udp(tvb: Tvb): void { dissectUdp(this, tvb); }
  data(tvb: Tvb): void { dissectData(this, tvb); }

  /** Hand-off by IP protocol number. */
  ipPayload(proto: number, tvb: Tvb): void {
    if (proto === 6) this.tcp(tvb);
    else if (proto === 17) this.udp(tvb);
    else if (proto === 4) this.ipv4(tvb);
    else if (proto === 41) this.ipv6(tvb);
    else if (proto === 1) dissectIcmp(this, tvb, false);
    else if (proto === 58) dissectIcmp(this, tvb, true);
    else this.data(tvb);
  }

  /** Dissect the packet quoted in an ICMP error, keeping the outer packet's columns and addresses. */
  inErrorPacket(fn: () => void): void {
    const { pinfo } = this;
    const saved = { net: this.net, src: pinfo.src, dst: pinfo.dst, srcPort: pinfo.srcPort, dstPort: pinfo.dstPort, proto: pinfo.colProtocol, info: pinfo.colInfo, inError: this.inError };
    this.inError = true;
    try {
      fn();
    } catch {
      // A quoted packet is cut short by design (ICMP carries only its start).
    } finally {
      this.net = saved.net; this.inError = saved.inError;
      Object.assign(pinfo, { src: saved.src, dst: saved.dst, srcPort: saved.srcPort, dstPort: saved.dstPort, colProtocol: saved.proto, colInfo: saved.info });
    }
  }

  private nested(fn: (L: Layers, tvb: Tvb) => number, tvb: Tvb): number {
    if (this.depth >= 16) { this.data_guard(); return -1; }
    this.depth++;
    try { return fn(this, tvb); } finally { this.depth--; }
  }

  private data_guard(): void {
    this.tree.malformed(null, 'Frame', 'too many nested headers');
  }
}
