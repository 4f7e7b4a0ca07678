/**
 * Dissect one frame: the frame item, the link layer by link type, and everything above it.
 * Errors in a layer end that packet's tree with a malformed item; they never escape.
 */
import { FRAME } from '../../../shared/fields/frame';
import { LINKTYPE, wtapEncap } from './link-types';
import { Layers } from './layers';
import { newPacketInfo, type PacketInfo } from './packet-info';
import type { DissectSession } from './session';
import { PacketTree } from './tree';
import { BoundsError, Tvb } from './tvb';
import { dissectEthernet } from './ethernet';
import { dissectSll } from './sll';
import { dissectNull, dissectRawIp } from './null-link';
import { dissectIpoib } from './ipoib';

/** The capture-file facts of one frame (what the readers give). */
export interface FrameInput {
  readonly num: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly capLen: number;
  readonly origLen: number;
  readonly linkType: number;
  readonly iface: number;
  readonly ifaceName?: string;
  readonly comments?: readonly string[];
  /** The record carries no timestamp (pcapng Simple Packet Block): no time fields, as Wireshark. */
  readonly noTimestamp?: boolean;
  /** A pcapng Custom Block shown as a frame of data (no interface, no link layer). */
  readonly custom?: { readonly pen: number; readonly copyAllowed: boolean };
  readonly data: Uint8Array;
}

export interface Dissected {
  readonly tree: PacketTree;
  readonly pinfo: PacketInfo;
  /** Nanoseconds since the first frame of the capture (frame.time_relative); 0 with a lean tree. */
  readonly relNs: bigint;
}

/** `tree` may be a lean subclass (the session engine's SummaryTree) that keeps only protocols. */
export function dissectFrame(session: DissectSession, fr: FrameInput, tree: PacketTree = new PacketTree(fr.data)): Dissected {
  const pinfo = newPacketInfo(fr.num, fr.tsSec, fr.tsNsec);
  const tvb = new Tvb(fr.data, 0, 0, fr.origLen);
  // A lean tree keeps no frame item (its fields come from the index); only the protocol list.
  const frameItem = tree.lean ? (tree.protocols.push(FRAME.name), null) : addFrameItem(session, tree, tvb, fr);
  const L = new Layers(tree, pinfo, session);
  try {
    if (fr.custom) L.data(tvb);
    else dissectLink(L, fr.linkType, tvb);
  } catch (e) {
    if (e instanceof BoundsError && e.truncated) {
      tree.short(null, pinfo.colProtocol || 'Frame');
      pinfo.colInfo = pinfo.colInfo ? `${pinfo.colInfo}[Packet size limited during capture]` : '[Packet size limited during capture]';
    } else {
      const why = e instanceof BoundsError ? e.message : `decoder error: ${(e as Error).message ?? String(e)}`;
      tree.malformed(null, pinfo.colProtocol || 'Frame', why);
      pinfo.colInfo = pinfo.colInfo ? `${pinfo.colInfo} [Malformed Packet]` : '[Malformed Packet]';
    }
  }
  if (!frameItem) return { tree, pinfo, relNs: 0n };
  const protocols = tree.protocols.filter((p) => p !== 'frame' && p !== '_ws.malformed');
  const protocolsNode = protocolsItem(frameItem);
  if (protocolsNode) protocolsNode.value = withEthertype(protocols).join(':');
  const ns = BigInt(fr.tsSec) * 1_000_000_000n + BigInt(fr.tsNsec);
  return { tree, pinfo, relNs: ns - (session.firstNs ?? ns) };
}

function dissectLink(L: Layers, linkType: number, tvb: Tvb): void {
  switch (linkType) {
    case LINKTYPE.EN10MB: return dissectEthernet(L, tvb);
    case LINKTYPE.LINUX_SLL: return dissectSll(L, tvb, 1);
    case LINKTYPE.LINUX_SLL2: return dissectSll(L, tvb, 2);
    case LINKTYPE.NULL: return dissectNull(L, tvb, false);
    case LINKTYPE.LOOP: return dissectNull(L, tvb, true);
    case LINKTYPE.RAW: case LINKTYPE.RAW_OPENBSD: case LINKTYPE.RAW_BSDOS: return dissectRawIp(L, tvb);
    case LINKTYPE.IPV4: L.ipv4(tvb); return;
    case LINKTYPE.IPV6: L.ipv6(tvb); return;
    case LINKTYPE.IPOIB: return dissectIpoib(L, tvb);
    default:
      L.tree.text(null, tvb, 0, tvb.length, `Link type ${linkType} is not supported`);
      L.data(tvb);
  }
}

/** Wireshark lists "ethertype" after Ethernet, VLAN and SLL in frame.protocols. */
function withEthertype(protocols: string[]): string[] {
  const out: string[] = [];
  for (const p of protocols) {
    out.push(p);
    if (p === 'eth' || p === 'vlan' || p === 'ieee8021ad' || p === 'vntag' || p === 'sll') out.push('ethertype');
  }
  return out;
}

function protocolsItem(frameItem: ReturnType<PacketTree['protocol']>) {
  return frameItem.children?.find((c) => c.def === FRAME.f.protocols);
}

function addFrameItem(session: DissectSession, tree: PacketTree, tvb: Tvb, fr: FrameInput) {
  const F = FRAME.f;
  const ns = BigInt(fr.tsSec) * 1_000_000_000n + BigInt(fr.tsNsec);
  // A frame without a timestamp counts as time 0 for the others' relative times, as in Wireshark.
  const timed = !fr.noTimestamp;
  session.firstNs ??= ns;
  const delta = session.prevNs === null ? 0n : ns - session.prevNs;
  session.prevNs = ns;
  const item = tree.protocol(null, FRAME, tvb, 0, fr.data.length,
    `Frame ${fr.num}: ${fr.origLen} bytes on wire (${fr.origLen * 8} bits), ${fr.capLen} bytes captured (${fr.capLen * 8} bits)`);
  for (const c of fr.comments ?? []) tree.generated(item, F.comment, c);
  if (fr.custom) {
    tree.setProtocolText(item, `PCAPNG Custom Block ${fr.num}: ${fr.capLen} bytes of custom data and options, PEN ${fr.custom.pen}, copying ${fr.custom.copyAllowed ? 'allowed' : 'not allowed'}`);
  } else {
    tree.generated(item, F.interfaceId, fr.iface);
    if (fr.ifaceName) tree.generated(item, F.interfaceName, fr.ifaceName);
    tree.generated(item, F.encapType, wtapEncap(fr.linkType));
  }
  if (timed) {
    tree.generated(item, F.time, ns);
    tree.generated(item, F.offsetShift, 0);
    tree.generated(item, F.timeEpoch, ns);
    tree.generated(item, F.timeDelta, delta);
    tree.generated(item, F.timeDeltaDisplayed, delta);
    tree.generated(item, F.timeRelative, ns - session.firstNs!);
  }
  tree.generated(item, F.number, fr.num);
  tree.generated(item, F.len, fr.origLen);
  tree.generated(item, F.capLen, fr.capLen);
  tree.generated(item, F.marked, false);
  tree.generated(item, F.ignored, false);
  tree.generated(item, F.protocols, '');
  return item;
}
