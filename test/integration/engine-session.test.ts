/**
 * The session engine on a real capture (MariaDB, PostgreSQL, Redis and memcached traffic made by
 * the test run): the parallel first pass equals the sequential one, random access equals a
 * sequential dissection for every frame, filters equal filtering a sequential pass, and exports
 * hold exactly the frames tshark selects with the same filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDbWorkload, workloadDecodeAs, type DbCapture } from '../support/db-workload';
import { tshark } from '../support/tshark';
import { CaptureSession } from '../../electron/engine/store/capture-session';
import { compileFilter } from '../../electron/engine/filter/index';
import { runPass } from '../../electron/engine/pass';
import { TransactionTracker } from '../../electron/engine/analysis/transactions';
import { ConnectionTracker } from '../../electron/engine/analysis/connections/tracker';
import { buildReport } from '../../electron/engine/analysis/connections/report';
import { encodeRows } from '../../shared/api/rows';
import { columnDump, decodeAsMap, dumpDissection, sequentialFrames, shuffled, type SequentialFrame } from '../unit/store/engine-compare';

let cap: DbCapture;
let decodeAs: Map<number, string>;
let seq: SequentialFrame[];
let inThread: CaptureSession;
let parallel: CaptureSession;
let dir: string;

beforeAll(async () => {
  cap = await makeDbWorkload();
  decodeAs = decodeAsMap(workloadDecodeAs(cap.manifest));
  seq = await sequentialFrames(cap.file, decodeAs);
  inThread = await CaptureSession.open(cap.file, { decodeAs, workers: 0 });
  parallel = await CaptureSession.open(cap.file, { decodeAs, workers: 2, checkpointEvery: 4 });
  await Promise.all([inThread.done, parallel.done]);
  dir = mkdtempSync(join(tmpdir(), 'dbwire-engine-test-'));
}, 240_000);

afterAll(() => {
  inThread?.close();
  parallel?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('first pass', () => {
  it('indexes every frame, with the summary a sequential pass shows', () => {
    expect(seq.length).toBeGreaterThan(100);
    expect(inThread.store.count).toBe(seq.length);
    const rows = inThread.rows(0, seq.length);
    rows.forEach((r, i) => {
      const f = seq[i]!;
      const info = typeof r.info === 'string' ? r.info : Buffer.from(r.info).toString('utf8');
      expect([r.num, r.protocol, info, r.source, r.destination, r.stream]).toEqual([i + 1, f.protocol, f.info, f.src, f.dst, f.tcp ? f.stream : -1]);
    });
    expect(inThread.progress()).toMatchObject({ done: true, frames: seq.length, bytesDone: inThread.size });
  });

  it('in two worker threads gives exactly the single-thread result', async () => {
    expect(parallel.store.shards).toBe(2);
    expect(columnDump(parallel)).toEqual(columnDump(inThread));
    expect(new Uint8Array(encodeRows(parallel.rows(0, 100_000)))).toEqual(new Uint8Array(encodeRows(inThread.rows(0, 100_000))));
    expect(await parallel.transactions()).toEqual(await inThread.transactions());
    expect(JSON.stringify(await parallel.connections())).toBe(JSON.stringify(await inThread.connections()));
  });

  it('finds the transactions `dbwire queries` finds', async () => {
    const tracker = new TransactionTracker();
    await runPass(cap.file, { decodeAs, onEvent: (e, m) => tracker.onEvent(e, m) });
    const txs = await parallel.transactions();
    expect(txs.length).toBeGreaterThan(10);
    expect(txs).toEqual(tracker.finish());
  });

  it('gives the connections (timelines with their requests) a sequential pass reports', async () => {
    const tracker = new TransactionTracker();
    const conns = new ConnectionTracker(new Set(decodeAs.keys()));
    await runPass(cap.file, { decodeAs, onTcp: (h, r) => conns.onTcp(h, r), onEvent: (e, m) => { tracker.onEvent(e, m); conns.onEvent(e, m); } });
    const report = buildReport(conns.records.values(), tracker.finish(), conns.captureEnd);
    const ours = await parallel.connections();
    expect(ours.some((c) => c.timeline.some((e) => e.kind === 'request'))).toBe(true);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(report.connections));
  });
});

describe('random access', () => {
  it('re-dissects every frame, in random order, exactly as the sequential pass did', () => {
    for (const n of shuffled(seq.map((_, i) => i + 1))) {
      expect(dumpDissection(parallel.packet(n)), `frame ${n}`).toBe(seq[n - 1]!.dump);
    }
  });

  it('gives the same answer again from its checkpoints', () => {
    const last = seq.length;
    expect(dumpDissection(parallel.packet(last))).toBe(seq[last - 1]!.dump);
    expect(dumpDissection(parallel.packet(2))).toBe(seq[1]!.dump);
  });
});

describe('display filters', () => {
  const filters = (ports: DbCapture['manifest']['servers']) => [
    `tcp.port == ${ports.mariadb.port}`, 'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'tcp.stream in {1, 3, 5}', '!tcp.analysis.duplicate_ack',
    'frame.len > 200', 'mysql', 'mysql.query', 'pgsql.query contains "SELECT"', 'pgsql.type == "Error" || mysql.error_code',
    'resp || memcache', 'tcp.len > 0 && !pgsql', `ip.addr == 127.0.0.1 && tcp.dstport == ${ports.postgres.port}`,
  ];

  it('select what filtering a sequential pass selects (column and deep filters)', async () => {
    for (const f of filters(cap.manifest.servers)) {
      const c = compileFilter(f);
      if (!c.ok) throw new Error(`${f}: ${c.error.message}`);
      const want: number[] = [];
      await runPass(cap.file, { decodeAs }, (d) => { if (c.filter.match(d.tree)) want.push(d.pinfo.num); });
      const r = await parallel.setFilter(f);
      expect(r, f).toEqual({ ok: true, displayed: want.length });
      expect(parallel.rows(0, want.length).map((x) => x.num), f).toEqual(want);
    }
    expect(await parallel.setFilter('')).toEqual({ ok: true, displayed: seq.length });
  });

  it('report a syntax error with its span', async () => {
    await parallel.setFilter('');
    const r = await parallel.setFilter('tcp.port ==');
    expect(r.ok).toBe(false);
    expect(parallel.displayedCount()).toBe(seq.length);
  });
});

describe('export', () => {
  const epochs = async (file: string, filter?: string) =>
    (await tshark(file, { filter, decodeAs: workloadDecodeAs(cap.manifest), fields: ['frame.time_epoch', 'frame.len', 'frame.cap_len'] }));

  it('writes exactly the frames tshark selects with the same filter, as pcap and pcapng', async () => {
    const s = cap.manifest.servers;
    for (const f of [`tcp.port == ${s.postgres.port}`, 'tcp.flags.fin == 1', 'mysql.query']) {
      const want = await epochs(cap.file, f);
      expect(want.length, f).toBeGreaterThan(0);
      const r = await parallel.setFilter(f);
      expect(r.ok).toBe(true);
      for (const format of ['pcap', 'pcapng'] as const) {
        const out = join(dir, `out.${format}`);
        const frames = await parallel.exportFrames({ kind: 'displayed' });
        expect(await parallel.export(frames, format, out)).toBe(want.length);
        expect(await epochs(out), `${f} as ${format}`).toEqual(want);
      }
    }
    await parallel.setFilter('');
  });

  it('exports one connection', async () => {
    const frames = await parallel.exportFrames({ kind: 'stream', stream: 2 });
    const out = join(dir, 'stream.pcapng');
    await parallel.export(frames, 'pcapng', out);
    expect(await epochs(out)).toEqual(await epochs(cap.file, 'tcp.stream == 2'));
  });
});
