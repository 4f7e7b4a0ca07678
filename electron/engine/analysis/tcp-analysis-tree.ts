/**
 * The "[SEQ/ACK analysis]" subtree of a TCP segment, laid out as Wireshark's
 * tcp_print_sequence_number_analysis does: measurements first, then the flags item with one
 * expert item per finding, in Wireshark's order.
 */
import { TCP } from '../../../shared/fields/tcp';
import type { FieldDef } from '../../../shared/fields/types';
import type { ExpertSeverity, PacketTree, ProtoNode } from '../decode/tree';
import type { Tvb } from '../decode/tvb';
import { TA, type TcpSegmentAnalysis } from './tcp-types';

const F = TCP.f;

interface Finding {
  readonly bit: number;
  readonly def: FieldDef;
  readonly severity: ExpertSeverity;
  readonly message: string;
}

const finding = (bit: number, def: FieldDef, severity: ExpertSeverity, message: string): Finding => ({ bit, def, severity, message });

const REUSED = finding(TA.REUSED_PORTS, F.reusedPorts, 'Note', 'A new tcp session is started with the same ports as an earlier session in this trace');
const RETRANSMISSION = finding(TA.RETRANSMISSION, F.retransmission, 'Note', 'This frame is a (suspected) retransmission');
const FAST = finding(TA.FAST_RETRANSMISSION, F.fastRetransmission, 'Note', 'This frame is a (suspected) fast retransmission');
const SPURIOUS = finding(TA.SPURIOUS_RETRANSMISSION, F.spuriousRetransmission, 'Note', 'This frame is a (suspected) spurious retransmission');
const OUT_OF_ORDER = finding(TA.OUT_OF_ORDER, F.outOfOrder, 'Warning', 'This frame is a (suspected) out-of-order segment');
/** After the retransmission group, in Wireshark's print order (duplicate ACK is handled apart). */
const LATER_FINDINGS: readonly Finding[] = [
  finding(TA.LOST_SEGMENT, F.lostSegment, 'Warning', 'Previous segment(s) not captured (common at capture start)'),
  finding(TA.ACK_LOST_SEGMENT, F.ackLostSegment, 'Warning', "ACKed segment that wasn't captured (common at capture start)"),
  finding(TA.WINDOW_UPDATE, F.windowUpdate, 'Chat', 'TCP window update'),
  finding(TA.WINDOW_FULL, F.windowFull, 'Warning', 'TCP window specified by the receiver is now completely full'),
  finding(TA.KEEP_ALIVE, F.keepAlive, 'Note', 'TCP keep-alive segment'),
  finding(TA.KEEP_ALIVE_ACK, F.keepAliveAck, 'Note', 'ACK to a TCP keep-alive segment'),
];
const ZERO_WINDOW_FINDINGS: readonly Finding[] = [
  finding(TA.ZERO_WINDOW_PROBE, F.zeroWindowProbe, 'Note', 'TCP Zero Window Probe'),
  finding(TA.ZERO_WINDOW, F.zeroWindow, 'Warning', 'TCP Zero Window segment'),
  finding(TA.ZERO_WINDOW_PROBE_ACK, F.zeroWindowProbeAck, 'Note', 'ACK to a TCP Zero Window Probe'),
];

function addFinding(tree: PacketTree, parent: ProtoNode, f: Finding): void {
  tree.expert(parent, f.def, f.severity, f.message);
}

export function addTcpAnalysisTree(tree: PacketTree, tcpItem: ProtoNode, r: TcpSegmentAnalysis, tvb: Tvb): void {
  if (!r.hasAnalysis) return;
  const ds = tvb.ds, at = tvb.base;
  const node = tree.generated(tcpItem, F.analysis, null, undefined, ds, at);
  if (r.acksFrame !== undefined) {
    tree.generated(node, F.acksFrame, r.acksFrame, undefined, ds, at);
    if (r.ackRtt !== undefined) tree.generated(node, F.ackRtt, r.ackRtt, undefined, ds, at);
  }
  if (r.initialRtt !== undefined) tree.generated(node, F.initialRtt, r.initialRtt, undefined, ds, at);
  if (r.bytesInFlight !== undefined) {
    tree.generated(node, F.bytesInFlight, r.bytesInFlight, undefined, ds, at);
    tree.generated(node, F.pushBytesSent, r.pushBytesSent ?? 0, undefined, ds, at);
  }
  const a = r.flags;
  if (a === 0) return;
  const flagsNode = tree.generated(node, F.analysisFlags, null, undefined, ds, at);
  if (a & TA.REUSED_PORTS) addFinding(tree, flagsNode, REUSED);
  if (a & TA.RETRANSMISSION) {
    addFinding(tree, flagsNode, RETRANSMISSION);
    if (r.rto !== undefined) {
      tree.generated(flagsNode, F.rto, r.rto, undefined, ds, at);
      tree.generated(flagsNode, F.rtoFrame, r.rtoFrame ?? 0, undefined, ds, at);
    }
  }
  // Fast and spurious retransmissions are retransmissions too (Wireshark adds both experts).
  if (a & TA.FAST_RETRANSMISSION) { addFinding(tree, flagsNode, FAST); addFinding(tree, flagsNode, RETRANSMISSION); }
  if (a & TA.SPURIOUS_RETRANSMISSION) { addFinding(tree, flagsNode, SPURIOUS); addFinding(tree, flagsNode, RETRANSMISSION); }
  if (a & TA.OUT_OF_ORDER) addFinding(tree, flagsNode, OUT_OF_ORDER);
  for (const f of LATER_FINDINGS) if (a & f.bit) addFinding(tree, flagsNode, f);
  if (r.dupAckNum !== undefined) {
    if (a & TA.DUPLICATE_ACK) tree.generated(flagsNode, F.duplicateAck, null, 'This is a TCP duplicate ack', ds, at);
    tree.generated(node, F.duplicateAckNum, r.dupAckNum, undefined, ds, at);
    const frameNode = tree.generated(node, F.duplicateAckFrame, r.dupAckFrame ?? 0, undefined, ds, at);
    tree.expert(frameNode, F.duplicateAck, 'Note', `Duplicate ACK (#${r.dupAckNum})`);
  }
  for (const f of ZERO_WINDOW_FINDINGS) if (a & f.bit) addFinding(tree, flagsNode, f);
}
