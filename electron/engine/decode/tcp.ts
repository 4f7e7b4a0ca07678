/**
 * TCP header, options and flags (the field tree), then conversation analysis (analysis/) and the
 * hand-off of payload to reassembly and the DB decoders (tcp-app.ts).
 */
import { TCP } from '../../../shared/fields/tcp';
import type { TcpHeaderFacts, TcpSegmentAnalysis } from '../analysis/tcp-types';
import { TA, TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG, TH_ECE, TH_CWR, TH_AE } from '../analysis/tcp-types';
import { addTcpAnalysisTree } from '../analysis/tcp-analysis-tree';
import type { Layers } from './layers';
import type { ProtoNode } from './tree';
import type { Tvb } from './tvb';
import { handTcpPayload } from './tcp-app';
import { emptyDoubles } from '../packed-arrays';

const F = TCP.f;

interface ParsedOptions {
  mss?: number;
  wscale?: number;
  sackPerm: boolean;
  sack: readonly number[];
  tsval?: number;
  tsecr?: number;
  /**
   * The kinds Info lists (MSS, WS, SACK_PERM, TS) in header order, 4 bits each from the low end,
   * their values in the fields above: no array per segment (every loopback segment has TS).
   */
  infoKinds: number;
  /** Set instead once a listed kind repeats (hostile or odd headers): [kind, value, value2] triples. */
  infoTags: number[] | null;
}

export function dissectTcp(L: Layers, tvb: Tvb): void {
  const { tree, pinfo } = L;
  tvb.check(0, 20);
  const srcPort = tvb.u16(0), dstPort = tvb.u16(2);
  const seq = tvb.u32(4), ack = tvb.u32(8);
  const hlen = (tvb.u8(12) >> 4) * 4;
  const flags = tvb.u16(12) & 0x0fff;
  const window = tvb.u16(14);
  const item = tree.protocol(null, TCP, tvb, 0, Math.min(Math.max(hlen, 20), tvb.length));
  pinfo.srcPort = srcPort;
  pinfo.dstPort = dstPort;
  pinfo.colProtocol = 'TCP';
  tree.add(item, F.srcport, tvb, 0, 2, srcPort);
  tree.add(item, F.dstport, tvb, 2, 2, dstPort);
  tree.hidden(item, F.port, tvb, 0, 2, srcPort);
  tree.hidden(item, F.port, tvb, 2, 2, dstPort);
  if (hlen < 20) {
    tree.add(item, F.hdrLen, tvb, 12, 1, hlen);
    // Wireshark reports this as an expert error, not as a malformed packet.
    tree.expert(item, F.hdrLenBad, 'Error', `Bogus TCP header length (${hlen}, must be at least 20)`, tvb, 12, 1);
    pinfo.colInfo = `${srcPort} → ${dstPort}, bogus TCP header length (${hlen}, must be at least 20)`;
    return;
  }
  // tcp.len is what the wire carried (from the IP length), even when the capture kept less.
  const seglen = Math.max(0, tvb.reported - hlen);
  if (L.inError) {
    // Quoted in an ICMP error: header fields only; it belongs to no conversation here.
    tree.add(item, F.seqRaw, tvb, 4, 4, seq);
    tree.add(item, F.hdrLen, tvb, 12, 1, hlen);
    return;
  }
  const opts = hlen > 20 ? parseOptions(tvb, hlen) : NO_OPTIONS;
  const net = L.net;
  // (the session's one facts object, refilled: an object per segment was garbage by the next)
  const facts = L.session.tcpFacts;
  facts.frame = pinfo.num; facts.tsSec = pinfo.tsSec; facts.tsNsec = pinfo.tsNsec;
  facts.src = net ? net.srcKey : '?'; facts.dst = net ? net.dstKey : '?'; facts.srcPort = srcPort; facts.dstPort = dstPort;
  facts.seq = seq; facts.ack = ack; facts.flags = flags; facts.window = window; facts.seglen = seglen;
  facts.mss = opts.mss; facts.wscale = opts.wscale; facts.sackPerm = opts.sackPerm; facts.sack = opts.sack; facts.tsval = opts.tsval; facts.tsecr = opts.tsecr;
  const r = L.session.tcp.process(facts);
  pinfo.stream = r.stream;
  L.session.onTcp?.(facts, r);

  if (!tree.lean) {
    if (!headerTree(L, item, tvb, facts, r, hlen)) return;
  } else if (hlen > tvb.length) {
    tree.malformed(item, 'TCP', `header length ${hlen} is past the end of the packet (${tvb.length} bytes)`);
    return;
  }
  // Built only when read: a DB decoder replaces it on most frames that carry data. (From copies:
  // the analysis object is refilled by the next segment's.)
  const taFlags = r.flags, relSeq = r.relSeq, relAck = r.relAck, win = r.windowSize;
  pinfo.deferInfo(() => analysisPrefix(taFlags) + infoText(srcPort, dstPort, flags, relSeq, relAck, win, seglen, opts));

  if (seglen > 0) {
    const payload = tvb.subReported(hlen, seglen);
    if (!tree.lean) tree.add(item, F.payload, payload, 0, payload.length, payload.bytes(0, payload.length), `TCP payload (${seglen} byte${seglen === 1 ? '' : 's'})`);
    handTcpPayload(L, payload, facts, r);
    if (payload.truncated) tree.short(null, 'TCP');
  }
}

/** Shared by every header without options: frozen, so a consumer that changed it would throw. */
const NO_SACK: readonly number[] = Object.freeze([]);
const NO_OPTIONS = Object.freeze(blankOptions());

function infoText(
  srcPort: number, dstPort: number, flags: number, relSeq: number, relAck: number, win: number, seglen: number, opts: ParsedOptions,
): string {
  let info = `${srcPort} → ${dstPort} [${flagNames(flags)}] Seq=${relSeq}`;
  if (flags & TH_ACK) info += ` Ack=${relAck}`;
  info += ` Win=${win} Len=${seglen}`;
  const t = opts.infoTags;
  if (t) {
    for (let i = 0; i < t.length; i += 3) info += infoTag(t[i]!, t[i + 1]!, t[i + 2]!);
  } else {
    for (let k = opts.infoKinds; k; k >>>= 4) info += infoTag(k & 15, listedValue(opts, k & 15), opts.tsecr ?? 0);
  }
  return info;
}

function infoTag(kind: number, a: number, b: number): string {
  return kind === 2 ? ` MSS=${a}` : kind === 3 ? ` WS=${2 ** Math.min(a, 14)}` : kind === 4 ? ' SACK_PERM' : ` TSval=${a} TSecr=${b}`;
}

/** The (first) value Info shows for a listed option kind, from the parsed fields. */
function listedValue(o: ParsedOptions, kind: number): number {
  return kind === 2 ? o.mss! : kind === 3 ? o.wscale! : kind === 8 ? o.tsval! : 0;
}

/** The header's items, options and analysis (a full tree only); false when the header is cut short. */
function headerTree(L: Layers, item: ProtoNode, tvb: Tvb, h: TcpHeaderFacts, r: TcpSegmentAnalysis, hlen: number): boolean {
  const { tree } = L;
  const { flags, seq, ack, seglen } = h;
  tree.generated(item, F.stream, r.stream, undefined, tvb.ds, tvb.base);
  tree.generated(item, F.completeness, r.completeness, undefined, tvb.ds, tvb.base);
  tree.generated(item, F.len, seglen, undefined, tvb.ds, tvb.base);
  tree.add(item, F.seq, tvb, 4, 4, r.relSeq);
  tree.add(item, F.seqRaw, tvb, 4, 4, seq);
  tree.generated(item, F.nxtseq, r.nxtSeq, undefined, tvb.ds, tvb.base);
  tree.add(item, F.ack, tvb, 8, 4, r.relAck); // without the ACK flag tshark shows the raw value
  tree.add(item, F.ackRaw, tvb, 8, 4, ack);
  tree.add(item, F.hdrLen, tvb, 12, 1, hlen);
  const fl = tree.add(item, F.flags, tvb, 12, 2, flags);
  for (const def of [F.flagsRes, F.flagsAe, F.flagsCwr, F.flagsEce, F.flagsUrg, F.flagsAck, F.flagsPush, F.flagsReset, F.flagsSyn, F.flagsFin]) {
    tree.add(fl, def, tvb, 12, 2, (flags & def.mask!) !== 0);
  }
  tree.generated(fl, F.flagsStr, flagsString(flags));
  tree.add(item, F.windowSizeValue, tvb, 14, 2, h.window);
  tree.generated(item, F.windowSize, r.windowSize);
  if (!(flags & TH_SYN)) tree.generated(item, F.windowSizeScalefactor, r.scaleFactor); // SYN windows are never scaled
  tree.item(item, F.checksum, tvb, 16, 2);
  tree.generated(item, F.checksumStatus, 2);
  tree.item(item, F.urgentPointer, tvb, 18, 2);
  if (hlen > 20) {
    if (hlen > tvb.length) {
      tree.malformed(item, 'TCP', `header length ${hlen} is past the end of the packet (${tvb.length} bytes)`);
      return false;
    }
    addOptionsTree(L, item, tvb, hlen, r.relSack);
  }
  const ts = tree.text(item, tvb, 0, 0, '[Timestamps]');
  tree.generated(ts, F.timeRelative, r.timeRelative);
  tree.generated(ts, F.timeDelta, r.timeDelta);
  addTcpAnalysisTree(tree, item, r, tvb);

  let summary = `Transmission Control Protocol, Src Port: ${h.srcPort}, Dst Port: ${h.dstPort}, Seq: ${r.relSeq}`;
  if (flags & TH_ACK) summary += `, Ack: ${r.relAck}`;
  summary += `, Len: ${seglen}`;
  tree.setProtocolText(item, summary);
  return true;
}

/** Every field present from the start, in one order: options objects share one hidden class. */
function blankOptions(): ParsedOptions {
  return { mss: undefined, wscale: undefined, sackPerm: false, sack: NO_SACK, tsval: undefined, tsecr: undefined, infoKinds: 0, infoTags: null };
}

function parseOptions(tvb: Tvb, hlen: number): ParsedOptions {
  const out = blankOptions();
  let off = 20;
  const end = Math.min(hlen, tvb.length);
  while (off < end) {
    const kind = tvb.u8(off);
    if (kind === 0) break;
    if (kind === 1) { off++; continue; }
    if (off + 1 >= end) break;
    const len = tvb.u8(off + 1);
    if (len < 2 || off + len > end) break;
    if (kind === 2 && len === 4) { const v = tvb.u16(off + 2); listInInfo(out, 2, v, 0); out.mss = v; }
    else if (kind === 3 && len === 3) { const v = tvb.u8(off + 2); listInInfo(out, 3, v, 0); out.wscale = v; }
    else if (kind === 4 && len === 2) { listInInfo(out, 4, 0, 0); out.sackPerm = true; }
    else if (kind === 5 && len >= 10 && (len - 2) % 8 === 0) {
      const sack = out.sack === NO_SACK ? emptyDoubles() : out.sack as number[];
      for (let o = off + 2; o + 8 <= off + len; o += 8) sack.push(tvb.u32(o), tvb.u32(o + 4));
      out.sack = sack;
    } else if (kind === 8 && len === 10) {
      const a = tvb.u32(off + 2), b = tvb.u32(off + 6);
      listInInfo(out, 8, a, b);
      out.tsval = a; out.tsecr = b;
    }
    off += len;
  }
  return out;
}

/** Records an option kind Info lists; call before its fields take the new values. */
function listInInfo(out: ParsedOptions, kind: number, a: number, b: number): void {
  if (!out.infoTags) {
    let shift = 0, repeat = false;
    for (let k = out.infoKinds; k; k >>>= 4, shift += 4) if ((k & 15) === kind) repeat = true;
    if (!repeat) { out.infoKinds |= kind << shift; return; }
    out.infoTags = [];
    for (let k = out.infoKinds; k; k >>>= 4) out.infoTags.push(k & 15, listedValue(out, k & 15), (k & 15) === 8 ? out.tsecr! : 0);
  }
  out.infoTags.push(kind, a, b);
}

function addOptionsTree(L: Layers, parent: ProtoNode, tvb: Tvb, hlen: number, relSack: readonly number[]): void {
  const { tree } = L;
  const optsTvb = tvb.sub(20, hlen - 20);
  const opts = tree.add(parent, F.options, optsTvb, 0, optsTvb.length, optsTvb.bytes(0, optsTvb.length), `Options: (${hlen - 20} bytes)`);
  let off = 20;
  let sackIdx = 0;
  while (off < hlen) {
    const kind = tvb.u8(off);
    if (kind === 0 || kind === 1) {
      const o = tree.add(opts, kind === 0 ? F.optionsEol : F.optionsNop, tvb, off, 1, tvb.bytes(off, 1));
      tree.add(o, F.optionKind, tvb, off, 1, kind);
      off++;
      if (kind === 0) break;
      continue;
    }
    if (off + 1 >= hlen) { tree.add(opts, F.optionLenInvalid, tvb, off, 1, null); break; }
    const len = tvb.u8(off + 1);
    if (len < 2 || off + len > hlen) {
      tree.expert(opts, F.optionLenInvalid, 'Error', `Option length ${len} is invalid`, tvb, off, 2);
      break;
    }
    const def = kind === 2 ? F.optionsMss : kind === 3 ? F.optionsWscale : kind === 4 ? F.optionsSackPerm :
      kind === 5 ? F.optionsSack : kind === 8 ? F.optionsTimestamp : null;
    const o = def ? tree.add(opts, def, tvb, off, len, tvb.bytes(off, len)) : tree.text(opts, tvb, off, len, `TCP Option - Unknown (${kind})`);
    tree.add(o, F.optionKind, tvb, off, 1, kind);
    tree.add(o, F.optionLen, tvb, off + 1, 1, len);
    if (kind === 2 && len === 4) tree.item(o, F.mssVal, tvb, off + 2, 2);
    else if (kind === 3 && len === 3) {
      const shift = tvb.u8(off + 2);
      tree.add(o, F.wscaleShift, tvb, off + 2, 1, shift);
      tree.add(o, F.wscaleMultiplier, tvb, off + 2, 1, 2 ** Math.min(shift, 14));
    } else if (kind === 5 && len >= 10 && (len - 2) % 8 === 0) {
      let n = 0;
      for (let p = off + 2; p + 8 <= off + len; p += 8, n++) {
        tree.add(o, F.sackLe, tvb, p, 4, relSack[sackIdx++] ?? tvb.u32(p));
        tree.add(o, F.sackRe, tvb, p + 4, 4, relSack[sackIdx++] ?? tvb.u32(p + 4));
      }
      tree.generated(o, F.sackCount, n);
    } else if (kind === 8 && len === 10) {
      tree.item(o, F.tsval, tvb, off + 2, 4);
      tree.item(o, F.tsecr, tvb, off + 6, 4);
    }
    off += len;
  }
}

const FLAG_NAMES: [number, string][] = [
  [TH_FIN, 'FIN'], [TH_SYN, 'SYN'], [TH_RST, 'RST'], [TH_PUSH, 'PSH'], [TH_ACK, 'ACK'], [TH_URG, 'URG'], [TH_ECE, 'ECE'], [TH_CWR, 'CWR'], [TH_AE, 'AE'],
];

function flagNames(flags: number): string {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) out.push(name);
  return out.length ? out.join(', ') : '<None>';
}

/** Wireshark's compact flag string, e.g. "·······AP···". */
function flagsString(flags: number): string {
  const letters = 'RRRACEUAPRSF';
  let s = '';
  for (let i = 0; i < 12; i++) {
    const bit = 1 << (11 - i);
    s += flags & bit ? letters[i] : '·';
  }
  return s;
}

const INFO_TAGS: [number, string][] = [
  [TA.REUSED_PORTS, 'TCP Port numbers reused'], [TA.LOST_SEGMENT, 'TCP Previous segment not captured'],
  [TA.ACK_LOST_SEGMENT, 'TCP ACKed unseen segment'], [TA.SPURIOUS_RETRANSMISSION, 'TCP Spurious Retransmission'],
  [TA.FAST_RETRANSMISSION, 'TCP Fast Retransmission'], [TA.RETRANSMISSION, 'TCP Retransmission'],
  [TA.OUT_OF_ORDER, 'TCP Out-Of-Order'], [TA.DUPLICATE_ACK, 'TCP Dup ACK'], [TA.ZERO_WINDOW, 'TCP ZeroWindow'],
  [TA.ZERO_WINDOW_PROBE, 'TCP ZeroWindowProbe'], [TA.ZERO_WINDOW_PROBE_ACK, 'TCP ZeroWindowProbeAck'],
  [TA.WINDOW_FULL, 'TCP Window Full'], [TA.WINDOW_UPDATE, 'TCP Window Update'], [TA.KEEP_ALIVE, 'TCP Keep-Alive'],
  [TA.KEEP_ALIVE_ACK, 'TCP Keep-Alive ACK'],
];

/** Wireshark's "[TCP Retransmission] " style prefixes for the Info column. */
function analysisPrefix(a: number): string {
  let out = '';
  for (const [bit, tag] of INFO_TAGS) if (a & bit) out += `[${tag}] `;
  return out;
}
