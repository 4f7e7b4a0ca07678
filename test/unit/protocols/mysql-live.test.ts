/**
 * The decoder against a real MariaDB server and a real client (mysql2): a recording TCP proxy keeps
 * each read in arrival order, and the bytes are replayed through pduLength/dissect per direction,
 * as the TCP driver does.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { mysqlDissector } from '../../../electron/engine/decode/protocols/mysql';
import { NEED_MORE } from '../../../electron/engine/decode/app';
import { newPacketInfo } from '../../../electron/engine/decode/packet-info';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { Tvb } from '../../../electron/engine/decode/tvb';
import { RecordingProxy, type Chunk } from '../../support/recording-proxy';
import { startMariaDB, type DbServer } from '../../support/servers';


interface Decoded { events: AppEvent[]; values: (name: string) => unknown[]; malformed: number }

/** Replay one connection through the decoder; returns every event and the values of a field over all messages. */
function replay(chunks: Chunk[]): Decoded {
  const state = mysqlDissector.newState();
  const pending: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
  const events: AppEvent[] = [];
  const trees: PacketTree[] = [];
  let malformed = 0;
  let num = 0;
  for (const c of chunks) {
    const d = c.fromServer ? 1 : 0;
    const data = new Uint8Array(pending[d].length + c.bytes.length);
    data.set(pending[d]);
    data.set(c.bytes, pending[d].length);
    let off = 0;
    const tree = new PacketTree(data);
    const pinfo = newPacketInfo(++num, 0, 0);
    for (;;) {
      const n = mysqlDissector.pduLength(data.subarray(off), state, c.fromServer);
      if (n === NEED_MORE || n < 0 || off + n > data.length) break;
      const tvb = new Tvb(data.subarray(off, off + n), 0, off);
      const item = tree.protocol(null, mysqlDissector.proto, tvb, 0, n);
      try {
        mysqlDissector.dissect(tvb, item, { pinfo, tree, state, fromServer: c.fromServer, emit: (e) => events.push(e) });
      } catch {
        malformed++;
      }
      off += n;
    }
    pending[d] = data.slice(off);
    trees.push(tree);
  }
  return { events, malformed, values: (name) => trees.flatMap((t) => t.all(name).map((n) => n.value)) };
}

describe('mysql decoder with a real MariaDB server and mysql2', () => {
  let server: DbServer;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    server = await startMariaDB();
    proxy = new RecordingProxy(server.port);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
  });

  async function session(opts: { compress?: boolean }, work: (c: mysql.Connection) => Promise<void>): Promise<Decoded> {
    const before = proxy.count;
    const conn = await mysql.createConnection({
      host: '127.0.0.1', port: proxy.port, user: server.user!, password: server.password!, database: server.database!,
      compress: opts.compress ?? false,
    });
    await work(conn);
    await conn.end();
    return replay(await proxy.recorded(before));
  }

  it('decodes login, queries, errors and prepared statements', async () => {
    const d = await session({}, async (c) => {
      await c.query('SELECT 1 AS x, \'two\' AS y');
      await c.query('SELECT * FROM no_such_table').catch(() => undefined);
      await c.execute('SELECT ? + 1 AS z, ? AS w', [41, 'hi']);
    });
    expect(d.malformed).toBe(0);
    expect(d.values('mysql.user')).toContain('app');
    expect(d.values('mysql.schema')).toContain('shop');
    expect(d.values('mysql.field.name')).toEqual(expect.arrayContaining(['x', 'y', 'z', 'w']));
    expect(d.values('mysql.error_code')).toContain(1146);
    const ev = d.events;
    expect(ev).toContainEqual({ kind: 'login', phase: 'attempt', user: 'app', database: 'shop' });
    expect(ev).toContainEqual({ kind: 'login', phase: 'ok' });
    expect(ev).toContainEqual({ kind: 'request', command: 'COM_QUERY', statement: "SELECT 1 AS x, 'two' AS y" });
    expect(ev).toContainEqual({ kind: 'response', status: 'ok', rows: 1, final: true });
    expect(ev).toContainEqual(expect.objectContaining({ kind: 'response', status: 'error', errorCode: '1146', final: true }));
    const exec = ev.find((e) => e.kind === 'request' && e.command === 'COM_STMT_EXECUTE');
    expect(exec).toMatchObject({ statement: 'SELECT ? + 1 AS z, ? AS w', params: ['41', 'hi'] });
    // Every request but the final COM_QUIT is answered by exactly one final response.
    const requests = ev.filter((e) => e.kind === 'request' && e.expectsResponse !== false).length;
    const finals = ev.filter((e) => e.kind === 'response' && e.final).length;
    expect(finals).toBe(requests);
  });

  it('decodes the compressed protocol', async () => {
    const d = await session({ compress: true }, async (c) => {
      await c.query("SELECT REPEAT('a', 2000) AS big");
    });
    expect(d.malformed).toBe(0);
    expect(d.values('mysql.compressed_packet_length').length).toBeGreaterThan(0);
    expect(d.values('mysql.query')).toContain("SELECT REPEAT('a', 2000) AS big");
    expect(d.values('mysql.row.text')).toContain('a'.repeat(2000));
  });
});
