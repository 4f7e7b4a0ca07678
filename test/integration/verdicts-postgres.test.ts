// Connection verdicts reproduced with real PostgreSQL servers on 127.0.0.1 (issue 5 acceptance):
// each test captures real traffic with tcpdump, runs `dbwire conns --json`, and checks the verdict
// code, the evidence it names (pinned with tshark) and the TCP end states.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { captureWhile } from '../support/capture';
import { runCommand, runPsql } from '../support/clients';
import { startPostgres, type DbServer } from '../support/servers';
import { conns, connTo, expectEvidenceNamed, framesWhere, LineFedProcess } from '../support/scenarios';
import { delay } from '../support/timing';
import { tshark } from '../support/tshark';

let db: DbServer; // plain, TLS off
let small: DbServer; // max_connections 4, three of them reserved for superusers
let tlsOnly: DbServer; // TLS on, pg_hba accepts only hostssl
let certDir = '';
const log: string[] = [];

/** A self-signed certificate and an hba file that only accepts TLS over TCP, readable by the server's OS user. */
async function tlsOnlyConf(): Promise<Record<string, string>> {
  certDir = mkdtempSync(join(tmpdir(), 'dbwire-pgtls-'));
  const r = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'server.key'), '-out', join(certDir, 'server.crt'), '-days', '2', '-subj', '/CN=127.0.0.1']);
  if (r.code !== 0) throw new Error(`openssl could not make a test certificate (install openssl):\n${r.stderr}`);
  writeFileSync(join(certDir, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n');
  if (process.getuid?.() === 0) {
    // The server runs as the postgres OS user, which must own the key (mode 0600).
    const uid = Number((await runCommand('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await runCommand('id', ['-g', 'postgres'])).stdout.trim());
    for (const f of ['', 'server.key', 'server.crt', 'pg_hba.conf']) chownSync(join(certDir, f), uid, gid);
  }
  return { ssl: 'on', ssl_cert_file: join(certDir, 'server.crt'), ssl_key_file: join(certDir, 'server.key'), hba_file: join(certDir, 'pg_hba.conf') };
}

beforeAll(async () => {
  [db, small, tlsOnly] = await Promise.all([startPostgres(), startPostgres({ maxConnections: 4 }), tlsOnlyConf().then((extraConf) => startPostgres({ extraConf }))]);
});
afterAll(async () => {
  await Promise.all([db?.stop(), small?.stop(), tlsOnly?.stop()]);
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  if (log.length) console.log(log.join('\n'));
});

async function capture(server: DbServer, name: string, run: () => Promise<void>) {
  const file = await captureWhile({ ports: [server.port], file: `verdicts-postgres-${name}.pcap` }, run);
  return { file, res: await conns(file) };
}
const decodeAs = (server: DbServer) => [`tcp.port==${server.port},pgsql`];

describe('connection verdicts on real PostgreSQL traffic', () => {
  it('ok: login, queries, client terminates', async () => {
    const { file, res } = await capture(db, 'ok', async () => {
      const r = await runPsql(db, { sql: ['SELECT 1', 'SELECT count(*) FROM pg_class'], env: { PGSSLMODE: 'disable' } });
      expect(r.code, r.stderr).toBe(0);
    });
    const c = connTo(res, db.port);
    log.push(`ok: ${c.verdict_text}`);
    expect(c.verdict).toBe('ok');
    expect(c.protocol).toBe('pgsql');
    expect(c.login).toMatchObject({ user: 'app', database: 'shop', ok: true });
    expect(c.transactions).toBe(3); // two queries and Terminate
    expect(c.errors).toBe(0);
    expect(c.latency).not.toBeNull();
    const [terminate] = await framesWhere(file, 'pgsql.type == "Termination"', decodeAs(db));
    // After Terminate both ends close at once; either FIN may come first.
    const [firstFin] = await framesWhere(file, 'tcp.flags.fin==1');
    const [firstFinPort] = (await tshark(file, { filter: `frame.number==${firstFin}`, fields: ['tcp.srcport'] })).map(Number);
    const closer = firstFinPort === db.port ? 'server' : 'client';
    expect(c.verdict_text).toMatch(new RegExp(`^Login OK as app to shop; 2 queries \\(p95 [\\d.]+ (µs|ms)\\); the client ended the session \\(frame ${terminate}\\) and ${closer === 'client' ? '' : 'the server '}closed \\(FIN, frame ${firstFin}\\)\\.$`));
    expect(c.closed_by).toEqual({ end: closer, how: 'FIN', frame: firstFin });
    expect(closer === 'server' ? [c.server_state, c.client_state] : [c.client_state, c.server_state]).toEqual(['TIME_WAIT', 'CLOSED']);
    expect(res.summary.capture_verdict).toBe('ok');
  });

  it('login-failed: wrong password is 28P01', async () => {
    const { file, res } = await capture(db, 'login-failed', async () => {
      const r = await runPsql(db, { password: 'wrong', sql: 'SELECT 1' });
      expect(r.stderr).toMatch(/password authentication failed/);
    });
    // psql (sslmode prefer) may retry without SSL: the connection that logged in is the one to judge.
    const c = res.rows.find((r) => r.login?.errorCode)!;
    expect(c, JSON.stringify(res.rows)).toBeDefined();
    log.push(`login-failed: ${c.verdict_text}`);
    expect(c.verdict).toBe('login-failed');
    expect(c.login).toMatchObject({ user: 'app', database: 'shop', ok: false, errorCode: '28P01' });
    const [startup] = await framesWhere(file, 'pgsql.parameter_name == "user"', decodeAs(db));
    const [err] = await framesWhere(file, 'pgsql.code == "28P01"', decodeAs(db));
    expect(c.verdict_text).toBe(`Login failed: the login as app to database shop (frame ${startup}) got error 28P01 "password authentication failed for user "app"" (frame ${err}). Check the user name and password (or the server's host-based access rules).`);
    expect(c.evidence).toEqual([startup, err]);
  });

  it('unknown-database: a missing database is 3D000', async () => {
    const { file, res } = await capture(db, 'unknown-database', async () => {
      const r = await runPsql(db, { database: 'nope', sql: 'SELECT 1' });
      expect(r.stderr).toMatch(/does not exist/);
    });
    const c = connTo(res, db.port);
    log.push(`unknown-database: ${c.verdict_text}`);
    expect(c.verdict).toBe('unknown-database');
    expect(c.login).toMatchObject({ user: 'app', database: 'nope', ok: false, errorCode: '3D000' });
    const [err] = await framesWhere(file, 'pgsql.code == "3D000"', decodeAs(db));
    expect(c.evidence).toContain(err);
    expect(c.verdict_text).toMatch(new RegExp(`got error 3D000 "database "nope" does not exist" \\(frame ${err}\\)\\.$`));
    expectEvidenceNamed(c);
  });

  it('too-many-connections: all slots taken is 53300', async () => {
    // One slot for normal roles (three are reserved for superusers): hold it outside the capture.
    const holder = new pg.Client({ host: small.host, port: small.port, user: 'app', password: 'secret', database: 'shop' });
    await holder.connect();
    try {
      const { file, res } = await capture(small, 'too-many-connections', async () => {
        const r = await runPsql(small, { sql: 'SELECT 1', env: { PGSSLMODE: 'disable' } });
        expect(r.stderr).toMatch(/slots are reserved|too many/);
      });
      const c = connTo(res, small.port, { openedInCapture: true });
      log.push(`too-many-connections: ${c.verdict_text}`);
      expect(c.verdict).toBe('too-many-connections');
      expect(c.login).toMatchObject({ user: 'app', ok: false, errorCode: '53300' });
      const [err] = await framesWhere(file, 'pgsql.code == "53300"', decodeAs(small));
      expect(c.evidence).toContain(err);
      expectEvidenceNamed(c);
    } finally {
      await holder.end();
    }
  });

  it('server-closed-idle: idle_session_timeout FINs; the client then writes and gets a RST', async () => {
    const { file, res } = await capture(db, 'server-closed-idle', async () => {
      const cli = new LineFedProcess('psql', ['-X', '-h', db.host, '-p', String(db.port), '-U', 'app', '-d', 'shop', '-w', '-A', '-t'], { ...process.env, PGPASSWORD: 'secret', PGSSLMODE: 'disable' });
      cli.write("SET idle_session_timeout = 1000; SELECT 'idle-now';");
      await delay(2500);
      cli.write("SELECT 'too-late';");
      const code = await cli.end();
      expect(code).not.toBe(0);
      expect(cli.stderr).toMatch(/idle-session timeout|closed the connection/);
    });
    const c = connTo(res, db.port);
    log.push(`server-closed-idle: ${c.verdict_text}`);
    expect(c.verdict).toBe('server-closed-idle');
    const lastAnswer = (await framesWhere(file, 'pgsql.type == "Ready for query"', decodeAs(db))).pop()!;
    const [fatal] = await framesWhere(file, 'pgsql.code == "57P05"', decodeAs(db));
    const [serverFin] = await framesWhere(file, `tcp.flags.fin==1 && tcp.srcport==${db.port}`);
    const [late] = await framesWhere(file, 'pgsql.query contains "too-late"', decodeAs(db));
    const [rst] = await framesWhere(file, `tcp.flags.reset==1 && tcp.srcport==${db.port}`);
    expect(c.closed_by).toEqual({ end: 'server', how: 'FIN', frame: serverFin });
    expect(c.evidence).toEqual([lastAnswer, fatal, serverFin, late, rst]);
    expect(c.verdict_text).toMatch(new RegExp(`^Server closed an idle connection: after 1\\.\\d\\d s without queries \\(since frame ${lastAnswer}; threshold 1\\.00 s\\) the server sent a last message \\(frame ${fatal}.*\\) and closed it with a FIN \\(frame ${serverFin}\\)\\. The client then wrote into the closed connection \\(frame ${late}\\) and got a RST \\(frame ${rst}\\)\\.$`));
    expect(c.client_state).toBe('CLOSED');
    expect(c.server_state).toBe('CLOSED');
  });

  it('slow-responses: pg_sleep(0.6) three times', async () => {
    const { file, res } = await capture(db, 'slow-responses', async () => {
      const r = await runPsql(db, { sql: ['SELECT pg_sleep(0.6)', 'SELECT pg_sleep(0.6)', 'SELECT pg_sleep(0.6)'], env: { PGSSLMODE: 'disable' } });
      expect(r.code, r.stderr).toBe(0);
    });
    const c = connTo(res, db.port);
    log.push(`slow-responses: ${c.verdict_text}`);
    expect(c.verdict).toBe('slow-responses');
    const sleeps = await framesWhere(file, 'pgsql.query contains "pg_sleep"', decodeAs(db));
    expect(sleeps).toHaveLength(3);
    expect(c.evidence).toEqual(sleeps);
    expect(c.latency!.p95).toBeGreaterThanOrEqual(0.6);
    expect(c.verdict_text).toMatch(new RegExp(`^Slow responses: p95 \\d{3}\\.\\d ms over 3 queries \\(threshold 500\\.0 ms\\); 3 took 500\\.0 ms or more \\(requests in frames ${sleeps.join(', ')}; slowest`));
  });

  it('tls-mismatch: the client requires TLS, the server answers N, the client gives up', async () => {
    const { file, res } = await capture(db, 'tls-mismatch', async () => {
      const r = await runPsql(db, { sql: 'SELECT 1', env: { PGSSLMODE: 'require' } });
      expect(r.stderr).toMatch(/server does not support SSL/);
    });
    const c = connTo(res, db.port);
    log.push(`tls-mismatch: ${c.verdict_text}`);
    expect(c.verdict).toBe('tls-mismatch');
    const [sslRequest] = await framesWhere(file, 'pgsql.length == 8 && tcp.dstport == ' + db.port, decodeAs(db));
    const [no] = await framesWhere(file, `tcp.srcport == ${db.port} && tcp.len == 1`);
    expect(c.evidence).toEqual([sslRequest, no]);
    expectEvidenceNamed(c);
    expect(c.closed_by?.end).toBe('client');
    expect(c.verdict_text).toContain('the client closed without logging in');
  });

  it('tls-required: a server that only accepts TLS refuses the plain login (28000, no encryption)', async () => {
    const { file, res } = await capture(tlsOnly, 'tls-required', async () => {
      const r = await runPsql(tlsOnly, { sql: 'SELECT 1', env: { PGSSLMODE: 'disable' } });
      expect(r.stderr).toMatch(/no encryption/);
    });
    const c = connTo(res, tlsOnly.port);
    log.push(`tls-required: ${c.verdict_text}`);
    expect(c.verdict).toBe('tls-required');
    expect(c.login).toMatchObject({ user: 'app', ok: false, errorCode: '28000' });
    const [err] = await framesWhere(file, 'pgsql.code == "28000"', decodeAs(tlsOnly));
    expect(c.evidence).toContain(err);
    const [startup] = await framesWhere(file, 'pgsql.parameter_name == "user"', decodeAs(tlsOnly));
    expect(c.evidence).toEqual([startup, err]);
    expect(c.verdict_text).toBe(`TLS required: the server accepts only encrypted connections, and the login as app to database shop (frame ${startup}) got error 28000 "no pg_hba.conf entry for host "127.0.0.1", user "app", database "shop", no encryption" (frame ${err}). Connect with TLS.`);
  });
});
