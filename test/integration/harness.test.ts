// Proves the test harness works for real: servers start and answer real clients, tcpdump captures
// their traffic, and tshark decodes the shared database workload capture.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { describe, expect, it, beforeAll } from 'vitest';
import { captureWhile } from '../support/capture';
import { MemcachedTextClient, runCommand, runMariadb, runPsql, runRedisCli } from '../support/clients';
import { makeDbCapture, makeDbWorkload, workloadDecodeAs, type DbCapture, type WorkloadProtocol } from '../support/db-workload';
import { startMariaDB, startMemcached, startPostgres, startRedis, type DbServer } from '../support/servers';
import { countFrames, fieldValues } from '../support/tshark';

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      r(false);
    });
    s.once('error', () => r(true));
  });
}

/** Starts a server, captures `run` against it, and checks the capture holds frames for its port. */
async function captureAgainst(server: DbServer, run: () => Promise<void>): Promise<string> {
  const file = await captureWhile({ ports: [server.port] }, run);
  expect(await countFrames(file, `tcp.port==${server.port}`)).toBeGreaterThan(0);
  return file;
}

describe('system prerequisites', () => {
  it('are all installed (prereqs.mjs exits 0 and prints nothing)', async () => {
    const r = await runCommand('node', ['test/support/prereqs.mjs'], { timeoutMs: 600_000 });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('MariaDB', () => {
  it('starts with the requested options, answers app/secret over TCP, is captured, and stops', async () => {
    const db = await startMariaDB({ maxConnections: 17, waitTimeout: 33 });
    try {
      expect(db).toMatchObject({ kind: 'mariadb', host: '127.0.0.1', user: 'app', password: 'secret', database: 'shop' });
      let out = '';
      const file = await captureAgainst(db, async () => {
        const r = await runMariadb(db, { sql: 'SELECT @@max_connections, @@wait_timeout, @@have_ssl, DATABASE(), CURRENT_USER()', args: ['--batch', '--skip-column-names'] });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        out = r.stdout.trim();
      });
      expect(out.split('\t')).toEqual(['17', '33', 'DISABLED', 'shop', 'app@%']);
      const decodeAs = [`tcp.port==${db.port},mysql`];
      expect(await fieldValues(file, 'mysql.query', decodeAs)).toContain('SELECT @@max_connections, @@wait_timeout, @@have_ssl, DATABASE(), CURRENT_USER()');
      // Password auth really is mysql_native_password, and a wrong password is refused.
      expect(await fieldValues(file, 'mysql.client_auth_plugin', decodeAs)).toContain('mysql_native_password');
      const bad = await runMariadb(db, { password: 'nope', sql: 'SELECT 1' });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/ERROR 1045/);
    } finally {
      await db.stop();
    }
    expect(existsSync(db.dir)).toBe(false);
    expect(await refusesConnections(db.port)).toBe(true);
  });

  it('reports a server that cannot start with its log tail', async () => {
    await expect(startMariaDB({ extraArgs: ['--no-such-option-for-test'] })).rejects.toThrow(/exited during startup[\s\S]*no-such-option-for-test/);
  });
});

describe('PostgreSQL', () => {
  it('runs as the postgres OS user with scram-sha-256 for app/secret, is captured, and stops', async () => {
    const db = await startPostgres({ maxConnections: 20, idleSessionTimeoutMs: 60_000, extraConf: { work_mem: '8MB' } });
    try {
      expect(db).toMatchObject({ kind: 'postgres', host: '127.0.0.1', user: 'app', password: 'secret', database: 'shop' });
      let out = '';
      const file = await captureAgainst(db, async () => {
        const r = await runPsql(db, {
          sql: "SELECT current_user, current_database(), current_setting('max_connections'), current_setting('idle_session_timeout'), current_setting('work_mem'), current_setting('password_encryption')",
          args: ['-A', '-t'],
        });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        out = r.stdout.trim();
      });
      expect(out.split('|')).toEqual(['app', 'shop', '20', '1min', '8MB', 'scram-sha-256']);
      const decodeAs = [`tcp.port==${db.port},pgsql`];
      expect((await fieldValues(file, 'pgsql.query', decodeAs)).some((q) => q.startsWith('SELECT current_user'))).toBe(true);
      // Authentication request type 10 is SASL (SCRAM).
      expect(await fieldValues(file, 'pgsql.authtype', decodeAs)).toContain('10');
      // The postmaster runs as the postgres OS user, not root.
      const pid = readFileSync(join(db.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]!;
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      expect(uid).toBe((await runCommand('id', ['-u', 'postgres'])).stdout.trim());
      const bad = await runPsql(db, { password: 'nope', sql: 'SELECT 1' });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/password authentication failed/);
    } finally {
      await db.stop();
    }
    expect(existsSync(db.dir)).toBe(false);
    expect(await refusesConnections(db.port)).toBe(true);
  });
});

describe('Redis', () => {
  it('requires the password, answers redis-cli, is captured, and stops', async () => {
    const db = await startRedis({ password: 'pw-123' });
    try {
      expect(db).toMatchObject({ kind: 'redis', host: '127.0.0.1', password: 'pw-123' });
      const file = await captureAgainst(db, async () => {
        const ping = await runRedisCli(db, ['PING']);
        expect(ping.stdout.trim()).toBe('PONG');
        const noAuth = await runRedisCli(db, ['PING'], { password: null });
        expect(noAuth.stdout).toMatch(/NOAUTH/);
      });
      const decodeAs = [`tcp.port==${db.port},resp`];
      expect(await fieldValues(file, 'resp.string', decodeAs)).toContain('PONG');
      expect((await fieldValues(file, 'resp.error', decodeAs)).some((e) => e.startsWith('NOAUTH'))).toBe(true);
    } finally {
      await db.stop();
    }
    expect(existsSync(db.dir)).toBe(false);
    expect(await refusesConnections(db.port)).toBe(true);
  });
});

describe('memcached', () => {
  it('answers the text protocol, is captured, and stops', async () => {
    const db = await startMemcached();
    try {
      expect(db).toMatchObject({ kind: 'memcached', host: '127.0.0.1' });
      const file = await captureAgainst(db, async () => {
        const mc = await MemcachedTextClient.connect(db.port);
        expect(await mc.request('set k 3 0 2', 'hi')).toBe('STORED\r\n');
        expect(await mc.request('get k nope')).toBe('VALUE k 3 2\r\nhi\r\nEND\r\n');
        expect(await mc.request('stats')).toMatch(/^STAT pid \d+\r\n[\s\S]*\r\nEND\r\n$/);
        expect(await mc.request('incr k 1')).toMatch(/^CLIENT_ERROR /);
        await mc.close();
      });
      const decodeAs = [`tcp.port==${db.port},memcache`];
      expect(await fieldValues(file, 'memcache.command', decodeAs)).toEqual(expect.arrayContaining(['set', 'get', 'stats', 'incr']));
    } finally {
      await db.stop();
    }
    expect(await refusesConnections(db.port)).toBe(true);
  });
});

describe('parallel starts', () => {
  it('give servers of the same kind different ports and data dirs', async () => {
    const servers = await Promise.all([startRedis(), startRedis(), startMemcached(), startMemcached()]);
    try {
      expect(new Set(servers.map((s) => s.port)).size).toBe(4);
      expect(new Set(servers.map((s) => s.dir)).size).toBe(4);
      for (const s of servers.filter((x) => x.kind === 'redis')) expect((await runRedisCli(s, ['PING'])).stdout.trim()).toBe('PONG');
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});

describe('captureWhile', () => {
  it('stops tcpdump and rethrows when the workload fails', async () => {
    const db = await startMemcached();
    try {
      await expect(
        captureWhile({ ports: [db.port] }, async () => {
          throw new Error('workload failed on purpose');
        }),
      ).rejects.toThrow('workload failed on purpose');
      const tcpdumps = await runCommand('pgrep', ['-f', `tcpdump -i lo .*tcp port ${db.port}`]);
      expect(tcpdumps.stdout).toBe('');
    } finally {
      await db.stop();
    }
  });
});

describe('makeDbCapture (shared database workload)', () => {
  let w: DbCapture;
  let decodeAs: string[];
  beforeAll(async () => {
    w = await makeDbWorkload();
    decodeAs = workloadDecodeAs(w.manifest);
  }, 120_000);

  it('returns the same cached pcap under test-output/', async () => {
    expect(await makeDbCapture()).toBe(w.file);
    expect(w.file).toMatch(/\/test-output\/db-workload-[\d-]+\.pcap$/);
    expect(existsSync(w.file)).toBe(true);
  });

  it('ran steps for every protocol, with successes and errors', () => {
    const byProto = (p: WorkloadProtocol) => w.manifest.steps.filter((s) => s.protocol === p);
    for (const p of ['mysql', 'pgsql', 'redis', 'memcache'] as const) {
      expect(byProto(p).some((s) => s.outcome === 'ok')).toBe(true);
      expect(byProto(p).some((s) => s.outcome === 'error')).toBe(true);
    }
    expect(w.manifest.steps.filter((s) => s.kind === 'prepare+execute').map((s) => s.client)).toEqual(expect.arrayContaining(['mysql2', 'pg']));
  });

  it('holds frames for each server port', async () => {
    const s = w.manifest.servers;
    for (const port of [s.mariadb.port, s.postgres.port, s.redis.port, s.memcached.port]) {
      expect(await countFrames(w.file, `tcp.port==${port}`)).toBeGreaterThan(0);
    }
  });

  it('decodes (tshark) every MySQL query and error of the manifest', async () => {
    const queries = await fieldValues(w.file, 'mysql.query', decodeAs);
    const mysqlSteps = w.manifest.steps.filter((s) => s.protocol === 'mysql');
    for (const s of mysqlSteps.filter((x) => x.kind !== 'login')) expect(queries).toContain(s.text);
    const errors = await fieldValues(w.file, 'mysql.error_code', decodeAs);
    expect(errors).toEqual(mysqlSteps.flatMap((s) => (s.error ? [s.error] : [])));
    // COM_STMT_PREPARE (22) and COM_STMT_EXECUTE (23) from mysql2.
    expect(await fieldValues(w.file, 'mysql.command', decodeAs)).toEqual(expect.arrayContaining(['3', '22', '23']));
  });

  it('decodes (tshark) every PostgreSQL query and error of the manifest', async () => {
    const queries = await fieldValues(w.file, 'pgsql.query', decodeAs);
    const pgSteps = w.manifest.steps.filter((s) => s.protocol === 'pgsql');
    // psql sends statements with their ';'.
    for (const s of pgSteps.filter((x) => x.kind !== 'login')) expect(queries).toContain(s.client === 'psql' ? `${s.text};` : s.text);
    const codes = await fieldValues(w.file, 'pgsql.code', decodeAs);
    expect(codes).toEqual(pgSteps.flatMap((s) => (s.error ? [s.error] : [])));
    // Extended protocol from the pg driver: Parse ('P') and Bind ('B').
    expect(await countFrames(w.file, 'pgsql.type == "Parse" && pgsql.type == "Bind"', decodeAs)).toBeGreaterThan(0);
  });

  it('decodes (tshark) the Redis commands and error replies', async () => {
    const hex = await fieldValues(w.file, 'resp.bulk_string.value', decodeAs);
    const words = new Set(hex.map((h) => Buffer.from(h, 'hex').toString('utf8')));
    for (const cmd of ['AUTH', 'SET', 'GET', 'INCR', 'LPUSH', 'LRANGE', 'HSET', 'HGETALL', 'DEL']) expect(words).toContain(cmd);
    const errors = await fieldValues(w.file, 'resp.error', decodeAs);
    const expected = w.manifest.steps.filter((s) => s.protocol === 'redis' && s.error).map((s) => s.error!);
    expect(errors.map((e) => e.split(' ')[0])).toEqual(expected);
  });

  it('decodes (tshark) the memcached text commands', async () => {
    const commands = await fieldValues(w.file, 'memcache.command', decodeAs);
    expect(commands).toEqual(expect.arrayContaining(['version', 'set', 'add', 'get', 'gets', 'incr', 'decr', 'delete', 'stats']));
    const responses = await fieldValues(w.file, 'memcache.response', decodeAs);
    expect(responses).toEqual(expect.arrayContaining(['STORED', 'NOT_STORED', 'DELETED', 'NOT_FOUND']));
  });
});
