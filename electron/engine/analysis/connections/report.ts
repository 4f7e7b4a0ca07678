/** Turns connection records into the API's Connection objects, the end-state summary and the capture verdict. */
import type { Connection, TcpState, Transaction } from '../../../../shared/api/types';
import { appStreamInfo } from '../../decode/tcp-app';
import { percentile } from '../digest';
import { TransactionRows, blankBrief } from '../transaction-table';
import type { ConnRecord, TimelineEvent } from './record';
import { otherEnd, type StateTransition } from './tcp-state';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds';
import { verdictFor } from './verdict';
import { TxStatsByStream, txStatsOf, type TxStats } from './tx-stats';

export interface ConnectionDetail extends Connection {
  readonly handshakeRtt: { readonly synToSynAck: number | null; readonly synAckToAck: number | null };
  readonly retransmissions: readonly [number, number];
  readonly duplicateAcks: number;
  readonly zeroWindows: number;
  readonly keepalives: number;
  readonly resets: number;
  readonly longestIdle: { readonly seconds: number; readonly fromFrame: number; readonly toFrame: number };
  readonly closedBy: { readonly end: 'client' | 'server'; readonly how: 'FIN' | 'RST'; readonly frame: number } | null;
  readonly transitions: readonly StateTransition[];
  readonly timeline: readonly TimelineEvent[];
}

export interface CaptureVerdict {
  readonly code: 'ok' | 'connection-churn' | 'problems';
  readonly text: string;
  readonly evidence: readonly number[];
}

export interface ConnectionsReport {
  readonly connections: readonly ConnectionDetail[];
  /** Connections per end state of each side (the `netstat -n | awk '{++S[$NF]}'` view). */
  readonly clientStates: Readonly<Partial<Record<TcpState, number>>>;
  readonly serverStates: Readonly<Partial<Record<TcpState, number>>>;
  readonly verdicts: Readonly<Record<string, number>>;
  readonly capture: CaptureVerdict;
}

export function endpointText(key: string, port: number): string {
  const addr = key.slice(2);
  return key.startsWith('6:') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export interface ReportOptions {
  /**
   * Whether each connection's timeline lists its requests. The session engine leaves them out and
   * adds them when the connections are asked for (withRequests): a timeline event per transaction
   * would be a second copy of every transaction on the heap.
   */
  readonly requestEvents?: boolean;
}

/**
 * `txs`: the transactions, or only their stats per connection (then the timelines cannot list the
 * requests: `requestEvents` must be false).
 */
export function buildReport(
  records: Iterable<ConnRecord>, txs: readonly Transaction[] | TransactionRows | TxStatsByStream, captureEnd: number, th: Thresholds = DEFAULT_THRESHOLDS,
  opts: ReportOptions = {},
): ConnectionsReport {
  const events = opts.requestEvents !== false;
  if (txs instanceof TxStatsByStream && events) throw new Error('a report with requests in its timelines needs the transactions, not their stats');
  // Without request events the report reads only times and statuses: no statement texts are made.
  const byStream = events ? transactionsByStream(txs as readonly Transaction[] | TransactionRows) : null;
  const statsOf: ((stream: number) => TxStats) | null = txs instanceof TxStatsByStream ? (stream) => txs.of(stream)
    : byStream ? null : statsByStream(txs, th.slowP95Seconds);
  const out: ConnectionDetail[] = [];
  const clientStates: Partial<Record<TcpState, number>> = {};
  const serverStates: Partial<Record<TcpState, number>> = {};
  const verdicts: Record<string, number> = {};
  for (const c of records) {
    const info = appStreamInfo(c.conv.app);
    if (info && !c.rolesFromSyn && (info.serverKey !== c.serverKey || info.serverPort !== c.serverPort)) swapRoles(c);
    // (a connection's transactions, when the timeline lists them, are made once for both)
    const list = byStream?.(c.stream);
    const t = list ? txStatsOf(list, th.slowP95Seconds) : statsOf!(c.stream);
    const lat = t.latencies;
    const v = verdictFor(c, t, th, captureEnd);
    const timeline = list ? withRequests(c.timeline, list) : [...c.timeline];
    const cs = c.states.state('client'), ss = c.states.state('server');
    clientStates[cs] = (clientStates[cs] ?? 0) + 1;
    serverStates[ss] = (serverStates[ss] ?? 0) + 1;
    verdicts[v.code] = (verdicts[v.code] ?? 0) + 1;
    out.push({
      stream: c.stream,
      client: endpointText(c.clientKey, c.clientPort),
      server: endpointText(c.serverKey, c.serverPort),
      protocol: info?.protocol ?? 'tcp',
      firstTime: c.firstTime, lastTime: c.lastTime, duration: c.lastTime - c.firstTime,
      packets: [c.packets[0], c.packets[1]], bytes: [c.bytes[0], c.bytes[1]],
      clientState: cs, serverState: ss,
      verdict: v.code, verdictText: v.text, evidence: v.evidence,
      login: c.login && (c.login.user || c.login.outcome) ? {
        user: c.login.user, database: c.login.database, ok: c.login.outcome === 'ok', errorCode: c.login.errorCode, errorMessage: c.login.errorMessage,
      } : undefined,
      transactions: t.count,
      errors: t.errors,
      latency: lat.length ? { p50: percentile(lat, 50), p95: percentile(lat, 95), max: lat[lat.length - 1]! } : undefined,
      process: c.process,
      handshakeRtt: {
        synToSynAck: c.synTime !== null && c.synAckTime !== null ? c.synAckTime - c.synTime : null,
        synAckToAck: c.synAckTime !== null && c.handshakeAckTime !== null ? c.handshakeAckTime - c.synAckTime : null,
      },
      retransmissions: [c.retransmissions[0], c.retransmissions[1]],
      duplicateAcks: c.dupAcks, zeroWindows: c.zeroWindows, keepalives: c.keepalives, resets: c.rsts.length,
      longestIdle: { seconds: c.longestIdle.seconds, fromFrame: c.longestIdle.fromFrame, toFrame: c.longestIdle.toFrame },
      closedBy: c.closedBy ? { end: c.closedBy.end, how: c.closedBy.how, frame: c.closedBy.frame } : null,
      transitions: c.states.transitions,
      timeline,
    });
  }
  out.sort((a, b) => a.stream - b.stream);
  return { connections: out, clientStates, serverStates, verdicts, capture: captureVerdict(out, th) };
}

/** Each stream's transactions, in order; from a table, made only for the streams asked for. */
export function transactionsByStream(txs: readonly Transaction[] | TransactionRows): (stream: number) => Transaction[] {
  if (txs instanceof TransactionRows) {
    const rows = txs.byStream();
    return (stream) => Array.from(rows.get(stream) ?? [], (i) => txs.get(i));
  }
  const m = new Map<number, Transaction[]>();
  for (const t of txs) {
    let l = m.get(t.stream);
    if (!l) { l = []; m.set(t.stream, l); }
    l.push(t);
  }
  return (stream) => m.get(stream) ?? [];
}

/**
 * Each stream's transaction stats, from one walk over the transactions (a table's rows read as
 * briefs into one reused object: no Transaction objects, no statement texts).
 */
function statsByStream(txs: readonly Transaction[] | TransactionRows, slowThreshold: number): (stream: number) => TxStats {
  const stats = new TxStatsByStream(slowThreshold);
  if (txs instanceof TransactionRows) {
    const brief = blankBrief();
    for (let i = 0; i < txs.length; i++) stats.add(txs.stream(i), i, txs.briefInto(i, brief));
  } else txs.forEach((t, i) => stats.add(t.stream, i, t));
  return (stream) => stats.of(stream);
}

/** A connection's timeline with its transactions' requests merged in, in frame order. */
export function withRequests(timeline: readonly TimelineEvent[], txs: readonly Transaction[]): TimelineEvent[] {
  return [...timeline, ...txs.map((x): TimelineEvent => ({
    kind: 'request', frame: x.requestFrame, time: x.time, end: 'client', detail: x.statement,
    endFrame: x.responseFrame ?? undefined, endTime: x.latency !== null ? x.time + x.latency : undefined,
    latency: x.latency ?? undefined, status: x.status === 'error' ? `error ${x.errorCode ?? ''}`.trim() : x.status,
  }))].sort((a, b) => a.frame - b.frame || a.time - b.time);
}

/**
 * The protocol decoder knows the server better than the port guess: exchange the ends everywhere
 * they are recorded. Facts kept for one direction only (the client's unacknowledged data, writes
 * after the server's FIN) cannot be turned around and are dropped; they matter only with a
 * handshake, and then the roles came from the SYN.
 */
function swapRoles(c: ConnRecord): void {
  [c.clientKey, c.serverKey] = [c.serverKey, c.clientKey];
  [c.clientPort, c.serverPort] = [c.serverPort, c.clientPort];
  c.packets.reverse();
  c.bytes.reverse();
  c.retransmissions.reverse();
  c.outOfOrder.reverse();
  c.dataSegments.reverse();
  c.states.swapEnds();
  if (c.closedBy) c.closedBy = { ...c.closedBy, end: otherEnd(c.closedBy.end) };
  c.rsts = c.rsts.map((r) => ({ ...r, from: otherEnd(r.from) }));
  c.recentPayloads = c.recentPayloads.map((p) => ({ ...p, end: otherEnd(p.end) }));
  c.payloadsBeforeClose = c.payloadsBeforeClose?.map((p) => ({ ...p, end: otherEnd(p.end) })) ?? null;
  for (let i = 0; i < c.timeline.length; i++) c.timeline[i] = { ...c.timeline[i]!, end: otherEnd(c.timeline[i]!.end) };
  c.clientDataEnd = null;
  c.clientFirstDataFrame = null;
  c.clientFirstDataTime = null;
  c.serverMaxAck = null;
  c.clientWroteAfterServerFin = null;
}

/** Capture-wide: connection churn (many short connections from one client to one server), else a count. */
function captureVerdict(conns: readonly ConnectionDetail[], th: Thresholds): CaptureVerdict {
  const groups = new Map<string, ConnectionDetail[]>();
  for (const c of conns) {
    const host = c.client.slice(0, c.client.lastIndexOf(':'));
    const k = `${host} → ${c.server}`;
    let g = groups.get(k);
    if (!g) { g = []; groups.set(k, g); }
    g.push(c);
  }
  for (const [k, g] of groups) {
    const short = g.filter((c) => c.duration < th.churnMaxDurationSeconds);
    if (short.length < th.churnMinConnections) continue;
    const span = Math.max(...short.map((c) => c.lastTime)) - Math.min(...short.map((c) => c.firstTime));
    const rate = short.length / Math.max(span, 1e-3);
    if (rate < th.churnMinRate) continue;
    const tw = short.filter((c) => c.clientState === 'TIME_WAIT' || c.serverState === 'TIME_WAIT').length;
    return {
      code: 'connection-churn',
      text: `Connection churn: ${short.length} short connections ${k} in ${span.toFixed(2)} s (${rate.toFixed(1)}/s, threshold ${th.churnMinRate}/s), each under ${th.churnMaxDurationSeconds} s; ${tw} left in TIME_WAIT. Use a connection pool.`,
      evidence: short.slice(0, 10).map((c) => c.stream),
    };
  }
  const bad = conns.filter((c) => c.verdict !== 'ok');
  if (!bad.length) return { code: 'ok', text: `${conns.length} connection${conns.length === 1 ? '' : 's'}, all OK.`, evidence: [] };
  const counts = new Map<string, number>();
  for (const c of bad) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  return {
    code: 'problems',
    text: `${bad.length} of ${conns.length} connections have problems: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}.`,
    evidence: bad.slice(0, 10).map((c) => c.stream),
  };
}
