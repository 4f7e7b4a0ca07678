// Live capture through the API (the service with the live capture provider, as `dbwire serve`
// runs it): a capture on lo filtered to a real MariaDB server's port; rows, packets, a display
// filter, transactions and connections grow through the API while the capture runs; then stop,
// save, and the saved file reopened has the frames tshark reads in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiEvent, SessionInfo } from '../../shared/api/types';
import { decodeRows } from '../../shared/api/rows';
import { createService, type DbwireService } from '../../electron/service';
import { createLiveCaptureProvider } from '../../electron/service/capture-provider-live';
import { runMariadb } from '../support/clients';
import { startMariaDB, type DbServer } from '../support/servers';
import { tshark } from '../support/tshark';
import { delay } from '../support/timing';

let dir: string;
let db: DbServer;
let api: DbwireService;
const events: ApiEvent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-live-api-'));
  db = await startMariaDB();
  api = createService({ captureProvider: createLiveCaptureProvider({ spoolDir: dir, flushMs: 50 }) });
  api.onEvent((e) => events.push(e));
}, 120_000);

afterAll(async () => {
  await api?.dispose();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls `f` until it returns a truthy value; throws naming `what` after `ms`. */
async function until<T>(f: () => Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(50);
  }
}

describe('live capture through the API', () => {
  it('lists lo with its permission state', async () => {
    const ifs = await api.interfaces();
    const lo = ifs.find((i) => i.name === 'lo');
    expect(lo).toBeDefined();
    expect(lo!.loopback).toBe(true);
    expect(typeof lo!.permitted).toBe('boolean');
    if (!lo!.permitted) expect(lo!.fix).toMatch(/CAP_NET_RAW|root/);
  });

  it('rejects a bad capture filter before starting', async () => {
    await expect(api.startCapture({ iface: 'lo', filter: 'tcp port ((' })).rejects.toThrow(/capture filter/);
  });

  it('shows rows, packets, queries and connections while capturing; stop, save, reopen', async () => {
    const info: SessionInfo = await api.startCapture({ iface: 'lo', filter: `tcp port ${db.port}` });
    expect(info.live).toBe(true);
    const id = info.id;
    // A display filter set before any packet arrived extends as packets arrive.
    const f = await api.setFilter(id, 'mysql.query');
    expect(f).toEqual({ ok: true, displayed: 0 });

    const marker = `live_api_${process.pid}`;
    // One client session that stays connected: the first query must show up while it sleeps.
    const client = runMariadb(db, { sql: [`SELECT '${marker}_1' AS m`, 'SELECT SLEEP(4)', `SELECT '${marker}_2' AS m`] });
    const started = Date.now();

    const tx = await until(async () => (await api.transactions(id)).find((t) => t.statement.includes(`${marker}_1`)), 3000, 'the first query in transactions');
    expect(tx.status).toBe('ok');
    expect(tx.responseFrame).not.toBeNull();
    // Seen while the client was still in its SLEEP: decoded from the growing spool.
    expect(Date.now() - started).toBeLessThan(4000);

    const conns = await api.connections(id);
    const conn = conns.find((c) => c.server === `127.0.0.1:${db.port}`);
    expect(conn).toBeDefined();
    expect(conn!.protocol).toMatch(/mysql/i);
    expect(conn!.login?.ok).toBe(true);

    // The filtered view grew with the new frames: the query frames are in it.
    const p = await api.progress(id);
    expect(p.phase).toBe('capturing');
    expect(p.frames).toBeGreaterThan(5);
    const page = await api.rows(id, 0, 100);
    const rows = decodeRows(page.buffer);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.protocol === 'MySQL')).toBe(true);
    expect(rows.some((r) => r.num === tx.requestFrame)).toBe(true);
    // The packet detail of the request, while capturing.
    const d = await api.packet(id, tx.requestFrame);
    expect(JSON.stringify(d.tree)).toContain(`${marker}_1`);
    // Conversation and export of the stream work on what is read so far.
    const chunks = await api.conversation(id, conn!.stream);
    expect(chunks.some((c) => Buffer.from(c.bytes).toString('latin1').includes(`${marker}_1`))).toBe(true);

    const r = await client;
    expect(r.code).toBe(0);
    await until(async () => (await api.transactions(id)).some((t) => t.statement.includes(`${marker}_2`)), 3000, 'the second query');

    // Pushed events: capture counters and progress in the capturing phase.
    const stats = events.filter((e): e is Extract<ApiEvent, { type: 'capture' }> => e.type === 'capture' && e.stats.session === id);
    expect(stats.length).toBeGreaterThan(2);
    expect(stats.at(-1)!.stats.running).toBe(true);
    expect(stats.at(-1)!.stats.received).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'progress' && e.progress.session === id && e.progress.phase === 'capturing')).toBe(true);

    // Save while capturing copies what is complete so far.
    const early = join(dir, 'early.pcapng');
    await api.saveCapture(id, early);
    expect((await tshark(early, { fields: ['frame.number'] })).length).toBeGreaterThan(5);

    await api.stopCapture(id);
    const done = await api.progress(id);
    expect(done.done).toBe(true);
    expect(done.error).toBeUndefined();
    expect(events.some((e) => e.type === 'capture' && e.stats.session === id && !e.stats.running)).toBe(true);
    await api.setFilter(id, '');
    const frames = (await api.progress(id)).frames;

    const saved = join(dir, 'saved.pcapng');
    await api.saveCapture(id, saved);
    const theirs = await tshark(saved, { fields: ['frame.number'] });
    expect(frames).toBe(theirs.length);
    // The session still reads after its spool was moved.
    expect((await api.packet(id, 1)).num).toBe(1);

    const reopened = await api.openFile(saved);
    await until(async () => (await api.progress(reopened.id)).done, 10_000, 'the saved file to be read');
    expect((await api.progress(reopened.id)).frames).toBe(theirs.length);
    const again = await api.transactions(reopened.id);
    expect(again.filter((t) => t.statement.includes(marker)).map((t) => t.statement)).toEqual(
      (await api.transactions(id)).filter((t) => t.statement.includes(marker)).map((t) => t.statement),
    );
    await api.closeSession(reopened.id);
    await api.closeSession(id);
  });
});
