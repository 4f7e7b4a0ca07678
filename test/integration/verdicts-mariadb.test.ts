// Connection verdicts reproduced with a real MariaDB on 127.0.0.1 (issue 5 acceptance): each test
// captures real traffic with tcpdump, runs `dbwire conns --json`, and checks the verdict code, the
// evidence it names (against tshark where a frame can be pinned) and the TCP end states.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { captureWhile } from '../support/capture';
import { runCommand, runMariadb } from '../support/clients';
import { startMariaDB, type DbServer } from '../support/servers';
import { conns, connTo, expectEvidenceNamed, framesWhere, LineFedProcess } from '../support/scenarios';
import { delay } from '../support/timing';
import { tshark } from '../support/tshark';

let db: DbServer;
const log: string[] = [];

beforeAll(async () => {
  db = await startMariaDB();
});
afterAll(async () => {
  await db?.stop();
  // The sentences as produced, for whoever reads the test output.
  if (log.length) console.log(log.join('\n'));
});

const decodeAs = () => [`tcp.port==${db.port},mysql`];
const rootSql = (sql: string) => runCommand('mariadb', ['--no-defaults', `--socket=${join(db.dir, 'mysqld.sock')}`, '-u', 'root', '-e', sql]);

async function capture(name: string, run: () => Promise<void>) {
  const file = await captureWhile({ ports: [db.port], file: `verdicts-mariadb-${name}.pcap` }, run);
  return { file, res: await conns(file) };
}

describe('connection verdicts on real MariaDB traffic', () => {
  it('ok: login, queries, client quits', async () => {
    const { file, res } = await capture('ok', async () => {
      const r = await runMariadb(db, { sql: ['SELECT 1', 'SELECT COUNT(*) FROM information_schema.schemata'] });
      expect(r.code, r.stderr).toBe(0);
    });
    const c = connTo(res, db.port);
    log.push(`ok: ${c.verdict_text}`);
    expect(c.verdict).toBe('ok');
    expect(c.protocol).toBe('mysql');
    expect(c.login).toMatchObject({ user: 'app', database: 'shop', ok: true });
    // The CLI's own version query plus ours.
    expect(c.transactions).toBeGreaterThanOrEqual(2);
    expect(c.errors).toBe(0);
    expect(c.latency).not.toBeNull();
    expect(c.latency!.p95).toBeGreaterThan(0);
    // After COM_QUIT both ends close at once; MariaDB's FIN often comes first.
    const [quit] = await framesWhere(file, 'mysql.command==1', decodeAs());
    const [firstFin, secondFin] = await framesWhere(file, 'tcp.flags.fin==1');
    const [firstFinPort] = (await tshark(file, { filter: `frame.number==${firstFin}`, fields: ['tcp.srcport'] })).map(Number);
    const closer = firstFinPort === db.port ? 'server' : 'client';
    // The other end's FIN acknowledges the first one, or (a busy machine) the two FINs crossed:
    // then both ends were closing at once and both end in TIME_WAIT (RFC 793's simultaneous close).
    const [[, firstNext], [secondAck]] = (await tshark(file, { filter: `frame.number == ${firstFin} || frame.number == ${secondFin}`, fields: ['tcp.ack', 'tcp.nxtseq'] }))
      .map((l) => l.split('\t').map(Number));
    const crossed = secondAck! < firstNext!;
    expect(c.verdict_text).toMatch(new RegExp(`^Login OK as app to shop; ${c.transactions - 1} queries \\(p95 [\\d.]+ (µs|ms)\\); the client ended the session \\(frame ${quit}\\) and ${closer === 'client' ? '' : 'the server '}closed \\(FIN, frame ${firstFin}\\)\\.$`));
    expect(c.closed_by).toEqual({ end: closer, how: 'FIN', frame: firstFin });
    expect(closer === 'server' ? [c.server_state, c.client_state] : [c.client_state, c.server_state]).toEqual(['TIME_WAIT', crossed ? 'TIME_WAIT' : 'CLOSED']);
    expect(res.summary.capture_verdict).toBe('ok');
  });

  it('login-failed: wrong password is error 1045 with the server message', async () => {
    const { file, res } = await capture('login-failed', async () => {
      const r = await runMariadb(db, { password: 'wrong' });
      expect(r.stderr).toMatch(/1045/);
    });
    const c = connTo(res, db.port);
    log.push(`login-failed: ${c.verdict_text}`);
    expect(c.verdict).toBe('login-failed');
    expect(c.login).toMatchObject({ user: 'app', ok: false, errorCode: '1045' });
    expect(c.verdict_text).toMatch(/Access denied for user 'app'@'127\.0\.0\.1'/);
    const [errFrame] = await framesWhere(file, 'mysql.error_code==1045', decodeAs());
    expect(c.evidence).toContain(errFrame);
    expectEvidenceNamed(c);
  });

  it('unknown-database: a missing database is error 1049', async () => {
    const { file, res } = await capture('unknown-database', async () => {
      const r = await runMariadb(db, { database: 'shop_missing' });
      expect(r.stderr).toMatch(/1049/);
    });
    const c = connTo(res, db.port);
    log.push(`unknown-database: ${c.verdict_text}`);
    expect(c.verdict).toBe('unknown-database');
    expect(c.login).toMatchObject({ user: 'app', database: 'shop_missing', ok: false, errorCode: '1049' });
    expect(c.verdict_text).toMatch(/Unknown database 'shop_missing'/);
    const [errFrame] = await framesWhere(file, 'mysql.error_code==1049', decodeAs());
    expect(c.evidence).toContain(errFrame);
    expectEvidenceNamed(c);
  });

  it('too-many-connections: max_connections reached is error 1040', async () => {
    // 10 is MariaDB's smallest max_connections.
    expect((await rootSql('SET GLOBAL max_connections = 10')).code).toBe(0);
    const held: mysql.Connection[] = [];
    try {
      // Hold every slot, outside the capture (they stay silent during it).
      for (let i = 0; i < 10; i++) held.push(await mysql.createConnection({ host: db.host, port: db.port, user: 'app', password: 'secret', database: 'shop' }));
      const { file, res } = await capture('too-many-connections', async () => {
        const r = await runMariadb(db, { sql: 'SELECT 1' });
        expect(r.stderr).toMatch(/1040/);
      });
      const c = connTo(res, db.port, { openedInCapture: true });
      log.push(`too-many-connections: ${c.verdict_text}`);
      expect(c.verdict).toBe('too-many-connections');
      expect(c.login).toMatchObject({ ok: false, errorCode: '1040' });
      // MariaDB keeps one extra slot (for SUPER) and so answers a normal user's login with 1040.
      const [login] = await framesWhere(file, 'mysql.user', decodeAs());
      const [errFrame] = await framesWhere(file, 'mysql.error_code==1040', decodeAs());
      expect(c.verdict_text).toBe(`Too many connections: the login as app to database shop (frame ${login}) got error 1040 "Too many connections" (frame ${errFrame}); the server's connection limit is reached.`);
      expect(c.evidence).toEqual([login, errFrame]);
      expectEvidenceNamed(c);

      // With the SUPER slot taken too, the server turns the connection away before its greeting.
      held.push(await mysql.createConnection({ socketPath: join(db.dir, 'mysqld.sock'), user: 'root' }));
      const second = await capture('too-many-connections-greeting', async () => {
        const r = await runMariadb(db, { sql: 'SELECT 1' });
        expect(r.stderr).toMatch(/1040/);
      });
      const g = connTo(second.res, db.port, { openedInCapture: true });
      log.push(`too-many-connections (no greeting): ${g.verdict_text}`);
      const [greetingErr] = await framesWhere(second.file, 'mysql.error_code==1040', decodeAs());
      expect(await framesWhere(second.file, 'mysql.user', decodeAs())).toEqual([]);
      expect(g.verdict, 'ERR 1040 in place of the greeting must be a login error event from the MySQL decoder').toBe('too-many-connections');
      expect(g.evidence).toEqual([greetingErr]);
      expect(g.verdict_text).toBe(`Too many connections: the server answered the connection with error 1040 "Too many connections" (frame ${greetingErr}) before any login; the server's connection limit is reached.`);
    } finally {
      for (const h of held) await h.end();
      await rootSql('SET GLOBAL max_connections = 151');
    }
  });

  it('server-closed-idle: wait_timeout drops the idle session (MariaDB resets it)', async () => {
    const { file, res } = await capture('server-closed-idle', async () => {
      const cli = new LineFedProcess('mariadb', ['--no-defaults', '--protocol=TCP', '-h', db.host, '-P', String(db.port), '-u', 'app', '--password=secret', '--skip-ssl', '-D', 'shop', '--unbuffered', '--batch']);
      cli.write("SET SESSION wait_timeout = 1; SELECT 'idle-now';");
      await cli.waitFor('idle-now');
      await delay(2000);
      cli.write("SELECT 'too-late';");
      const code = await cli.end();
      expect(code).not.toBe(0);
      expect(cli.stderr).toMatch(/gone away|Lost connection/);
    });
    const c = connTo(res, db.port);
    log.push(`server-closed-idle: ${c.verdict_text}`);
    expect(c.verdict).toBe('server-closed-idle');
    // MariaDB 10.11 ends a wait_timeout with a RST, not a FIN, so the client's late write never
    // reaches the wire (its kernel already knows the connection is gone).
    const [lastResult] = (await framesWhere(file, `tcp.srcport==${db.port} && tcp.len>0`)).slice(-1);
    const [rst] = await framesWhere(file, `tcp.flags.reset==1 && tcp.srcport==${db.port}`);
    expect(await framesWhere(file, 'mysql.query contains "too-late"', decodeAs())).toEqual([]);
    expect(c.closed_by).toEqual({ end: 'server', how: 'RST', frame: rst });
    expect(c.evidence).toEqual([lastResult, rst]);
    expect(c.verdict_text).toMatch(new RegExp(`^Server closed an idle connection: after 1\\.\\d\\d s without queries \\(since frame ${lastResult}; threshold 1\\.00 s\\) the server reset it \\(RST, frame ${rst}\\)\\.$`));
    expect(c.server_state).toBe('CLOSED');
    expect(c.client_state).toBe('CLOSED');
  });

  it('slow-responses: SELECT SLEEP(0.6) three times', async () => {
    const { file, res } = await capture('slow-responses', async () => {
      const r = await runMariadb(db, { sql: ['SELECT SLEEP(0.6)', 'SELECT SLEEP(0.6)', 'SELECT SLEEP(0.6)'] });
      expect(r.code, r.stderr).toBe(0);
    });
    const c = connTo(res, db.port);
    log.push(`slow-responses: ${c.verdict_text}`);
    expect(c.verdict).toBe('slow-responses');
    expect(c.latency!.p95).toBeGreaterThanOrEqual(0.6);
    expect(c.latency!.max).toBeLessThan(2);
    const sleeps = await framesWhere(file, 'mysql.query contains "SLEEP"', decodeAs());
    expect(sleeps).toHaveLength(3);
    expect(c.evidence).toEqual(sleeps);
    expect(c.verdict_text).toMatch(new RegExp(`^Slow responses: p95 \\d{3}\\.\\d ms over \\d+ queries \\(threshold 500\\.0 ms\\); 3 took 500\\.0 ms or more \\(requests in frames ${sleeps.join(', ')}; slowest \\d{3}\\.\\d ms in frame (${sleeps.join('|')})\\); the server's time dominates \\(network RTT \\d+ µs\\)\\.$`));
    expectEvidenceNamed(c);
  });
});
