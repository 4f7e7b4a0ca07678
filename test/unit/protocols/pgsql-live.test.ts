/**
 * The decoder against a real PostgreSQL server and real clients (node-postgres and psql): a
 * recording TCP proxy keeps each read as a "frame" in arrival order, and the conversation is
 * replayed through pduLength/dissect as the TCP driver would.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { RecordingProxy, type Chunk } from '../../support/recording-proxy';
import { startPostgres, type DbServer } from '../../support/servers';
import { runPsql } from '../../support/clients';
import { Conversation, type FrameResult } from './pgsql-support';


function replay(chunks: Chunk[]): { conv: Conversation; frames: FrameResult[] } {
  const conv = new Conversation();
  const frames = chunks.map((c) => conv.send(c.fromServer, c.bytes));
  return { conv, frames };
}

const all = (frames: FrameResult[], field: string): unknown[] => frames.flatMap((f) => f.tree.all(field).map((n) => n.value));

describe('pgsql against a real PostgreSQL server', () => {
  let db: DbServer;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    db = await startPostgres();
    proxy = new RecordingProxy(db.port);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.stop();
    await db?.stop();
  });

  it('decodes SCRAM login, simple and extended queries, and an error from node-postgres', async () => {
    const before = proxy.count;
    const client = new pg.Client({ host: '127.0.0.1', port: proxy.port, user: 'app', password: 'secret', database: 'shop' });
    await client.connect();
    await client.query('CREATE TABLE IF NOT EXISTS orders (id int, note text)');
    await client.query('INSERT INTO orders VALUES (1, \'a\'), (2, \'b\'), (3, NULL)');
    const sel = await client.query('SELECT id, note FROM orders WHERE id >= $1 ORDER BY id', [2]);
    expect(sel.rowCount).toBe(2);
    await expect(client.query('SELECT * FROM no_such_table')).rejects.toThrow(/does not exist/);
    await client.end();

    const chunks = await proxy.recorded(before);
    const { conv, frames } = replay(chunks);
    expect(frames.flatMap((f) => f.crashes)).toEqual([]);
    expect(frames.some((f) => f.tree.has('_ws.malformed'))).toBe(false);
    const types = all(frames, 'pgsql.type');
    expect(types).toContain('Startup message');
    expect(types).toContain('SASLInitialResponse message');
    expect(types).toContain('SASLResponse message');
    expect(all(frames, 'pgsql.auth.sasl.mech')).toContain('SCRAM-SHA-256');
    expect(all(frames, 'pgsql.authtype')).toEqual(expect.arrayContaining([10, 11, 12, 0]));
    expect(all(frames, 'pgsql.query')).toEqual(expect.arrayContaining(['SELECT id, note FROM orders WHERE id >= $1 ORDER BY id']));
    expect(all(frames, 'pgsql.tag')).toEqual(expect.arrayContaining(['INSERT 0 3', 'SELECT 2']));
    expect(all(frames, 'pgsql.code')).toContain('42P01');
    expect(all(frames, 'pgsql.col.name')).toEqual(expect.arrayContaining(['id', 'note']));

    const ev = conv.events;
    expect(ev.filter((e) => e.kind === 'login')).toEqual([
      { kind: 'login', phase: 'attempt', user: 'app', database: 'shop' },
      { kind: 'login', phase: 'ok', user: 'app', database: 'shop' },
    ]);
    const requests = ev.filter((e): e is Extract<AppEvent, { kind: 'request' }> => e.kind === 'request');
    const sRequest = requests.find((r) => r.statement.startsWith('SELECT id, note'));
    expect(sRequest).toMatchObject({ command: 'Execute', params: ['2'] });
    const finals = ev.filter((e): e is Extract<AppEvent, { kind: 'response' }> => e.kind === 'response' && e.final);
    // Every request that expects an answer got exactly one final response.
    expect(finals, JSON.stringify(ev)).toHaveLength(requests.filter((r) => r.expectsResponse !== false).length);
    expect(finals.map((f) => f.rows)).toEqual(expect.arrayContaining([3, 2]));
    expect(finals.find((f) => f.status === 'error')).toMatchObject({ errorCode: '42P01' });
  });

  it('reports a wrong password (28P01) and a missing database (3D000) as login errors', async () => {
    const before = proxy.count;
    const bad = new pg.Client({ host: '127.0.0.1', port: proxy.port, user: 'app', password: 'wrong', database: 'shop' });
    await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
    const nodb = new pg.Client({ host: '127.0.0.1', port: proxy.port, user: 'app', password: 'secret', database: 'nope' });
    await expect(nodb.connect()).rejects.toThrow(/does not exist/);
    const recorded = await Promise.all([before, before + 1].map((i) => proxy.recorded(i)));
    const codes = recorded.map((chunks) => {
      const { conv } = replay(chunks);
      const err = conv.events.find((e) => e.kind === 'login' && e.phase === 'error');
      return err?.kind === 'login' ? err.errorCode : undefined;
    });
    expect(codes).toEqual(['28P01', '3D000']);
  });

  it('decodes psql: SSLRequest refused with "N", then login and a multi-statement query', async () => {
    const before = proxy.count;
    const r = await runPsql({ ...db, port: proxy.port }, { sql: 'SELECT 1 AS a; SELECT 2 AS b' });
    expect(r.code).toBe(0);
    const { conv, frames } = replay(await proxy.recorded(before));
    expect(frames.flatMap((f) => f.crashes)).toEqual([]);
    expect(all(frames, 'pgsql.type').slice(0, 3)).toEqual(['SSL request', 'SSL response', 'Startup message']);
    expect(all(frames, 'pgsql.ssl_response')).toEqual(['N']);
    expect(frames[0]!.pinfo.colInfo).toBe('>');
    expect(conv.events.filter((e) => e.kind === 'tls')).toEqual([{ kind: 'tls', phase: 'requested' }, { kind: 'tls', phase: 'refused' }]);
    const q = conv.events.find((e) => e.kind === 'request' && e.command === 'Simple query');
    expect(q).toMatchObject({ statement: 'SELECT 1 AS a; SELECT 2 AS b' });
    const responses = conv.events.filter((e) => e.kind === 'response');
    expect(responses.at(-1)).toEqual({ kind: 'response', status: 'ok', rows: 2, final: true });
  });
});
