/**
 * The DbwireApi service on a real capture: sessions, packed row pages, packet details, filters,
 * tables, follow-stream, export, input validation, and a file changing underneath.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDbWorkload, workloadDecodeAs, type DbCapture } from '../support/db-workload';
import { countFrames, tshark } from '../support/tshark';
import { createService, type DbwireService } from '../../electron/service/index';
import { decodeRows } from '../../shared/api/rows';
import { ApiInputError, MAX_PAGE_ROWS } from '../../shared/api/validate';
import type { ApiEvent, SessionInfo, TreeNode } from '../../shared/api/types';
import { decodeAsMap } from '../unit/store/engine-compare';

let cap: DbCapture;
let api: DbwireService;
let s: SessionInfo;
let dir: string;
const events: ApiEvent[] = [];

beforeAll(async () => {
  cap = await makeDbWorkload();
  api = createService({ decodeAs: decodeAsMap(workloadDecodeAs(cap.manifest)), workers: 2 });
  api.onEvent((e) => events.push(e));
  dir = mkdtempSync(join(tmpdir(), 'dbwire-service-test-'));
  s = await api.openFile(cap.file);
  while (!(await api.progress(s.id)).done) await new Promise((r) => setTimeout(r, 20));
}, 240_000);

afterAll(async () => {
  await api?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const all = (nodes: readonly TreeNode[]): TreeNode[] => nodes.flatMap((n) => [n, ...all(n.children ?? [])]);

describe('service', () => {
  it('opens a file and reports progress to the end', async () => {
    expect(s).toMatchObject({ file: cap.file, format: 'pcap', compression: 'none', live: false });
    const p = await api.progress(s.id);
    const total = (await tshark(cap.file, { fields: ['frame.number'] })).length;
    expect(p).toMatchObject({ session: s.id, phase: 'indexing', done: true, frames: total, displayed: total, bytesTotal: s.sizeBytes });
    expect(events.some((e) => e.type === 'progress' && e.progress.done && e.progress.session === s.id)).toBe(true);
  });

  it('serves packed row pages', async () => {
    const page = await api.rows(s.id, 2, 5);
    expect(page).toMatchObject({ session: s.id, start: 2, count: 5 });
    const rows = decodeRows(page.buffer);
    expect(rows.map((r) => r.num)).toEqual([3, 4, 5, 6, 7]);
    expect(rows[0]!.protocol).toBe('TCP');
    expect(rows[0]!.info).toMatch(/→/);
    const past = await api.rows(s.id, page.total + 10, 5);
    expect(past.count).toBe(0);
  });

  it('gives a packet as a plain-text tree with filters, byte ranges and bytes', async () => {
    const d = await api.packet(s.id, 1);
    expect(d.num).toBe(1);
    const nodes = all(d.tree);
    expect(d.tree[0]!.label).toMatch(/^Frame 1: \d+ bytes on wire/);
    const sport = nodes.find((n) => n.field === 'tcp.srcport')!;
    expect(sport.label).toMatch(/^Source Port: \d+$/);
    expect(sport.filter).toMatch(/^tcp\.srcport == \d+$/);
    expect(sport.length).toBe(2);
    const bytes = d.dataSources[0]!.bytes;
    expect(((bytes[sport.start]! << 8) | bytes[sport.start + 1]!)).toBe(Number(sport.filter!.split(' == ')[1]));
    expect(nodes.some((n) => n.field === 'tcp.port')).toBe(false); // hidden items are not shown
    // every filter the tree offers is one the filter bar accepts
    for (const n of nodes) if (n.filter) expect((await api.setFilter(s.id, n.filter)).ok, n.filter).toBe(true);
    await api.setFilter(s.id, '');
  });

  it('filters the displayed rows, and reports filter errors with a span', async () => {
    const f = `tcp.port == ${cap.manifest.servers.postgres.port}`;
    const r = await api.setFilter(s.id, f);
    const n = await countFrames(cap.file, f, workloadDecodeAs(cap.manifest));
    expect(r).toEqual({ ok: true, displayed: n });
    expect((await api.rows(s.id, 0, 10)).total).toBe(n);
    const bad = await api.setFilter(s.id, 'tcp.port == "x');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.end).toBeGreaterThan(bad.error.start);
    await api.setFilter(s.id, '');
  });

  it('lists connections and transactions, and follows a stream', async () => {
    const conns = await api.connections(s.id);
    const txs = await api.transactions(s.id);
    expect(conns.length).toBeGreaterThan(3);
    expect(txs.some((t) => t.protocol === 'mysql')).toBe(true);
    const pg = conns.find((c) => c.protocol === 'pgsql' && c.transactions > 0)!;
    const chunks = await api.conversation(s.id, pg.stream);
    expect(chunks[0]!.dir).toBe(0);
    expect(chunks.some((c) => c.dir === 1)).toBe(true);
    const total = chunks.reduce((a, c) => a + c.bytes.length, 0);
    expect(total).toBe(pg.bytes[0] + pg.bytes[1]);
  });

  it('exports to pcap and pcapng atomically', async () => {
    const out = join(dir, 'frames.pcapng');
    expect(await api.exportPackets(s.id, { what: { kind: 'frames', frames: [5, 1, 3] }, format: 'pcapng', path: out })).toEqual({ frames: 3, path: out });
    expect(await tshark(out, { fields: ['frame.len'] })).toEqual(
      (await tshark(cap.file, { filter: 'frame.number in {1, 3, 5}', fields: ['frame.len'] })));
  });

  it('rejects bad input with clear errors', async () => {
    await expect(api.openFile('relative.pcap')).rejects.toThrow(/not an absolute path/);
    await expect(api.openFile(join(dir, 'missing.pcap'))).rejects.toThrow(/ENOENT|no such file/);
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'this is not a capture file at all');
    await expect(api.openFile(junk)).rejects.toThrow(/not a|unknown|capture/i);
    await expect(api.rows('s-nope', 0, 1)).rejects.toThrow(/no open session "s-nope"/);
    await expect(api.rows(s.id, -1, 1)).rejects.toThrow(ApiInputError);
    await expect(api.rows(s.id, 0, MAX_PAGE_ROWS + 1)).rejects.toThrow(/maximum/);
    await expect(api.rows(s.id, 0, 'ten' as unknown as number)).rejects.toThrow(/count/);
    await expect(api.packet(s.id, 0)).rejects.toThrow(/frame number/);
    await expect(api.packet(s.id, 10_000_000)).rejects.toThrow(/not in the capture/);
    await expect(api.setFilter(s.id, 42 as unknown as string)).rejects.toThrow(/filter/);
    await expect(api.conversation(s.id, 99_999)).rejects.toThrow(/no TCP stream/);
    await expect(api.exportPackets(s.id, { what: { kind: 'displayed' }, format: 'pcap', path: join(dir, 'no/such/dir/x.pcap') }))
      .rejects.toThrow(/does not exist/);
    await expect(api.exportPackets(s.id, { what: { kind: 'frames', frames: [10_000_000] }, format: 'pcap', path: join(dir, 'x.pcap') }))
      .rejects.toThrow(/not in the capture/);
    await expect(api.interfaces()).rejects.toThrow(/no capture provider/);
    await expect(api.startCapture({ iface: 'lo' })).rejects.toThrow(/no capture provider/);
  });

  it('notices a file that changed underneath', async () => {
    const copy = join(dir, 'changing.pcap');
    copyFileSync(cap.file, copy);
    const t = await api.openFile(copy);
    while (!(await api.progress(t.id)).done) await new Promise((r) => setTimeout(r, 20));
    expect((await api.packet(t.id, 1)).num).toBe(1);
    appendFileSync(copy, Buffer.alloc(100));
    await expect(api.packet(t.id, 1)).rejects.toThrow(/changed on disk/);
    await api.closeSession(t.id);
    await expect(api.progress(t.id)).rejects.toThrow(/no open session/);
  });

  it('checks a capture filter with libpcap before a capture (no capture rights needed)', async () => {
    expect(await api.checkCaptureFilter('tcp port 3306 or tcp port 5432')).toEqual({ ok: true });
    const bad = await api.checkCaptureFilter('tcp port');
    expect(bad.ok).toBe(false);
    expect('message' in bad && bad.message).toMatch(/syntax|expression|port/i);
    await expect(api.checkCaptureFilter(42 as unknown as string)).rejects.toThrow(ApiInputError);
  });
});
