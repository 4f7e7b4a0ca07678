/**
 * Helpers for the connection-verdict scenario tests: run `dbwire conns --json` on a capture and
 * parse it, small Node TCP peers that run inside a network namespace (where iptables rules shape
 * the traffic), and CLI clients fed line by line so a test can pause between statements.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { expect } from 'vitest';
import { dbwire } from './cli';
import type { Netns } from './netns';
import { tshark } from './tshark';
import { delay } from './timing';

/** One `dbwire conns --json` connection line (the keys the tests read). */
export interface ConnRow {
  stream: number;
  client: string;
  server: string;
  protocol: string;
  client_state: string;
  server_state: string;
  verdict: string;
  verdict_text: string;
  evidence: number[];
  duration: number;
  packets: { client: number; server: number };
  handshake_rtt: { syn_to_synack: number | null; synack_to_ack: number | null };
  retransmissions: { client: number; server: number };
  keepalives: number;
  resets: number;
  longest_idle: number;
  closed_by: { end: 'client' | 'server'; how: 'FIN' | 'RST'; frame: number } | null;
  login: { user?: string; database?: string; ok: boolean; errorCode?: string; errorMessage?: string } | null;
  transactions: number;
  errors: number;
  latency: { p50: number; p95: number; max: number } | null;
  transitions: { end: 'client' | 'server'; from: string; to: string; frame: number; time: number }[];
}

/** The summary line that ends `dbwire conns --json`. */
export interface ConnsSummary {
  summary: true;
  client_states: Record<string, number>;
  server_states: Record<string, number>;
  verdicts: Record<string, number>;
  capture_verdict: string;
  capture_verdict_text: string;
}

export interface ConnsResult { rows: ConnRow[]; summary: ConnsSummary }

/** Runs `dbwire conns FILE --json [extra]` and parses its lines; fails on a non-zero exit. */
export async function conns(file: string, extra: readonly string[] = []): Promise<ConnsResult> {
  const r = await dbwire(['conns', file, '--json', ...extra]);
  if (r.code !== 0) throw new Error(`dbwire conns ${file} exited ${r.code}:\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.find((l) => l.summary === true) as ConnsSummary | undefined;
  if (!summary) throw new Error(`dbwire conns ${file}: no summary line in:\n${r.stdout}`);
  return { rows: lines.filter((l) => l.summary !== true) as unknown as ConnRow[], summary };
}

/**
 * The one connection to `port` (the server end); fails listing what there is otherwise. With
 * `openedInCapture`, only connections whose SYN was captured count (connections held open from
 * before the capture may show a stray packet or two).
 */
export function connTo(res: ConnsResult, port: number, opts: { openedInCapture?: boolean } = {}): ConnRow {
  const rows = res.rows.filter((r) => r.server.endsWith(`:${port}`) && (!opts.openedInCapture || r.transitions.some((t) => t.to === 'SYN_SENT')));
  if (rows.length !== 1) throw new Error(`expected one connection to port ${port}, got ${rows.length}:\n${res.rows.map((r) => `${r.stream} ${r.client} → ${r.server} ${r.verdict}`).join('\n')}`);
  return rows[0]!;
}

/** Every evidence frame of the verdict is named in its sentence (the sentence shows its proof). */
export function expectEvidenceNamed(row: ConnRow): void {
  expect(row.evidence.length, `no evidence for ${row.verdict}: ${row.verdict_text}`).toBeGreaterThan(0);
  for (const f of row.evidence) expect(row.verdict_text, `evidence frame ${f} not named`).toMatch(new RegExp(`\\b${f}\\b`));
}

/** Frame numbers matching a display filter, per tshark (the reference the evidence is checked against). */
export async function framesWhere(file: string, filter: string, decodeAs: string[] = []): Promise<number[]> {
  return (await tshark(file, { filter, decodeAs, fields: ['frame.number'] })).map(Number);
}

/** The end states of one side in order, from the transitions (the first `from` included). */
export function stateSequence(row: ConnRow, end: 'client' | 'server'): string[] {
  const t = row.transitions.filter((x) => x.end === end);
  return t.length ? [t[0]!.from, ...t.map((x) => x.to)] : [];
}

// ---- Node TCP peers in a namespace ----

/**
 * A TCP server (argv: JSON {port, mode, reply}). Modes: 'sink' reads and discards, answering
 * `reply` bytes once per read if set; 'echo' echoes; 'count' answers one byte once `reply` bytes
 * came in; 'close' closes its end 50 ms after the first data. Closes its end when the client does. Prints "ready" once listening.
 */
const SERVER_SCRIPT = `
const net = require('node:net');
const o = JSON.parse(process.argv[1]);
const srv = net.createServer((s) => {
  let got = 0;
  s.on('error', () => {});
  s.on('data', (b) => {
    got += b.length;
    if (o.mode === 'echo') s.write(b);
    else if (o.mode === 'close') setTimeout(() => s.end(), 50);
    else if (o.mode === 'count') { if (got >= o.reply && got - b.length < o.reply) s.write('k'); }
    else if (o.reply) s.write(Buffer.alloc(o.reply, 0x61));
  });
  s.on('end', () => s.end());
});
srv.listen(o.port, '127.0.0.1', () => console.log('ready'));
`;

/**
 * A TCP client (argv: JSON {port, send, chunks, intervalMs, timeoutMs, expect}): connects, sends
 * `send` bytes (`chunks` times, `intervalMs` apart: one segment each), waits until `expect` bytes
 * came back (then closes with FIN; with `endAfterSend`, right after sending) or until timeoutMs (then destroys the socket, as a client
 * library giving up does). Prints one JSON line: what happened.
 */
const CLIENT_SCRIPT = `
const net = require('node:net');
const o = JSON.parse(process.argv[1]);
const t0 = Date.now();
let got = 0, connected = false, done = false;
const s = net.connect({ port: o.port, host: '127.0.0.1' });
const finish = (how) => { if (done) return; done = true; console.log(JSON.stringify({ how, connected, got, ms: Date.now() - t0 })); };
const timer = setTimeout(() => { finish('timeout'); s.destroy(); }, o.timeoutMs);
s.setNoDelay(true);
s.on('connect', () => {
  connected = true;
  let n = o.chunks || 1;
  const one = () => {
    if (o.send && !done) s.write(Buffer.alloc(o.send, 0x62));
    if (--n > 0) setTimeout(one, o.intervalMs || 0);
    else if (o.endAfterSend) s.end(); // same tick: the FIN follows the data at once, in its own segment
  };
  one();
});
s.on('data', (b) => { got += b.length; if (o.expect && got >= o.expect) { clearTimeout(timer); finish('done'); s.end(); } });
s.on('error', (e) => { clearTimeout(timer); finish(e.code || e.message); });
s.on('close', () => { clearTimeout(timer); finish('closed'); });
`;

export interface ClientOutcome { how: string; connected: boolean; got: number; ms: number }

/** Starts the TCP server in the namespace; resolves once it listens (killed by ns.destroy()). */
export async function startNsServer(ns: Netns, port: number, mode: 'sink' | 'echo' | 'count' | 'close', reply = 0): Promise<ChildProcess> {
  const child = ns.spawn(process.execPath, ['-e', SERVER_SCRIPT, JSON.stringify({ port, mode, reply })]);
  await new Promise<void>((resolve, reject) => {
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`node server in ${ns.name} did not start:\n${err}`)), 10_000);
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`node server in ${ns.name} exited ${code}:\n${err}`)); });
  });
  return child;
}

/** Runs the TCP client in the namespace to completion. */
export async function runNsClient(ns: Netns, o: { port: number; send?: number; chunks?: number; intervalMs?: number; expect?: number; endAfterSend?: boolean; timeoutMs: number }): Promise<ClientOutcome> {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', CLIENT_SCRIPT, JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`node client in ${ns.name} failed (exit ${code}):\n${out}${err}`);
  return JSON.parse(line) as ClientOutcome;
}

// ---- Node TCP peers on the host's loopback ----

export interface HostServer { port: number; sockets: Socket[]; close(): Promise<void> }

/** A TCP server on 127.0.0.1 (a free port) that hands each accepted socket to `onSocket`. */
export function hostServer(onSocket: (s: Socket) => void, port = 0): Promise<HostServer> {
  const sockets: Socket[] = [];
  const srv = createServer((s) => { sockets.push(s); s.on('error', () => {}); onSocket(s); });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address() as AddressInfo;
      resolve({
        port: addr.port, sockets,
        close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }),
      });
    });
  });
}

/** Connects to 127.0.0.1:port (from localPort if given). */
export function hostConnect(port: number, opts: { localPort?: number; allowHalfOpen?: boolean } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localPort: opts.localPort, allowHalfOpen: opts.allowHalfOpen });
    s.once('error', reject);
    s.once('connect', () => { s.off('error', reject); s.on('error', () => {}); resolve(s); });
  });
}

/** The next `data` chunk of a socket. */
export function nextData(s: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('socket closed while waiting for data'));
    s.once('close', onClose);
    s.once('data', (b: Buffer) => { s.off('close', onClose); resolve(b); });
  });
}

/** Resolves when the socket has closed (reading whatever still arrives, so the peer's FIN is seen). */
export function closed(s: Socket): Promise<void> {
  s.resume();
  return new Promise((r) => (s.closed ? r() : s.once('close', () => r())));
}

// ---- CLI clients fed line by line ----

/** A command whose stdin the test writes to over time (e.g. `mariadb` or `psql` reading SQL). */
export class LineFedProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    this.child.stdout!.on('data', (b: Buffer) => (this.stdout += b.toString()));
    this.child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((r) => {
      this.child.once('close', (code) => r(code));
      this.child.once('error', (e) => { this.stderr += String(e); r(null); });
    });
  }

  write(line: string): void {
    this.child.stdin!.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** Waits until stdout contains `text` (or fails after timeoutMs with what it printed). */
  async waitFor(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await delay(20);
    }
  }

  /** Closes stdin and waits for the exit (killed after timeoutMs). */
  async end(timeoutMs = 10_000): Promise<number | null> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
