// Real clients for the test servers: the command-line clients (mariadb, psql, redis-cli) run as
// child processes, and a small memcached text-protocol client over node:net.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import type { DbServer } from './servers';

export interface CommandResult {
  /** Exit code; null if the process was killed by a signal (e.g. on timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed with SIGKILL after this long (default 30 s). */
  timeoutMs?: number;
}

/** Runs a command to completion. A binary that is not installed rejects with what to install. */
export function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') reject(new Error(`${cmd} is not installed (run: node test/support/prereqs.mjs)`));
      else reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A client that exits before reading its input would otherwise raise EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

export interface SqlClientOptions {
  /** SQL passed with -e / -c (several strings: psql runs each -c separately). */
  sql?: string | string[];
  /** Extra arguments appended after the connection arguments. */
  args?: string[];
  user?: string;
  password?: string;
  /** Database to connect to; null for none. Defaults to the server's database. */
  database?: string | null;
  input?: string;
  timeoutMs?: number;
}

/** Runs the `mariadb` CLI against a server over TCP (no option files, TLS off). */
export function runMariadb(server: DbServer, opts: SqlClientOptions = {}): Promise<CommandResult> {
  const user = opts.user ?? server.user ?? 'root';
  const password = opts.password ?? server.password;
  const database = opts.database === undefined ? server.database : opts.database;
  const args = ['--no-defaults', '--protocol=TCP', '-h', server.host, '-P', String(server.port), '-u', user, '--skip-ssl'];
  if (password !== undefined) args.push(`--password=${password}`);
  if (database) args.push('-D', database);
  const sql = opts.sql === undefined ? [] : Array.isArray(opts.sql) ? opts.sql : [opts.sql];
  if (sql.length > 0) args.push('-e', sql.join(';\n'));
  args.push(...(opts.args ?? []));
  return runCommand('mariadb', args, { input: opts.input, timeoutMs: opts.timeoutMs });
}

/**
 * Runs `psql` against a server over TCP with the password in PGPASSWORD. psql keeps its default
 * sslmode (prefer), so each session opens with an SSLRequest the server declines.
 */
export function runPsql(server: DbServer, opts: SqlClientOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  const user = opts.user ?? server.user ?? 'postgres';
  const password = opts.password ?? server.password;
  const database = opts.database === undefined ? server.database : opts.database;
  const args = ['-X', '-h', server.host, '-p', String(server.port), '-U', user, '-w'];
  if (database) args.push('-d', database);
  const sql = opts.sql === undefined ? [] : Array.isArray(opts.sql) ? opts.sql : [opts.sql];
  for (const s of sql) args.push('-c', s);
  args.push(...(opts.args ?? []));
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10', ...opts.env };
  delete env.PGSERVICE;
  if (password !== undefined) env.PGPASSWORD = password;
  else delete env.PGPASSWORD;
  return runCommand('psql', args, { input: opts.input, env, timeoutMs: opts.timeoutMs });
}

/** Runs `redis-cli` with the given command arguments (authenticating if the server has a password). */
export function runRedisCli(
  server: DbServer,
  args: readonly string[],
  opts: { input?: string | Buffer; password?: string | null; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const password = opts.password === undefined ? server.password : opts.password;
  const base = ['-h', server.host, '-p', String(server.port)];
  if (password) base.push('-a', password, '--no-auth-warning');
  return runCommand('redis-cli', [...base, ...args], { input: opts.input, timeoutMs: opts.timeoutMs });
}

/** Encodes commands as RESP arrays of bulk strings (what `redis-cli --pipe` expects on stdin). */
export function encodeRespCommands(commands: readonly (readonly string[])[]): Buffer {
  const parts: Buffer[] = [];
  for (const cmd of commands) {
    parts.push(Buffer.from(`*${cmd.length}\r\n`));
    for (const arg of cmd) {
      const b = Buffer.from(arg, 'utf8');
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
  }
  return Buffer.concat(parts);
}

// Commands whose reply is a block of lines closed by END (errors are always one line).
const MEMCACHED_MULTILINE = new Set(['get', 'gets', 'gat', 'gats', 'stats']);
const MEMCACHED_ERROR = /^(ERROR|CLIENT_ERROR|SERVER_ERROR)\b/;

/** A memcached text-protocol client: one request at a time, replies returned as raw text. */
export class MemcachedTextClient {
  private buffered = '';
  private waiter: (() => void) | null = null;
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      this.waiter?.();
    });
    const onEnd = (e?: Error): void => {
      this.closedError ??= e ?? new Error('memcached connection closed');
      this.waiter?.();
    };
    socket.on('error', onEnd);
    socket.on('close', () => onEnd());
  }

  static connect(port: number, host = '127.0.0.1'): Promise<MemcachedTextClient> {
    return new Promise((resolvePromise, reject) => {
      const socket = connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolvePromise(new MemcachedTextClient(socket));
      });
    });
  }

  /**
   * Sends one command line (without CRLF) and, for storage commands, its data block; resolves with
   * the whole reply text (CRLFs included). Get/stats replies are read up to END.
   */
  async request(line: string, data?: string | Buffer): Promise<string> {
    if (this.buffered.length > 0) throw new Error(`unexpected unread memcached data: ${JSON.stringify(this.buffered)}`);
    const payload = data === undefined ? `${line}\r\n` : Buffer.concat([Buffer.from(`${line}\r\n`), Buffer.from(data), Buffer.from('\r\n')]);
    this.socket.write(payload);
    const verb = line.split(' ', 1)[0]!.toLowerCase();
    const multiline = MEMCACHED_MULTILINE.has(verb);
    for (;;) {
      const reply = this.takeReply(multiline);
      if (reply !== null) return reply;
      if (this.closedError) throw this.closedError;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = null;
    }
  }

  private takeReply(multiline: boolean): string | null {
    const firstEnd = this.buffered.indexOf('\r\n');
    if (firstEnd < 0) return null;
    const firstLine = this.buffered.slice(0, firstEnd);
    let end: number;
    if (!multiline || MEMCACHED_ERROR.test(firstLine)) end = firstEnd + 2;
    else if (firstLine === 'END') end = firstEnd + 2;
    else {
      const at = this.buffered.indexOf('\r\nEND\r\n');
      if (at < 0) return null;
      end = at + 7;
    }
    const reply = this.buffered.slice(0, end);
    this.buffered = this.buffered.slice(end);
    return reply;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.socket.destroyed) return r();
      this.socket.once('close', () => r());
      this.socket.end();
    });
  }
}
