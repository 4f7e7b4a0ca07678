// One real capture of a mixed database session against real MariaDB, PostgreSQL, Redis and
// memcached servers, made once per test run and shared by every test process of that run.
import { existsSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { captureWhile } from './capture';
import { encodeRespCommands, MemcachedTextClient, runMariadb, runPsql, runRedisCli, type CommandResult } from './clients';
import { testOutputPath } from './paths';
import { isProcessAlive } from './processes';
import { startMariaDB, startMemcached, startPostgres, startRedis, type DbServer } from './servers';

export type WorkloadProtocol = 'mysql' | 'pgsql' | 'redis' | 'memcache';

/** One thing the workload did, as the server saw it. */
export interface WorkloadStep {
  /** Wireshark's protocol name for the traffic (tshark -d tcp.port==PORT,<protocol>). */
  protocol: WorkloadProtocol;
  /** Which real client sent it: 'mariadb', 'mysql2', 'psql', 'pg', 'redis-cli', 'redis-cli --pipe', 'node:net'. */
  client: string;
  kind: 'login' | 'query' | 'prepare+execute' | 'command';
  /** The SQL, the command (space-joined) or, for a login, what was attempted. */
  text: string;
  /** Bound parameters of a prepared / extended-protocol statement. */
  params?: (string | number)[];
  outcome: 'ok' | 'error';
  /** Error code the server sent: MySQL errno ('1064'), SQLSTATE ('42P01'), Redis prefix ('WRONGTYPE'), memcached ('CLIENT_ERROR'). */
  error?: string;
  /** Rows in the result set, for steps that return one. */
  rows?: number;
  /** First line of the reply (Redis / memcached). */
  reply?: string;
}

export interface WorkloadServer {
  port: number;
  user?: string;
  password?: string;
  database?: string;
}

export interface DbWorkloadManifest {
  /** The pcap (under test-output/). */
  file: string;
  createdAt: string;
  /** Wall time of the captured part, and of the whole thing including server start/stop. */
  captureMs: number;
  totalMs: number;
  servers: { mariadb: WorkloadServer; postgres: WorkloadServer; redis: WorkloadServer; memcached: WorkloadServer };
  steps: WorkloadStep[];
}

export interface DbCapture {
  file: string;
  manifest: DbWorkloadManifest;
}

/** The pcap of the shared database workload (see makeDbWorkload for its manifest). */
export async function makeDbCapture(): Promise<string> {
  return (await makeDbWorkload()).file;
}

/** tshark decode-as rules for the workload's servers (they listen on random ports). */
export function workloadDecodeAs(m: DbWorkloadManifest): string[] {
  const s = m.servers;
  return [`tcp.port==${s.mariadb.port},mysql`, `tcp.port==${s.postgres.port},pgsql`, `tcp.port==${s.redis.port},resp`, `tcp.port==${s.memcached.port},memcache`];
}

let cached: Promise<DbCapture> | null = null;

/** The shared database workload capture and what was run in it (made once per test run). */
export function makeDbWorkload(): Promise<DbCapture> {
  cached ??= loadOrCreate();
  return cached;
}

// ---------------------------------------------------------------------------------------------
// Sharing between the test processes of one run

/** Identifies this test run: vitest's main process (the parent of a forked worker) and its start time. */
function runKey(): string {
  const pid = typeof process.send === 'function' ? process.ppid : process.pid;
  return `${pid}-${processStartTime(pid) ?? 0}`;
}

function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Removes workload files of earlier runs whose vitest process is gone. */
function removeStaleWorkloads(currentKey: string): void {
  const dir = testOutputPath();
  for (const name of readdirSync(dir)) {
    const m = /^db-workload-(\d+)-(\d+)\./.exec(name);
    if (!m || `${m[1]}-${m[2]}` === currentKey) continue;
    if (!isProcessAlive(Number(m[1])) || processStartTime(Number(m[1])) !== m[2]) rmSync(testOutputPath(name), { force: true });
  }
}

async function loadOrCreate(): Promise<DbCapture> {
  const key = runKey();
  const base = testOutputPath(`db-workload-${key}`);
  const manifestFile = `${base}.json`;
  const lockFile = `${base}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (existsSync(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as DbWorkloadManifest;
      if (existsSync(manifest.file)) return { file: manifest.file, manifest };
    }
    let fd: number;
    try {
      fd = openSync(lockFile, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another test process of this run is making it: wait, or take over if it died.
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (holder > 0 && !isProcessAlive(holder)) rmSync(lockFile, { force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${manifestFile} (lock ${lockFile})`);
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      removeStaleWorkloads(key);
      const manifest = await runWorkload(`${base}.pcap`);
      writeFileSync(`${manifestFile}.tmp`, JSON.stringify(manifest, null, 2));
      renameSync(`${manifestFile}.tmp`, manifestFile);
      return { file: manifest.file, manifest };
    } finally {
      rmSync(lockFile, { force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The workload

function fail(what: string, r: CommandResult): never {
  throw new Error(`${what}: unexpected result (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/** MySQL errnos in the order the CLI reported them ("ERROR 1064 (42000) at line 5: ..."). */
function mysqlErrors(stderr: string): string[] {
  return [...stderr.matchAll(/^ERROR (\d+)/gm)].map((m) => m[1]!);
}

async function mariadbSteps(db: DbServer, steps: WorkloadStep[]): Promise<void> {
  // One CLI session; --force carries on past the statements that fail on purpose.
  const session: { sql: string; error?: string; rows?: number }[] = [
    { sql: 'CREATE TABLE products (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64) NOT NULL, price DECIMAL(10,2) NOT NULL, stock INT NOT NULL DEFAULT 0)' },
    { sql: "INSERT INTO products (name, price, stock) VALUES ('apple', 1.20, 100), ('banana', 0.50, 150), ('cherry', 12.00, 20), ('durian', 25.50, 3)" },
    { sql: 'SELECT id, name, price, stock FROM products ORDER BY id', rows: 4 },
    { sql: "UPDATE products SET stock = stock - 1 WHERE name = 'cherry'" },
    { sql: 'SELEC name FROM products', error: '1064' },
    // MariaDB answers 1/0 with NULL and a warning, not an error.
    { sql: 'SELECT 1/0 AS ratio', rows: 1 },
    { sql: 'SELECT * FROM no_such_table', error: '1146' },
  ];
  const r = await runMariadb(db, { args: ['--force', '--batch'], input: session.map((s) => `${s.sql};\n`).join('') });
  const expectedErrors = session.flatMap((s) => (s.error ? [s.error] : []));
  if (r.code === null || mysqlErrors(r.stderr).join(',') !== expectedErrors.join(',')) fail('mariadb session', r);
  if (!r.stdout.includes('durian')) fail('mariadb session (SELECT rows)', r);
  steps.push({ protocol: 'mysql', client: 'mariadb', kind: 'login', text: 'app@shop (mysql_native_password)', outcome: 'ok' });
  for (const s of session) {
    steps.push({
      protocol: 'mysql',
      client: 'mariadb',
      kind: 'query',
      text: s.sql,
      outcome: s.error ? 'error' : 'ok',
      ...(s.error ? { error: s.error } : {}),
      ...(s.rows !== undefined ? { rows: s.rows } : {}),
    });
  }

  // Prepared statements (COM_STMT_PREPARE / EXECUTE / CLOSE) through the mysql2 driver.
  const conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
  try {
    steps.push({ protocol: 'mysql', client: 'mysql2', kind: 'login', text: 'app@shop (mysql_native_password)', outcome: 'ok' });
    const select = 'SELECT id, name, price FROM products WHERE price > ? AND stock >= ?';
    const [rows] = await conn.execute<mysql.RowDataPacket[]>(select, [1, 10]);
    if (rows.length !== 2) throw new Error(`mysql2 prepared SELECT returned ${rows.length} rows, expected 2`);
    steps.push({ protocol: 'mysql', client: 'mysql2', kind: 'prepare+execute', text: select, params: [1, 10], outcome: 'ok', rows: 2 });
    await conn.unprepare(select);
    const insert = 'INSERT INTO products (name, price, stock) VALUES (?, ?, ?)';
    await conn.execute(insert, ['elderberry', 7.25, 40]);
    steps.push({ protocol: 'mysql', client: 'mysql2', kind: 'prepare+execute', text: insert, params: ['elderberry', 7.25, 40], outcome: 'ok' });
    const count = 'SELECT COUNT(*) AS n FROM products';
    const [countRows] = await conn.query<mysql.RowDataPacket[]>(count);
    if (Number(countRows[0]?.n) !== 5) throw new Error(`mysql2 COUNT(*) = ${String(countRows[0]?.n)}, expected 5`);
    steps.push({ protocol: 'mysql', client: 'mysql2', kind: 'query', text: count, outcome: 'ok', rows: 1 });
  } finally {
    await conn.end();
  }

  const badPassword = await runMariadb(db, { password: 'wrong-password', sql: 'SELECT 1' });
  if (badPassword.code === 0 || mysqlErrors(badPassword.stderr)[0] !== '1045') fail('mariadb wrong password', badPassword);
  steps.push({ protocol: 'mysql', client: 'mariadb', kind: 'login', text: 'app with a wrong password', outcome: 'error', error: '1045' });

  const badDb = await runMariadb(db, { database: 'shop_archive', sql: 'SELECT 1' });
  if (badDb.code === 0 || mysqlErrors(badDb.stderr)[0] !== '1049') fail('mariadb unknown database', badDb);
  steps.push({ protocol: 'mysql', client: 'mariadb', kind: 'login', text: 'app@shop_archive (unknown database)', outcome: 'error', error: '1049' });
}

async function postgresSteps(db: DbServer, steps: WorkloadStep[]): Promise<void> {
  // One psql session; each statement is a simple-protocol Query.
  const session: { sql: string; error?: string; rows?: number }[] = [
    { sql: 'CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, total numeric(10,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())' },
    { sql: "INSERT INTO orders (customer, total) VALUES ('alice', 19.99), ('bob', 5.00), ('carol', 42.50)" },
    { sql: 'SELECT id, customer, total FROM orders ORDER BY id', rows: 3 },
    { sql: 'SELECT * FROM missing_table', error: '42P01' },
    { sql: "UPDATE orders SET total = total + 1 WHERE customer = 'bob'" },
    { sql: 'SELECT count(*) FROM orders', rows: 1 },
  ];
  const r = await runPsql(db, { args: ['-v', 'VERBOSITY=verbose'], input: session.map((s) => `${s.sql};\n`).join('') });
  if (r.code !== 0 || !/ERROR:\s+42P01/.test(r.stderr) || !r.stdout.includes('carol')) fail('psql session', r);
  steps.push({ protocol: 'pgsql', client: 'psql', kind: 'login', text: 'app@shop (SSLRequest declined, then scram-sha-256)', outcome: 'ok' });
  for (const s of session) {
    steps.push({
      protocol: 'pgsql',
      client: 'psql',
      kind: 'query',
      text: s.sql,
      outcome: s.error ? 'error' : 'ok',
      ...(s.error ? { error: s.error } : {}),
      ...(s.rows !== undefined ? { rows: s.rows } : {}),
    });
  }

  // Extended protocol (Parse/Bind/Describe/Execute/Sync) through the pg driver.
  const client = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
  await client.connect();
  try {
    steps.push({ protocol: 'pgsql', client: 'pg', kind: 'login', text: 'app@shop (scram-sha-256)', outcome: 'ok' });
    const byTotal = 'SELECT id, customer, total FROM orders WHERE total > $1 ORDER BY id';
    const a = await client.query(byTotal, [10]);
    if (a.rowCount !== 2) throw new Error(`pg parameterized SELECT returned ${a.rowCount} rows, expected 2`);
    steps.push({ protocol: 'pgsql', client: 'pg', kind: 'prepare+execute', text: byTotal, params: [10], outcome: 'ok', rows: 2 });
    const named = 'SELECT id, total FROM orders WHERE customer = $1';
    const b = await client.query({ name: 'order-by-customer', text: named, values: ['carol'] });
    if (b.rowCount !== 1) throw new Error(`pg named statement returned ${b.rowCount} rows, expected 1`);
    steps.push({ protocol: 'pgsql', client: 'pg', kind: 'prepare+execute', text: named, params: ['carol'], outcome: 'ok', rows: 1 });
    const divide = 'SELECT $1::int / 0 AS ratio';
    const err = await client.query(divide, [1]).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    if (err?.code !== '22012') throw new Error(`pg division by zero gave ${JSON.stringify(err)}, expected SQLSTATE 22012`);
    steps.push({ protocol: 'pgsql', client: 'pg', kind: 'prepare+execute', text: divide, params: [1], outcome: 'error', error: '22012' });
  } finally {
    await client.end();
  }

  const bad = new pg.Client({ host: db.host, port: db.port, user: db.user, password: 'wrong-password', database: db.database });
  const loginError = await bad.connect().then(
    () => null,
    (e: unknown) => e as { code?: string },
  );
  await bad.end().catch(() => {});
  if (loginError?.code !== '28P01') throw new Error(`pg wrong password gave ${JSON.stringify(loginError)}, expected SQLSTATE 28P01`);
  steps.push({ protocol: 'pgsql', client: 'pg', kind: 'login', text: 'app with a wrong password', outcome: 'error', error: '28P01' });
}

async function redisSteps(db: DbServer, steps: WorkloadStep[]): Promise<void> {
  // Single commands: one redis-cli connection each (AUTH first, then the command).
  const single: { args: string[]; reply: string }[] = [
    { args: ['SET', 'greeting', 'hello world'], reply: 'OK' },
    { args: ['GET', 'greeting'], reply: 'hello world' },
    { args: ['HSET', 'user:1', 'name', 'alice', 'age', '30'], reply: '2' },
    { args: ['HGETALL', 'user:1'], reply: 'name' },
  ];
  for (const c of single) {
    const r = await runRedisCli(db, c.args);
    const first = r.stdout.split('\n')[0] ?? '';
    if (r.code !== 0 || first !== c.reply) fail(`redis-cli ${c.args.join(' ')}`, r);
    steps.push({ protocol: 'redis', client: 'redis-cli', kind: 'command', text: `AUTH ${db.password ?? ''}`.trim(), outcome: 'ok', reply: 'OK' });
    steps.push({ protocol: 'redis', client: 'redis-cli', kind: 'command', text: c.args.join(' '), outcome: 'ok', reply: first });
  }
  const wrong = await runRedisCli(db, ['PING'], { password: 'wrong-password' });
  if (!/WRONGPASS/.test(wrong.stdout + wrong.stderr)) fail('redis-cli wrong password', wrong);
  steps.push({ protocol: 'redis', client: 'redis-cli', kind: 'login', text: 'AUTH wrong-password', outcome: 'error', error: 'WRONGPASS' });
  steps.push({ protocol: 'redis', client: 'redis-cli', kind: 'command', text: 'PING', outcome: 'error', error: 'NOAUTH' });

  // A pipelined batch: everything written at once, replies read afterwards.
  const batch: { args: string[]; error?: string; reply: string }[] = [
    { args: ['AUTH', db.password ?? ''], reply: 'OK' },
    { args: ['SET', 'counter', '10'], reply: 'OK' },
    { args: ['GET', 'counter'], reply: '10' },
    { args: ['INCR', 'counter'], reply: '11' },
    { args: ['INCR', 'counter'], reply: '12' },
    { args: ['LPUSH', 'queue', 'job1', 'job2', 'job3'], reply: '3' },
    { args: ['LRANGE', 'queue', '0', '-1'], reply: 'job3' },
    { args: ['INCR', 'queue'], error: 'WRONGTYPE', reply: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
    { args: ['GET', 'no-such-key'], reply: '(nil)' },
    { args: ['DEL', 'counter', 'queue'], reply: '2' },
  ];
  const r = await runRedisCli(db, ['--pipe'], { password: null, input: encodeRespCommands(batch.map((c) => c.args)) });
  const summary = /errors: (\d+), replies: (\d+)/.exec(r.stdout);
  if (!summary || Number(summary[1]) !== 1 || Number(summary[2]) !== batch.length) fail('redis-cli --pipe', r);
  for (const c of batch) {
    steps.push({
      protocol: 'redis',
      client: 'redis-cli --pipe',
      kind: 'command',
      text: c.args.join(' '),
      outcome: c.error ? 'error' : 'ok',
      ...(c.error ? { error: c.error } : {}),
      reply: c.reply,
    });
  }
}

async function memcachedSteps(db: DbServer, steps: WorkloadStep[]): Promise<void> {
  const script: { line: string; data?: string; expect: RegExp; error?: string }[] = [
    { line: 'version', expect: /^VERSION \S+\r\n$/ },
    { line: 'set user:1 0 300 5', data: 'alice', expect: /^STORED\r\n$/ },
    { line: 'set user:2 5 0 3', data: 'bob', expect: /^STORED\r\n$/ },
    { line: 'add user:1 0 0 1', data: 'x', expect: /^NOT_STORED\r\n$/ },
    { line: 'get user:1', expect: /^VALUE user:1 0 5\r\nalice\r\nEND\r\n$/ },
    { line: 'get user:1 user:2 user:3', expect: /^VALUE user:1 0 5\r\nalice\r\nVALUE user:2 5 3\r\nbob\r\nEND\r\n$/ },
    { line: 'gets user:2', expect: /^VALUE user:2 5 3 \d+\r\nbob\r\nEND\r\n$/ },
    { line: 'set counter 0 0 1', data: '7', expect: /^STORED\r\n$/ },
    { line: 'incr counter 5', expect: /^12\r\n$/ },
    { line: 'decr counter 2', expect: /^10\r\n$/ },
    { line: 'incr user:1 1', expect: /^CLIENT_ERROR /, error: 'CLIENT_ERROR' },
    { line: 'touch user:2 600', expect: /^TOUCHED\r\n$/ },
    { line: 'delete user:2', expect: /^DELETED\r\n$/ },
    { line: 'delete user:2', expect: /^NOT_FOUND\r\n$/ },
    { line: 'get user:2', expect: /^END\r\n$/ },
    { line: 'stats', expect: /^STAT pid \d+\r\n[\s\S]*END\r\n$/ },
    { line: 'bogus_command', expect: /^ERROR\r\n$/, error: 'ERROR' },
  ];
  const client = await MemcachedTextClient.connect(db.port, db.host);
  try {
    for (const s of script) {
      const reply = await client.request(s.line, s.data);
      if (!s.expect.test(reply)) throw new Error(`memcached "${s.line}": unexpected reply ${JSON.stringify(reply)}`);
      steps.push({
        protocol: 'memcache',
        client: 'node:net',
        kind: 'command',
        text: s.data === undefined ? s.line : `${s.line} [${s.data}]`,
        outcome: s.error ? 'error' : 'ok',
        ...(s.error ? { error: s.error } : {}),
        reply: reply.slice(0, reply.indexOf('\r\n')),
      });
    }
  } finally {
    await client.close();
  }
}

function serverInfo(s: DbServer): WorkloadServer {
  return {
    port: s.port,
    ...(s.user !== undefined ? { user: s.user } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
    ...(s.database !== undefined ? { database: s.database } : {}),
  };
}

async function runWorkload(file: string): Promise<DbWorkloadManifest> {
  const t0 = Date.now();
  const manifest = await runWorkloadOnServers(file, t0);
  return { ...manifest, totalMs: Date.now() - t0 };
}

async function runWorkloadOnServers(file: string, t0: number): Promise<DbWorkloadManifest> {
  const started = await Promise.allSettled([startMariaDB(), startPostgres(), startRedis({ password: 'secret' }), startMemcached()]);
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [mariadb, postgres, redis, memcached] = servers as [DbServer, DbServer, DbServer, DbServer];
    const steps: WorkloadStep[] = [];
    const t1 = Date.now();
    await captureWhile({ ports: servers.map((s) => s.port), file }, async () => {
      await mariadbSteps(mariadb, steps);
      await postgresSteps(postgres, steps);
      await redisSteps(redis, steps);
      await memcachedSteps(memcached, steps);
    });
    const captureMs = Date.now() - t1;
    return {
      file,
      createdAt: new Date(t0).toISOString(),
      captureMs,
      totalMs: 0,
      servers: { mariadb: serverInfo(mariadb), postgres: serverInfo(postgres), redis: serverInfo(redis), memcached: serverInfo(memcached) },
      steps,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
