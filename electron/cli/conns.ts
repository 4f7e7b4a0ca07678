/** `dbwire conns FILE [--json] [--timeline] [-d tcp.port==N,PROTO] [--idle-threshold S] ...`: one line per TCP connection with its verdict. */
import { runPass } from '../engine/pass';
import { TransactionTracker } from '../engine/analysis/transactions';
import { ConnectionTracker } from '../engine/analysis/connections/tracker';
import { buildReport, type ConnectionDetail } from '../engine/analysis/connections/report';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../engine/analysis/connections/thresholds';
import { Out } from './out';
import { UsageError } from './usage-error';
import { openFailure } from './open-failure';
import { parseDecodeAsSpec } from './read-options';
import { formatTable } from './table';

interface ConnsOptions { file: string; json: boolean; timeline: boolean; decodeAs: Map<number, string>; th: Thresholds }

const THRESHOLD_FLAGS: Record<string, keyof Thresholds> = {
  '--idle-threshold': 'idleNoKeepaliveSeconds', '--server-idle-threshold': 'serverIdleCloseSeconds',
  '--slow-threshold': 'slowP95Seconds', '--loss-threshold': 'lossRate',
};

function parse(argv: string[]): ConnsOptions {
  const o: ConnsOptions = { file: '', json: false, timeline: false, decodeAs: new Map(), th: { ...DEFAULT_THRESHOLDS } };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') o.json = true;
    else if (a === '--timeline') o.timeline = true;
    else if (a === '-d') parseDecodeAsSpec(o.decodeAs, argv[++i] ?? '');
    else if (a === '-r') o.file = argv[++i] ?? '';
    else if (THRESHOLD_FLAGS[a]) {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new UsageError(`${a} needs a non-negative number`);
      o.th[THRESHOLD_FLAGS[a]!] = v;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (!o.file) o.file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!o.file) throw new UsageError('usage: dbwire conns FILE [--json] [--timeline] [-d tcp.port==N,PROTO] [--idle-threshold S]');
  return o;
}

export async function runConns(argv: string[]): Promise<number> {
  const o = parse(argv);
  const txTracker = new TransactionTracker();
  const conns = new ConnectionTracker(new Set(o.decodeAs.keys()));
  let result;
  try {
    result = await runPass(o.file, {
      decodeAs: o.decodeAs,
      onTcp: (h, r) => conns.onTcp(h, r),
      onEvent: (e, m) => { txTracker.onEvent(e, m); conns.onEvent(e, m); },
    });
  } catch (e) {
    return openFailure(o.file, e);
  }
  const report = buildReport(conns.records.values(), txTracker.finish(), conns.captureEnd, o.th);
  const out = new Out();
  if (o.json) {
    for (const c of report.connections) out.line(JSON.stringify(jsonRow(c, o.timeline)));
    out.line(JSON.stringify({ summary: true, client_states: report.clientStates, server_states: report.serverStates, verdicts: report.verdicts, capture_verdict: report.capture.code, capture_verdict_text: report.capture.text }));
  } else {
    printTable(report.connections, out, o.timeline);
    out.line('');
    out.line(`Client end states: ${fmtCounts(report.clientStates)}`);
    out.line(`Server end states: ${fmtCounts(report.serverStates)}`);
    out.line(`Capture: ${report.capture.text}`);
  }
  out.flush();
  if (result.error) {
    process.stderr.write(`dbwire: ${o.file}: ${result.error.message}\n`);
    return 2;
  }
  return 0;
}

function fmtCounts(c: Record<string, number | undefined>): string {
  const e = Object.entries(c).filter(([, n]) => n);
  return e.length ? e.sort((a, b) => b[1]! - a[1]!).map(([k, n]) => `${k} ${n}`).join(', ') : '-';
}

export function jsonRow(c: ConnectionDetail, withTimeline: boolean): Record<string, unknown> {
  return {
    stream: c.stream, client: c.client, server: c.server, protocol: c.protocol,
    client_state: c.clientState, server_state: c.serverState, verdict: c.verdict, verdict_text: c.verdictText, evidence: c.evidence,
    first_time: c.firstTime, last_time: c.lastTime, duration: c.duration,
    packets: { client: c.packets[0], server: c.packets[1] }, bytes: { client: c.bytes[0], server: c.bytes[1] },
    handshake_rtt: { syn_to_synack: c.handshakeRtt.synToSynAck, synack_to_ack: c.handshakeRtt.synAckToAck },
    retransmissions: { client: c.retransmissions[0], server: c.retransmissions[1] }, duplicate_acks: c.duplicateAcks,
    zero_windows: c.zeroWindows, keepalives: c.keepalives, resets: c.resets, longest_idle: c.longestIdle.seconds,
    closed_by: c.closedBy, login: c.login ?? null, transactions: c.transactions, errors: c.errors,
    latency: c.latency ?? null, process: c.process ?? null,
    transitions: c.transitions.map((t) => ({ end: t.end, from: t.from, to: t.to, frame: t.frame, time: t.time })),
    ...(withTimeline ? { timeline: c.timeline } : {}),
  };
}

const ms = (s: number | undefined) => (s === undefined ? '-' : (s * 1000).toFixed(1));

function printTable(conns: readonly ConnectionDetail[], out: Out, timeline: boolean): void {
  out.write(formatTable(
    ['Stream', 'Verdict', 'Client', 'Server', 'Proto', 'Login', 'Client state', 'Server state', 'Dur s', 'Queries', 'Err', 'p95 ms'],
    conns.map((c) => [String(c.stream), c.verdict, c.client, c.server, c.protocol,
      c.login ? `${c.login.user ?? '?'}${c.login.ok ? '' : ` ✗${c.login.errorCode ?? ''}`}` : '-',
      c.clientState, c.serverState, c.duration.toFixed(3), String(c.transactions), String(c.errors), ms(c.latency?.p95)]),
    [true, false, false, false, false, false, false, false, true, true, true, true]));
  for (const c of conns) {
    out.line(`  [${c.stream}] ${c.verdictText}`);
    if (timeline) for (const e of c.timeline) out.line(`      frame ${e.frame} ${e.end.padEnd(6)} ${e.kind}${e.detail ? ': ' + e.detail.replace(/\s+/g, ' ').slice(0, 120) : ''}${e.latency !== undefined ? ` (${(e.latency * 1000).toFixed(2)} ms, ${e.status})` : ''}`);
  }
}
