/** `dbwire queries FILE [--json] [--digest] [-d tcp.port==N,PROTO]`: every request/response pair. */
import type { Transaction } from '../../shared/api/types';
import { runPass } from '../engine/pass';
import { TransactionTracker } from '../engine/analysis/transactions';
import { digest } from '../engine/analysis/digest';
import { Out } from './out';
import { UsageError } from './usage-error';
import { openFailure } from './open-failure';
import { parseDecodeAsSpec } from './read-options';
import { formatTable } from './table';

interface QueriesOptions { file: string; json: boolean; digest: boolean; decodeAs: Map<number, string> }

function parse(argv: string[]): QueriesOptions {
  const o: QueriesOptions = { file: '', json: false, digest: false, decodeAs: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') o.json = true;
    else if (a === '--digest') o.digest = true;
    else if (a === '-d') parseDecodeAsSpec(o.decodeAs, argv[++i] ?? '');
    else if (a === '-r') o.file = argv[++i] ?? '';
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (!o.file) o.file = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!o.file) throw new UsageError('usage: dbwire queries FILE [--json] [--digest] [-d tcp.port==N,PROTO]');
  return o;
}

export async function runQueries(argv: string[]): Promise<number> {
  const o = parse(argv);
  const tracker = new TransactionTracker();
  let result;
  try {
    result = await runPass(o.file, { decodeAs: o.decodeAs, onEvent: (e, m) => tracker.onEvent(e, m) });
  } catch (e) {
    return openFailure(o.file, e);
  }
  const txs = tracker.finish();
  const out = new Out();
  if (o.digest) printDigest(txs, o.json, out);
  else if (o.json) for (const t of txs) out.line(JSON.stringify(jsonRow(t)));
  else printTable(txs, out);
  out.flush();
  if (result.error) {
    process.stderr.write(`dbwire: ${o.file}: ${result.error.message}\n`);
    return 2;
  }
  return 0;
}

export function jsonRow(t: Transaction): Record<string, unknown> {
  return {
    stream: t.stream, protocol: t.protocol, request_frame: t.requestFrame, response_frame: t.responseFrame,
    last_response_frame: t.lastResponseFrame, time: t.time, latency: t.latency, statement: t.statement, status: t.status,
    error_code: t.errorCode ?? null, error_message: t.errorMessage ?? null, rows: t.rows ?? null,
    request_bytes: t.bytes[0], response_bytes: t.bytes[1],
  };
}

const ms = (s: number | null) => (s === null || Number.isNaN(s) ? '-' : (s * 1000).toFixed(3));

function printTable(txs: readonly Transaction[], out: Out): void {
  const rows = txs.map((t) => [
    String(t.stream), t.protocol, String(t.requestFrame), t.responseFrame === null ? '-' : String(t.responseFrame),
    ms(t.latency), t.status === 'error' ? `error ${t.errorCode ?? ''}`.trim() : t.status, t.rows === undefined ? '' : String(t.rows),
    oneLine(t.status === 'error' && t.errorMessage ? `${t.statement}  → ${t.errorMessage}` : t.statement),
  ]);
  out.write(formatTable(['Stream', 'Proto', 'Req', 'Resp', 'Latency ms', 'Status', 'Rows', 'Statement'], rows, [true, false, true, true, true, false, true, false]));
  out.line(`${txs.length} transactions, ${txs.filter((t) => t.status === 'error').length} errors`);
}

function printDigest(txs: readonly Transaction[], json: boolean, out: Out): void {
  const rows = digest(txs);
  if (json) {
    for (const r of rows) out.line(JSON.stringify({ fingerprint: r.fingerprint, protocol: r.protocol, count: r.count, errors: r.errors, total: r.total, p50: r.p50, p95: r.p95, max: r.max, example: r.example }));
    return;
  }
  out.write(formatTable(['Count', 'Errors', 'Total ms', 'p50 ms', 'p95 ms', 'Max ms', 'Proto', 'Fingerprint'],
    rows.map((r) => [String(r.count), String(r.errors), ms(r.total), ms(r.p50), ms(r.p95), ms(r.max), r.protocol, oneLine(r.fingerprint)]),
    [true, true, true, true, true, true, false, false]));
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 160 ? t.slice(0, 159) + '…' : t;
}
