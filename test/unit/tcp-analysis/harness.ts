/**
 * Test harness: describe TCP segments, write them as a pcap (Ethernet + IPv4 + TCP), run tshark on
 * it as the oracle, run TcpConversationTable + addTcpAnalysisTree on the same segments, and print
 * both in tshark's `-T fields` layout so a test can compare them frame by frame.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TcpConversationTable } from '../../../electron/engine/analysis/tcp-conversation';
import { addTcpAnalysisTree } from '../../../electron/engine/analysis/tcp-analysis-tree';
import { TH_SYN, type TcpHeaderFacts, type TcpSegmentAnalysis } from '../../../electron/engine/analysis/tcp-types';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { Tvb } from '../../../electron/engine/decode/tvb';
import { TCP } from '../../../shared/fields/tcp';

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

/** One segment. `from` picks the end; times are microseconds since the capture start. */
export interface Seg {
  us: number;
  from: 'c' | 's';
  flags: number;
  seq: number;
  ack: number;
  win: number;
  len?: number;
  wscale?: number;
  mss?: number;
  /** Raw SACK edges [left, right, ...]. */
  sack?: number[];
  /** Use another client port (another 4-tuple). */
  cport?: number;
}

const CLIENT = [10, 0, 0, 1], SERVER = [10, 0, 0, 2];
const CLIENT_PORT = 40000, SERVER_PORT = 3306;
const BASE_SEC = 1_700_000_000;

/** Fields compared, in order (what the tcpa group of tshark-compare and more). */
export const FIELDS = [
  'tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.nxtseq', 'tcp.len', 'tcp.window_size', 'tcp.window_size_scalefactor',
  'tcp.completeness', 'tcp.time_relative', 'tcp.time_delta',
  'tcp.analysis', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt',
  'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent', 'tcp.analysis.flags',
  'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment',
  'tcp.analysis.duplicate_ack', 'tcp.analysis.duplicate_ack_num', 'tcp.analysis.duplicate_ack_frame',
  'tcp.analysis.zero_window', 'tcp.analysis.zero_window_probe', 'tcp.analysis.zero_window_probe_ack',
  'tcp.analysis.window_full', 'tcp.analysis.window_update', 'tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack',
  'tcp.analysis.reused_ports', 'tcp.analysis.rto', 'tcp.analysis.rto_frame', '_ws.expert.message', '_ws.expert.severity',
] as const;

/** Expert messages of the sequence analysis (others, like "Connection finish (FIN)", are the decoder's). */
const ANALYSIS_MESSAGE = /suspected|same ports|not captured|wasn't captured|window|keep-alive|Duplicate ACK|Zero Window/i;

/** Pairs "message|severity" of the analysis experts, from the two aligned columns. */
function analysisExperts(messages: string, severities: string): string {
  if (!messages) return '';
  const m = messages.split(','), s = severities.split(',');
  return m.map((x, i) => `${x}|${s[i] ?? ''}`).filter((x) => ANALYSIS_MESSAGE.test(x.split('|')[0]!)).join(',');
}

function tcpOptions(s: Seg): number[] {
  const o: number[] = [];
  if (s.mss !== undefined) o.push(2, 4, s.mss >> 8, s.mss & 0xff);
  if (s.wscale !== undefined) o.push(1, 3, 3, s.wscale);
  if (s.sack && s.sack.length) {
    o.push(1, 1, 5, 2 + 4 * s.sack.length);
    for (const v of s.sack) o.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  while (o.length % 4) o.push(0);
  return o;
}

function frameBytes(s: Seg): Uint8Array {
  const opts = tcpOptions(s);
  const len = s.len ?? 0;
  const tcpLen = 20 + opts.length + len;
  const ipLen = 20 + tcpLen;
  const b = new Uint8Array(14 + ipLen);
  const dv = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, s.from === 'c' ? 2 : 1, 2, 0, 0, 0, 0, s.from === 'c' ? 1 : 2, 0x08, 0x00], 0);
  const ip = 14;
  b[ip] = 0x45;
  dv.setUint16(ip + 2, ipLen);
  b[ip + 8] = 64;
  b[ip + 9] = 6;
  const cport = s.cport ?? CLIENT_PORT;
  const [src, dst, sp, dp] = s.from === 'c' ? [CLIENT, SERVER, cport, SERVER_PORT] : [SERVER, CLIENT, SERVER_PORT, cport];
  b.set(src!, ip + 12);
  b.set(dst!, ip + 16);
  const t = ip + 20;
  dv.setUint16(t, sp as number);
  dv.setUint16(t + 2, dp as number);
  dv.setUint32(t + 4, s.seq >>> 0);
  dv.setUint32(t + 8, s.ack >>> 0);
  dv.setUint16(t + 12, (((20 + opts.length) / 4) << 12) | (s.flags & 0x0fff));
  dv.setUint16(t + 14, s.win);
  b.set(opts, t + 20);
  for (let i = 0; i < len; i++) b[t + 20 + opts.length + i] = 0x41 + (i % 26);
  return b;
}

export function writePcap(path: string, segs: readonly Seg[]): void {
  const frames = segs.map(frameBytes);
  const total = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true);
  let off = 24;
  segs.forEach((s, i) => {
    const f = frames[i]!;
    dv.setUint32(off, BASE_SEC + Math.floor(s.us / 1e6), true);
    dv.setUint32(off + 4, s.us % 1e6, true);
    dv.setUint32(off + 8, f.length, true);
    dv.setUint32(off + 12, f.length, true);
    out.set(f, off + 16);
    off += 16 + f.length;
  });
  writeFileSync(path, out);
}

/** Each frame's fields as tshark prints them (occurrences joined by ","). */
export type Rows = Record<string, string>[];

export function tsharkRows(segs: readonly Seg[]): Rows {
  const dir = mkdtempSync(join(tmpdir(), 'tcpa-'));
  try {
    const file = join(dir, 'in.pcap');
    writePcap(file, segs);
    const args = ['-n', '-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-E', 'separator=/t'];
    for (const f of FIELDS) args.push('-e', f);
    const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = out.split('\n').filter((l) => l.length > 0);
    return lines.map((line) => {
      const cols = line.split('\t');
      const row: Record<string, string> = {};
      FIELDS.forEach((f, i) => { row[f] = cols[i] ?? ''; });
      row['_ws.expert.message'] = analysisExperts(row['_ws.expert.message']!, row['_ws.expert.severity']!);
      delete row['_ws.expert.severity'];
      return row;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function factsOf(segs: readonly Seg[]): TcpHeaderFacts[] {
  return segs.map((s, i) => {
    const cport = s.cport ?? CLIENT_PORT;
    return {
      frame: i + 1,
      tsSec: BASE_SEC + Math.floor(s.us / 1e6),
      tsNsec: (s.us % 1e6) * 1000,
      src: s.from === 'c' ? '4:10.0.0.1' : '4:10.0.0.2',
      dst: s.from === 'c' ? '4:10.0.0.2' : '4:10.0.0.1',
      srcPort: s.from === 'c' ? cport : SERVER_PORT,
      dstPort: s.from === 'c' ? SERVER_PORT : cport,
      seq: s.seq >>> 0,
      ack: s.ack >>> 0,
      flags: s.flags,
      window: s.win,
      seglen: s.len ?? 0,
      mss: s.mss,
      wscale: s.wscale,
      sackPerm: false,
      sack: s.sack ?? [],
    };
  });
}

function fmt(v: unknown, type: string): string {
  if (v === null) return '1';
  if (type === 'rel_time' && typeof v === 'number') return v.toFixed(9);
  return String(v);
}

/** Our rows: the values the TCP decoder puts in the tree, from the analysis result. */
export function ourRows(segs: readonly Seg[]): { rows: Rows; results: TcpSegmentAnalysis[] } {
  return rowsFor(factsOf(segs));
}

/** Run the table over header facts and print each segment's fields as tshark would. */
export function rowsFor(facts: readonly TcpHeaderFacts[]): { rows: Rows; results: TcpSegmentAnalysis[] } {
  const table = new TcpConversationTable();
  const rows: Rows = [];
  const results: TcpSegmentAnalysis[] = [];
  for (const h of facts) {
    const r = table.process(h);
    results.push({ ...r }); // (process() refills one object per table)
    const tree = new PacketTree(new Uint8Array(0));
    const item = tree.protocol(null, TCP, new Tvb(new Uint8Array(0)), 0, 0);
    addTcpAnalysisTree(tree, item, r, new Tvb(new Uint8Array(0)));
    const row: Record<string, string> = {
      'tcp.stream': String(r.stream),
      'tcp.seq': String(r.relSeq),
      'tcp.ack': String(r.relAck),
      'tcp.nxtseq': String(r.nxtSeq),
      'tcp.len': String(h.seglen),
      'tcp.window_size': String(r.windowSize),
      'tcp.window_size_scalefactor': h.flags & TH_SYN ? '' : String(r.scaleFactor),
      'tcp.completeness': String(r.completeness),
      'tcp.time_relative': r.timeRelative.toFixed(9),
      'tcp.time_delta': r.timeDelta.toFixed(9),
    };
    for (const f of FIELDS) {
      if (f in row) continue;
      const items = tree.all(f);
      row[f] = items.map((n) => fmt(n.value, n.def?.type ?? '')).join(',');
    }
    row['_ws.expert.message'] = analysisExperts(
      tree.all('_ws.expert.message').map((n) => String(n.value)).join(','),
      tree.all('_ws.expert.severity').map((n) => String(n.value)).join(','),
    );
    delete row['_ws.expert.severity'];
    rows.push(row);
  }
  return { rows, results };
}

/** Differences as readable lines ("frame 3 tcp.seq: tshark 1, ours 2"). */
export function diffRows(theirs: Rows, ours: Rows, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  if (theirs.length !== ours.length) out.push(`frame count: tshark ${theirs.length}, ours ${ours.length}`);
  const n = Math.min(theirs.length, ours.length);
  for (let i = 0; i < n; i++) {
    for (const f of FIELDS) {
      if (skip.includes(f) || f === '_ws.expert.severity') continue;
      const a = theirs[i]![f] ?? '', b = ours[i]![f] ?? '';
      if (a !== b) out.push(`frame ${i + 1} ${f}: tshark '${a}', ours '${b}'`);
    }
  }
  return out;
}
