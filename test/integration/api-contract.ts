/**
 * The DbwireApi contract, run against every way a client reaches the engine: the service in
 * process, through the WebSocket host, and through a MessagePort endpoint (the Electron path
 * without Electron). Each run uses the real engine on a real capture made by the test run (real
 * MariaDB, PostgreSQL, Redis and memcached servers, captured with tcpdump).
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRows } from '../../shared/api/rows';
import type { ApiEvent, DbwireApi, PacketRow, SessionInfo, TreeNode } from '../../shared/api/types';
import { makeDbWorkload, type DbWorkloadManifest } from '../support/db-workload';
import { testOutputPath } from '../support/paths';

export interface ContractTarget {
  readonly api: DbwireApi;
  close(): Promise<void>;
}

const DONE_TIMEOUT_MS = 60_000;

async function waitIndexed(api: DbwireApi, session: string): Promise<number> {
  const deadline = Date.now() + DONE_TIMEOUT_MS;
  for (;;) {
    const p = await api.progress(session);
    if (p.done) {
      expect(p.error).toBeUndefined();
      return p.frames;
    }
    if (Date.now() > deadline) throw new Error(`indexing did not finish within ${DONE_TIMEOUT_MS / 1000} s: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function allRows(api: DbwireApi, session: string): Promise<PacketRow[]> {
  const out: PacketRow[] = [];
  for (let start = 0; ; start += 1000) {
    const page = await api.rows(session, start, 1000);
    out.push(...decodeRows(page.buffer));
    if (start + page.count >= page.total || page.count === 0) return out;
  }
}

function* walk(nodes: readonly TreeNode[]): Generator<TreeNode> {
  for (const n of nodes) {
    yield n;
    if (n.children) yield* walk(n.children);
  }
}

export function apiContract(name: string, connect: () => Promise<ContractTarget>): void {
  describe(`DbwireApi contract: ${name}`, () => {
    let target: ContractTarget;
    let api: DbwireApi;
    let manifest: DbWorkloadManifest;
    let info: SessionInfo;
    let frames = 0;
    const events: ApiEvent[] = [];

    beforeAll(async () => {
      manifest = (await makeDbWorkload()).manifest;
      target = await connect();
      api = target.api;
      api.onEvent((e) => events.push(e));
      info = await api.openFile(manifest.file);
      frames = await waitIndexed(api, info.id);
    });

    afterAll(async () => {
      await target?.close();
    });

    it('openFile describes the capture and indexes every frame', async () => {
      expect(info).toMatchObject({ file: manifest.file, format: 'pcap', compression: 'none', live: false, sizeBytes: statSync(manifest.file).size });
      expect(typeof info.id).toBe('string');
      expect(frames).toBeGreaterThan(100);
      // The last progress push of a finished pass always goes out.
      const deadline = Date.now() + 5000;
      while (!events.some((e) => e.type === 'progress' && e.progress.session === info.id && e.progress.done) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const done = events.find((e) => e.type === 'progress' && e.progress.session === info.id && e.progress.done);
      expect(done).toBeDefined();
    });

    it('rows returns packed pages of the displayed view, in frame order', async () => {
      const page = await api.rows(info.id, 0, 20);
      expect(page.buffer).toBeInstanceOf(ArrayBuffer);
      expect(page).toMatchObject({ session: info.id, start: 0, count: 20, total: frames });
      const rows = decodeRows(page.buffer);
      expect(rows.map((r) => r.num)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(rows[0]!.time).toBe(0);
      const all = await allRows(api, info.id);
      expect(all.length).toBe(frames);
      const protocols = new Set(all.map((r) => r.protocol));
      for (const p of ['TCP', 'MySQL', 'PGSQL']) expect(protocols, p).toContain(p);
      const tail = await api.rows(info.id, frames - 3, 10);
      expect(tail.count).toBe(3);
    });

    it('packet gives the field tree and the bytes of one frame', async () => {
      const tx = await api.transactions(info.id);
      const q = tx.find((t) => t.statement.includes('no_such_table'))!;
      const d = await api.packet(info.id, q.requestFrame);
      expect(d.num).toBe(q.requestFrame);
      const fields = [...walk(d.tree)];
      const query = fields.find((n) => n.field === 'mysql.query');
      expect(query?.label).toContain('SELECT * FROM no_such_table');
      expect(fields.some((n) => n.field === 'tcp.srcport')).toBe(true);
      expect(d.dataSources[0]!.bytes).toBeInstanceOf(Uint8Array);
      const row = decodeRows((await api.rows(info.id, q.requestFrame - 1, 1)).buffer)[0]!;
      expect(d.dataSources[0]!.bytes.length).toBe(row.length);
      // The query's bytes are where the tree says they are.
      const ds = d.dataSources[query!.ds]!.bytes;
      expect(new TextDecoder().decode(ds.subarray(query!.start, query!.start + query!.length))).toBe('SELECT * FROM no_such_table');
    });

    it('setFilter narrows the view, reports a bad filter with its position, and clears', async () => {
      const r = await api.setFilter(info.id, 'mysql.query');
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.displayed).toBeGreaterThan(0);
      expect(r.displayed).toBeLessThan(frames);
      const shown = await allRows(api, info.id);
      expect(shown.length).toBe(r.displayed);
      expect(shown.every((row) => row.protocol === 'MySQL')).toBe(true);
      const bad = await api.setFilter(info.id, 'tcp.port == ');
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.error.message).toBeTruthy();
        expect(bad.error.start).toBeGreaterThanOrEqual(0);
        expect(bad.error.end).toBeGreaterThanOrEqual(bad.error.start);
      }
      expect(await api.setFilter(info.id, '')).toEqual({ ok: true, displayed: frames });
    });

    it('connections name both ends, the protocol, the login and a verdict', async () => {
      const conns = await api.connections(info.id);
      const mysql = conns.filter((c) => c.server.endsWith(`:${manifest.servers.mariadb.port}`));
      expect(mysql.length).toBeGreaterThanOrEqual(3);
      const ok = mysql.find((c) => c.login?.ok && c.transactions > 0)!;
      expect(ok).toBeDefined();
      expect(ok.client).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(typeof ok.verdictText).toBe('string');
      expect(ok.packets[0] + ok.packets[1]).toBeGreaterThan(0);
      expect(mysql.some((c) => c.login && !c.login.ok && c.login.errorCode === '1045')).toBe(true);
      expect(conns.some((c) => c.server.endsWith(`:${manifest.servers.postgres.port}`))).toBe(true);
    });

    it('transactions pair each query with its response, status and latency', async () => {
      const tx = await api.transactions(info.id);
      const err = tx.find((t) => t.statement === 'SELECT * FROM no_such_table')!;
      expect(err).toMatchObject({ protocol: expect.stringMatching(/mysql/i), status: 'error', errorCode: '1146' });
      expect(err.responseFrame).toBeGreaterThan(err.requestFrame);
      expect(err.latency).toBeGreaterThanOrEqual(0);
      for (const step of manifest.steps.filter((s) => s.protocol === 'mysql' && s.client === 'mariadb' && s.kind === 'query')) {
        const t = tx.find((x) => x.statement === step.text);
        expect(t, step.text).toBeDefined();
        expect(t!.status, step.text).toBe(step.outcome === 'ok' ? 'ok' : 'error');
      }
    });

    it('conversation gives the stream bytes in order, by direction', async () => {
      const tx = await api.transactions(info.id);
      const err = tx.find((t) => t.statement === 'SELECT * FROM no_such_table')!;
      const chunks = await api.conversation(info.id, err.stream);
      expect(chunks.length).toBeGreaterThan(4);
      expect(chunks.every((c) => c.bytes instanceof Uint8Array && (c.dir === 0 || c.dir === 1))).toBe(true);
      const frameOrder = chunks.map((c) => c.frame);
      expect(frameOrder).toEqual([...frameOrder].sort((a, b) => a - b));
      const text = (dir: 0 | 1) => Buffer.concat(chunks.filter((c) => c.dir === dir).map((c) => c.bytes)).toString('latin1');
      expect(text(0)).toContain('SELECT * FROM no_such_table');
      expect(text(1)).toContain("doesn't exist");
    });

    it('exportPackets writes a stream that opens again with the same frames', async () => {
      const tx = await api.transactions(info.id);
      const stream = tx.find((t) => t.statement === 'SELECT * FROM no_such_table')!.stream;
      const filtered = await api.setFilter(info.id, `tcp.stream == ${stream}`);
      expect(filtered.ok).toBe(true);
      const streamRows = await allRows(api, info.id);
      await api.setFilter(info.id, '');
      const path = testOutputPath(`contract-${name.replace(/\W+/g, '-')}-${process.pid}.pcapng`);
      const r = await api.exportPackets(info.id, { what: { kind: 'stream', stream }, format: 'pcapng', path });
      expect(r).toEqual({ frames: streamRows.length, path });
      expect(readFileSync(path).readUInt32LE(0)).toBe(0x0a0d0d0a);
      const again = await api.openFile(path);
      expect(again.format).toBe('pcapng');
      expect(await waitIndexed(api, again.id)).toBe(streamRows.length);
      const rows = await allRows(api, again.id);
      expect(rows.map((x) => [x.length, x.info])).toEqual(streamRows.map((x) => [x.length, x.info]));
      await api.closeSession(again.id);
      rmSync(path, { force: true });
    });

    it('refuses bad calls with a message naming the argument, and forgets closed sessions', async () => {
      await expect(api.rows(info.id, -1, 10)).rejects.toThrow(/start/);
      await expect(api.openFile('relative.pcap')).rejects.toThrow(/absolute/);
      await expect(api.openFile(testOutputPath('no-such-file.pcap'))).rejects.toThrow(/no-such-file/);
      const extra = await api.openFile(manifest.file);
      await api.closeSession(extra.id);
      await expect(api.rows(extra.id, 0, 1)).rejects.toThrow();
    });
  });
}
