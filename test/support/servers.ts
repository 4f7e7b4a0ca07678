// Real database servers for tests: each on 127.0.0.1 on a free port, in its own temp dir, run in
// the foreground as our child (never a system service). Servers are started through
// `setpriv --pdeathsig KILL` so they die with the process that started them even if it is killed;
// an exit hook kills what is left and removes the temp dirs, and dirs of dead processes are swept.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './clients';
import { isProcessAlive } from './processes';
import { delay, settlesWithin } from './timing';

export interface DbServer {
  kind: 'mariadb' | 'postgres' | 'redis' | 'memcached';
  host: '127.0.0.1';
  port: number;
  user?: string;
  password?: string;
  database?: string;
  /** The server's temp dir (data, socket, log); removed by stop(). */
  dir: string;
  /** The server's stdout/stderr log. */
  logFile: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1' as const;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 4;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// Servers still running, for the exit hook.
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, dir] of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * A data directory made once by `create(dir, dataDir)` and copied (cp -a keeps owner and modes)
 * for each server: mariadb-install-db / initdb take seconds on a busy machine, a copy a fraction
 * of that. Templates are shared by all test processes in /tmp/dbwire-templates-<uid>/, keyed by
 * the server binary and the creation arguments, and built in a private dir then renamed into
 * place, so a half-built template is never used.
 */
function templateMaker(kind: string, fingerprint: () => string, create: (dir: string, dataDir: string) => Promise<void>): (target: string) => Promise<void> {
  let template: Promise<string> | null = null;
  return async (target) => {
    template ??= (async () => {
      const root = join(tmpdir(), `dbwire-templates-${process.getuid?.() ?? 0}`);
      mkdirSync(root, { recursive: true, mode: 0o755 });
      const hash = createHash('sha256').update(fingerprint()).digest('hex').slice(0, 16);
      const final = join(root, `${kind}-${hash}`);
      if (existsSync(join(final, 'data'))) return join(final, 'data');
      sweepTemplateBuilds(root);
      const building = mkdtempSync(join(root, `${kind}-${hash}.building-${process.pid}-`));
      try {
        await create(building, join(building, 'data'));
        try {
          renameSync(building, final);
        } catch (e) {
          // Another process finished the same template first: use theirs.
          if (!existsSync(join(final, 'data'))) throw e;
          rmSync(building, { recursive: true, force: true });
        }
      } catch (err) {
        template = null;
        rmSync(building, { recursive: true, force: true });
        throw err;
      }
      return join(final, 'data');
    })();
    const src = await template;
    const r = await runCommand('cp', ['-a', src, target]);
    if (r.code !== 0) throw new Error(`copying ${kind} template ${src} to ${target} failed:\n${r.stderr}`);
  };
}

/** Removes template builds abandoned by processes that no longer exist. */
function sweepTemplateBuilds(root: string): void {
  for (const name of readdirSync(root)) {
    const m = /\.building-(\d+)-/.exec(name);
    if (m && !isProcessAlive(Number(m[1]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Identifies an installed binary (path, size, mtime) for template keys. */
function binaryFingerprint(path: string): string {
  const st = statSync(path);
  return `${path}:${st.size}:${st.mtimeMs}`;
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

let sweptTempDirs = false;

/**
 * A fresh temp dir named after this process. The exit hook does not run when a test worker is
 * killed, so the first call also removes dirs left by processes that no longer exist (their
 * servers died with them through --pdeathsig).
 */
function makeTempDir(kind: string): string {
  if (!sweptTempDirs) {
    sweptTempDirs = true;
    for (const name of readdirSync(tmpdir())) {
      const m = /^dbwire-(?:mariadb|postgres|redis|memcached)(?:-template)?-(\d+)-/.exec(name);
      if (m && !isProcessAlive(Number(m[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
  return mkdtempSync(join(tmpdir(), `dbwire-${kind}-${process.pid}-`));
}

function logTail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function requireBinary(path: string, pkg: string): string {
  if (!existsSync(path)) throw new Error(`${path} not found: install ${pkg} (run: node test/support/prereqs.mjs)`);
  return path;
}

/** Highest installed PostgreSQL server bin dir (/usr/lib/postgresql/<ver>/bin). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL server not found: install postgresql (run: node test/support/prereqs.mjs)');
  return join(root, versions[0]!, 'bin');
}

interface Launched {
  child: ChildProcess;
  exit: Promise<void>;
  exited: () => boolean;
}

/** Starts a server in the foreground with its output appended to logFile. */
function launch(cmd: string, args: string[], logFile: string, opts: { asUser?: string; cwd: string }): Launched {
  const priv = ['--pdeathsig', 'KILL'];
  if (opts.asUser && isRoot) priv.push(`--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--init-groups');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(requireBinary('/usr/bin/setpriv', 'util-linux'), [...priv, '--', cmd, ...args], {
      cwd: opts.cwd,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LC_ALL: 'C' },
    });
  } finally {
    closeSync(fd);
  }
  let done = false;
  const exit = new Promise<void>((r) => {
    child.once('exit', () => {
      done = true;
      r();
    });
    child.once('error', () => {
      done = true;
      r();
    });
  });
  return { child, exit, exited: () => done };
}

/** Resolves when the TCP port answers: connects, sends `hello` if given, waits for any bytes. */
function probeTcp(port: number, hello?: string): Promise<boolean> {
  return new Promise((r) => {
    const sock = connect({ port, host: HOST });
    const finish = (ok: boolean): void => {
      sock.destroy();
      r(ok);
    };
    sock.setTimeout(1000, () => finish(false));
    sock.once('error', () => finish(false));
    sock.once('data', () => finish(true));
    sock.once('close', () => finish(false));
    sock.once('connect', () => {
      if (hello !== undefined) sock.write(hello);
    });
  });
}

class StartError extends Error {
  constructor(
    message: string,
    readonly portInUse: boolean,
  ) {
    super(message);
  }
}

const PORT_IN_USE = /address already in use|EADDRINUSE|could not bind|Can't start server: Bind|bind\(\) failed|failed listening/i;

/** Polls `ready` until it is true; fails early if the server exits, or after the time limit. */
async function waitReady(name: string, proc: Launched, logFile: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (proc.exited()) {
      const tail = logTail(logFile);
      throw new StartError(`${name} exited during startup (exit ${proc.child.exitCode ?? proc.child.signalCode}). Log tail:\n${tail}`, PORT_IN_USE.test(tail));
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      throw new StartError(`${name} did not accept connections within ${START_TIMEOUT_MS / 1000} s. Log tail:\n${logTail(logFile)}`, false);
    }
    await delay(100);
  }
}

async function stopProcess(proc: Launched, signal: NodeJS.Signals): Promise<void> {
  if (proc.exited()) return;
  proc.child.kill(signal);
  const timedOut = !(await settlesWithin(proc.exit, STOP_TIMEOUT_MS));
  if (timedOut) {
    proc.child.kill('SIGKILL');
    await proc.exit;
  }
}

interface ServerSpec {
  kind: DbServer['kind'];
  dir: string;
  logFile: string;
  stopSignal: NodeJS.Signals;
  /** Starts the server process on `port`. */
  start(port: number): Launched;
  /** True once the server accepts connections. */
  ready(port: number): Promise<boolean>;
  /** Setup once the server is ready (users, databases). */
  setup?(port: number): Promise<void>;
  fields: Pick<DbServer, 'user' | 'password' | 'database'>;
}

/** Starts a server, retrying on another port if the chosen one was taken in the meantime. */
async function startServer(spec: ServerSpec): Promise<DbServer> {
  installExitHook();
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const proc = spec.start(port);
    live.set(proc.child, spec.dir);
    try {
      await waitReady(`${spec.kind} on port ${port}`, proc, spec.logFile, () => spec.ready(port));
      if (spec.setup) await spec.setup(port);
    } catch (err) {
      await stopProcess(proc, 'SIGKILL');
      live.delete(proc.child);
      lastError = err instanceof Error ? err : new Error(String(err));
      if (err instanceof StartError && err.portInUse) continue;
      rmSync(spec.dir, { recursive: true, force: true });
      throw lastError;
    }
    let stopping: Promise<void> | null = null;
    return {
      kind: spec.kind,
      host: HOST,
      port,
      ...spec.fields,
      dir: spec.dir,
      logFile: spec.logFile,
      stop: () => {
        stopping ??= (async () => {
          await stopProcess(proc, spec.stopSignal);
          live.delete(proc.child);
          rmSync(spec.dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  }
  rmSync(spec.dir, { recursive: true, force: true });
  throw lastError ?? new Error(`${spec.kind}: could not start`);
}

async function mustSucceed(what: string, p: Promise<{ code: number | null; stdout: string; stderr: string }>): Promise<void> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
}

// Small InnoDB files: install and startup stay fast and the data dir small.
const MARIADB_COMMON_ARGS = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=32M', '--skip-name-resolve'];
const MARIADB_USER_ARGS = isRoot ? ['--user=root'] : [];

const MARIADB_INSTALL_ARGS = [...MARIADB_USER_ARGS, '--auth-root-authentication-method=normal', '--skip-test-db', ...MARIADB_COMMON_ARGS];

const copyMariadbTemplate = templateMaker('mariadb', () => binaryFingerprint('/usr/sbin/mariadbd') + JSON.stringify(MARIADB_INSTALL_ARGS), async (dir, dataDir) => {
  const installDb = requireBinary('/usr/bin/mariadb-install-db', 'mariadb-server');
  const install = await runCommand(
    installDb,
    ['--no-defaults', `--datadir=${dataDir}`, ...MARIADB_INSTALL_ARGS],
    { cwd: dir, timeoutMs: 120_000 },
  );
  if (install.code !== 0) throw new Error(`mariadb-install-db failed (exit ${install.code}):\n${install.stdout}\n${install.stderr}`);
});

/** MariaDB with user app/secret (mysql_native_password) and database `shop`; TLS off. */
export async function startMariaDB(opts: { maxConnections?: number; waitTimeout?: number; extraArgs?: string[] } = {}): Promise<DbServer> {
  const mariadbd = requireBinary('/usr/sbin/mariadbd', 'mariadb-server');
  requireBinary('/usr/bin/mariadb', 'mariadb-client');
  const dir = makeTempDir('mariadb');
  const logFile = join(dir, 'server.log');
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  try {
    await copyMariadbTemplate(dataDir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return startServer({
    kind: 'mariadb',
    dir,
    logFile,
    stopSignal: 'SIGTERM',
    fields: { user: 'app', password: 'secret', database: 'shop' },
    start: (port) =>
      launch(
        mariadbd,
        [
          '--no-defaults',
          `--datadir=${dataDir}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${socket}`,
          `--pid-file=${join(dir, 'mysqld.pid')}`,
          `--tmpdir=${dir}`,
          '--skip-networking=0',
          '--skip-ssl',
          '--skip-log-bin',
          '--innodb-flush-log-at-trx-commit=2',
          ...MARIADB_COMMON_ARGS,
          ...MARIADB_USER_ARGS,
          ...(opts.maxConnections !== undefined ? [`--max-connections=${opts.maxConnections}`] : []),
          ...(opts.waitTimeout !== undefined ? [`--wait-timeout=${opts.waitTimeout}`] : []),
          ...(opts.extraArgs ?? []),
        ],
        logFile,
        { cwd: dir },
      ),
    // The server sends its greeting as soon as it accepts connections.
    ready: (port) => probeTcp(port),
    setup: () =>
      mustSucceed(
        'MariaDB setup',
        runCommand('mariadb', ['--no-defaults', `--socket=${socket}`, '-u', 'root'], {
          input: [
            // Anonymous users would shadow app@'%' for some hosts.
            "DELETE FROM mysql.global_priv WHERE User='';",
            'FLUSH PRIVILEGES;',
            'CREATE DATABASE shop;',
            "CREATE USER 'app'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('secret');",
            "CREATE USER 'app'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('secret');",
            "GRANT ALL PRIVILEGES ON shop.* TO 'app'@'%';",
            "GRANT ALL PRIVILEGES ON shop.* TO 'app'@'localhost';",
            // Also shop_* databases, so connecting to a missing one is 1049 (unknown database)
            // rather than 1044 (access denied).
            "GRANT ALL PRIVILEGES ON `shop\\_%`.* TO 'app'@'%';",
            "GRANT ALL PRIVILEGES ON `shop\\_%`.* TO 'app'@'localhost';",
          ].join('\n'),
        }),
      ),
  });
}

/** As root, hands a dir to the postgres OS user (PostgreSQL refuses to run as root). */
async function chownToPostgres(dir: string): Promise<void> {
  if (!isRoot) return;
  const uid = await runCommand('id', ['-u', 'postgres']);
  const gid = await runCommand('id', ['-g', 'postgres']);
  if (uid.code !== 0 || gid.code !== 0) throw new Error('OS user postgres missing: install postgresql (run: node test/support/prereqs.mjs)');
  chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
}

const INITDB_ARGS = ['-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C'];

const copyPostgresTemplate = templateMaker('postgres', () => binaryFingerprint(join(postgresBinDir(), 'postgres')) + JSON.stringify(INITDB_ARGS), async (dir, dataDir) => {
  await chownToPostgres(dir);
  const asUser = isRoot ? ['--reuid=postgres', '--regid=postgres', '--init-groups'] : [];
  const initdb = await runCommand(
    '/usr/bin/setpriv',
    [...asUser, '--', join(postgresBinDir(), 'initdb'), '-D', dataDir, ...INITDB_ARGS],
    { cwd: dir, timeoutMs: 120_000, env: { ...process.env, LC_ALL: 'C' } },
  );
  if (initdb.code !== 0) throw new Error(`initdb failed (exit ${initdb.code}):\n${initdb.stdout}\n${initdb.stderr}`);
});

/** PostgreSQL with role app/secret (scram-sha-256 over TCP) owning database `shop`. */
export async function startPostgres(
  opts: { maxConnections?: number; idleSessionTimeoutMs?: number; extraConf?: Record<string, string> } = {},
): Promise<DbServer> {
  const bin = postgresBinDir();
  requireBinary('/usr/bin/psql', 'postgresql-client');
  // PostgreSQL refuses to run as root; as root we run it as the postgres OS user.
  const osUser = isRoot ? 'postgres' : userInfo().username;
  const dir = makeTempDir('postgres');
  const logFile = join(dir, 'server.log');
  const dataDir = join(dir, 'data');
  try {
    await chownToPostgres(dir);
    await copyPostgresTemplate(dataDir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const conf: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    ssl: 'off',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
    logging_collector: 'off',
  };
  if (opts.maxConnections !== undefined) {
    conf.max_connections = String(opts.maxConnections);
    conf.superuser_reserved_connections = String(Math.max(0, Math.min(3, opts.maxConnections - 1)));
  }
  if (opts.idleSessionTimeoutMs !== undefined) conf.idle_session_timeout = String(opts.idleSessionTimeoutMs);
  Object.assign(conf, opts.extraConf);
  return startServer({
    kind: 'postgres',
    dir,
    logFile,
    // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for clients to disconnect).
    stopSignal: 'SIGINT',
    fields: { user: 'app', password: 'secret', database: 'shop' },
    start: (port) =>
      launch(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), ...Object.entries(conf).flatMap(([k, v]) => ['-c', `${k}=${v}`])], logFile, {
        asUser: osUser,
        cwd: dir,
      }),
    ready: async (port) => (await runCommand('pg_isready', ['-q', '-h', dir, '-p', String(port), '-t', '1'])).code === 0,
    setup: async (port) => {
      await mustSucceed(
        'PostgreSQL setup',
        runCommand('psql', ['-X', '-q', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', "CREATE ROLE app LOGIN PASSWORD 'secret'", '-c', 'CREATE DATABASE shop OWNER app']),
      );
    },
  });
}

/** Redis with persistence off; `password` sets requirepass. */
export async function startRedis(opts: { password?: string } = {}): Promise<DbServer> {
  const redisServer = requireBinary('/usr/bin/redis-server', 'redis-server');
  const dir = makeTempDir('redis');
  const logFile = join(dir, 'server.log');
  return startServer({
    kind: 'redis',
    dir,
    logFile,
    stopSignal: 'SIGTERM',
    fields: opts.password !== undefined ? { password: opts.password } : {},
    start: (port) =>
      launch(
        redisServer,
        [
          '--port', String(port),
          '--bind', HOST,
          '--dir', dir,
          '--save', '',
          '--appendonly', 'no',
          '--daemonize', 'no',
          '--protected-mode', 'no',
          ...(opts.password !== undefined ? ['--requirepass', opts.password] : []),
        ],
        logFile,
        { cwd: dir },
      ),
    // Any reply (PONG, or NOAUTH with a password set) means it is serving.
    ready: (port) => probeTcp(port, 'PING\r\n'),
  });
}

/** memcached (TCP only, 64 MB). */
export async function startMemcached(): Promise<DbServer> {
  const memcached = requireBinary('/usr/bin/memcached', 'memcached');
  const dir = makeTempDir('memcached');
  const logFile = join(dir, 'server.log');
  return startServer({
    kind: 'memcached',
    dir,
    logFile,
    stopSignal: 'SIGTERM',
    fields: {},
    // memcached refuses to run as root unless told which user to be.
    start: (port) => launch(memcached, ['-l', HOST, '-p', String(port), '-U', '0', '-m', '64', ...(isRoot ? ['-u', 'root'] : [])], logFile, { cwd: dir }),
    ready: (port) => probeTcp(port, 'version\r\n'),
  });
}
