/**
 * Developer check over a folder of captures (the team corpus): for each file, the parallel first
 * pass (2 workers) must equal the single-thread pass, and random access to every frame (shuffled)
 * must equal a sequential dissection, and transactions and connections must equal what one
 * sequential pass (`dbwire queries` / `dbwire conns`) reports. `node --import tsx electron/bench/corpus-check.ts DIR`
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureSession } from '../engine/store/capture-session';
import { runPass } from '../engine/pass';
import { TransactionTracker } from '../engine/analysis/transactions';
import { ConnectionTracker } from '../engine/analysis/connections/tracker';
import { buildReport, type ConnectionDetail } from '../engine/analysis/connections/report';
import type { Transaction } from '../../shared/api/types';
import { columnDump, dumpDissection, sequentialFrames, shuffled } from '../../test/unit/store/engine-compare';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(pcap|pcapng|cap|gz|zst)$/.test(name)) out.push(p);
  }
  return out.sort();
}

/** Transactions and connections as `dbwire queries` / `dbwire conns` compute them: one sequential pass. */
async function sequentialTables(file: string): Promise<{ transactions: Transaction[]; connections: readonly ConnectionDetail[] }> {
  const tracker = new TransactionTracker();
  const conns = new ConnectionTracker(new Set());
  await runPass(file, { decodeAs: new Map(), onTcp: (h, r) => conns.onTcp(h, r), onEvent: (e, m) => { tracker.onEvent(e, m); conns.onEvent(e, m); } });
  const transactions = tracker.finish();
  return { transactions, connections: buildReport(conns.records.values(), transactions, conns.captureEnd).connections };
}

async function check(file: string): Promise<string> {
  let seq;
  try { seq = await sequentialFrames(file, new Map()); } catch (e) { return `unreadable (${(e as Error).message})`; }
  const a = await CaptureSession.open(file, { workers: 0 });
  const b = await CaptureSession.open(file, { workers: 2, checkpointEvery: 8 });
  try {
    await Promise.all([a.done.catch(() => {}), b.done.catch(() => {})]);
    if (a.store.count !== seq.length) return `frame count ${a.store.count} != sequential ${seq.length}`;
    const ca = columnDump(a), cb = columnDump(b);
    const diff = ca.findIndex((x, i) => x !== cb[i]);
    if (diff >= 0 || ca.length !== cb.length) return `parallel columns differ at frame ${diff + 1}`;
    if (JSON.stringify(await a.transactions()) !== JSON.stringify(await b.transactions())) return 'parallel transactions differ';
    if (JSON.stringify(await a.connections()) !== JSON.stringify(await b.connections())) return 'parallel connections differ';
    const sequential = await sequentialTables(file);
    if (JSON.stringify(await a.transactions()) !== JSON.stringify(sequential.transactions)) return 'transactions differ from a sequential pass';
    if (JSON.stringify(await a.connections()) !== JSON.stringify(sequential.connections)) return 'connections differ from a sequential pass';
    const rows = a.rows(0, seq.length);
    for (let i = 0; i < seq.length; i++) {
      const info = Buffer.from(rows[i]!.info as Uint8Array).toString('utf8');
      if (info !== seq[i]!.info || rows[i]!.protocol !== seq[i]!.protocol) return `row ${i + 1} summary differs from the sequential pass: "${info}" vs "${seq[i]!.info}"`;
    }
    for (const n of shuffled(seq.map((_, i) => i + 1))) {
      if (dumpDissection(b.packet(n)) !== seq[n - 1]!.dump) return `random access differs at frame ${n}`;
    }
    return `ok (${seq.length} frames)`;
  } finally {
    a.close();
    b.close();
  }
}

const dir = process.argv[2] ?? '.';
let bad = 0;
for (const f of files(dir)) {
  let r: string;
  try { r = await check(f); } catch (e) { r = `ERROR ${(e as Error).stack}`; }
  if (!r.startsWith('ok') && !r.startsWith('unreadable')) bad++;
  process.stdout.write(`${r.startsWith('ok') ? 'ok  ' : 'FAIL'} ${f}: ${r}\n`);
}
process.stdout.write(`${bad} file(s) failed\n`);
process.exit(bad ? 1 : 0);
