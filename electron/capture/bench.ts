/**
 * Capture benchmark: steady UDP traffic on loopback at given rates, captured by each backend
 * while a reference tcpdump captures the same packets. Reports packets received against
 * tcpdump's count (loss %) and, for `cap`, the timestamp error against tcpdump's kernel
 * timestamps of the same packets (matched by the sequence number each datagram carries).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LiveCapture } from './live-session';
import { CaptureStreamParser } from './pcap-stream';
import { findTool } from './permission';
import type { BackendName } from './types';

export interface CaptureBenchOptions {
  readonly rates?: readonly number[];
  readonly seconds?: number;
  readonly backends?: readonly BackendName[];
  readonly bufferMiB?: number;
  readonly log?: (line: string) => void;
}

export interface CaptureBenchResult {
  readonly backend: BackendName;
  readonly targetRate: number;
  /** Packets per second actually sent (by tcpdump's count over the send time). */
  readonly achievedRate: number;
  readonly sent: number;
  readonly reference: number;
  readonly received: number;
  /** (reference - received) / reference, in percent (negative: we saw more than tcpdump). */
  readonly lossPercent: number;
  readonly backendDropped: number | null;
  /** |our timestamp - tcpdump's| over matched packets, microseconds (cap only). */
  readonly tsErrorMedianUs?: number;
  readonly tsErrorP99Us?: number;
}

const RUN_TS = fileURLToPath(new URL('./run-ts.mjs', import.meta.url));
const HEADER = 14 + 20 + 8; // Ethernet (lo) + IPv4 + UDP

/** Sequence number → timestamp (ns) of every bench datagram in a capture file. */
function readSeqTimes(file: string, port: number): Map<number, bigint> {
  const out = new Map<number, bigint>();
  const p = new CaptureStreamParser();
  p.push(readFileSync(file), (f) => {
    if (f.data.length < HEADER + 4 || f.linkType !== 1) return;
    const d = Buffer.from(f.data.buffer, f.data.byteOffset, f.data.length);
    if (d.readUInt16BE(12) !== 0x0800 || d[23] !== 17 || d.readUInt16BE(36) !== port) return;
    out.set(d.readUInt32BE(HEADER), BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec));
  });
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : 0)); });
  });
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
}

/**
 * The reference tcpdump reads the kernel ring a block at a time (not --immediate-mode): its
 * timestamps are the kernel's either way, its 64 MiB of 128-byte snapshots hold seconds of
 * traffic, and it takes far less CPU than a wake-up per packet — CPU that, on a 2-core machine,
 * the capture being measured needs (measured, cap at 100k/s, 3 runs each: 0.28-0.48 % lost
 * beside an immediate-mode reference; 0.02, 0.03 and 0.56 % beside this one). Its last block
 * reaches the file up to REFERENCE_HOLD_MS after the packet: the bench waits that long first.
 */
const REFERENCE_HOLD_MS = 1000;

async function startReference(file: string, port: number, bufferMiB: number): Promise<() => Promise<void>> {
  const tcpdump = findTool('tcpdump');
  if (!tcpdump) throw new Error('tcpdump is not installed (Debian/Ubuntu: sudo apt-get install tcpdump)');
  const args = ['-i', 'lo', '-n', '-B', String(bufferMiB * 1024), '-s', '128', '--time-stamp-precision=nano', '-w', file];
  if (process.getuid?.() === 0) args.push('-Z', 'root');
  args.push(`udp dst port ${port}`);
  const child = spawn(tcpdump, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`reference tcpdump did not start:\n${err}`)), 15_000);
    child.stderr.on('data', (b: Buffer) => { err += b; if (err.includes('listening on')) { clearTimeout(t); resolve(); } });
    void closed.then(() => { clearTimeout(t); reject(new Error(`reference tcpdump exited:\n${err}`)); });
  });
  return async () => { child.kill('SIGINT'); await closed; };
}

function runSender(port: number, rate: number, seconds: number): Promise<{ sent: number; elapsed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_TS, 'bench-sender.ts', String(port), String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b; });
    child.once('error', reject);
    child.once('close', (code) => {
      const [sent, elapsed] = out.trim().split(/\s+/).map(Number);
      if (code !== 0 || !sent) reject(new Error(`bench sender failed (status ${code})`));
      else resolve({ sent, elapsed: elapsed ?? seconds });
    });
  });
}

export async function runCaptureBench(o: CaptureBenchOptions = {}): Promise<CaptureBenchResult[]> {
  const rates = o.rates ?? [20_000, 100_000];
  const seconds = o.seconds ?? 10;
  const backends = o.backends ?? ['cap', 'dumpcap', 'tcpdump'];
  const bufferMiB = o.bufferMiB ?? 64;
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const dir = mkdtempSync(join(tmpdir(), 'dbwire-capture-bench-'));
  const results: CaptureBenchResult[] = [];
  try {
    for (const rate of rates) {
      for (const backend of backends) {
        const port = await freePort();
        const refFile = join(dir, `ref-${backend}-${rate}.pcap`);
        const spool = join(dir, `ours-${backend}-${rate}.pcapng`);
        const stopRef = await startReference(refFile, port, bufferMiB);
        const live = await LiveCapture.start({ iface: 'lo', backend, filter: `udp dst port ${port}`, bufferMiB, spoolPath: spool, decode: false, attributeProcesses: false });
        const { sent, elapsed } = await runSender(port, rate, seconds);
        // Time for every capture to deliver the last packets (the reference's block timeout, and
        // dumpcap's and tcpdump's, whose stop() waits its own as well).
        await new Promise((r) => setTimeout(r, REFERENCE_HOLD_MS + 500));
        const end = await live.stop();
        await stopRef();
        const ref = readSeqTimes(refFile, port);
        const ours = readSeqTimes(spool, port);
        const r: CaptureBenchResult = {
          backend, targetRate: rate, achievedRate: Math.round(ref.size / elapsed), sent, reference: ref.size, received: ours.size,
          lossPercent: ref.size ? (100 * (ref.size - ours.size)) / ref.size : 0, backendDropped: end.stats.dropped,
          ...(backend === 'cap' ? tsError(ours, ref) : {}),
        };
        results.push(r);
        log(formatResult(r));
        rmSync(refFile, { force: true });
        rmSync(spool, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function tsError(ours: Map<number, bigint>, ref: Map<number, bigint>): { tsErrorMedianUs: number; tsErrorP99Us: number } {
  const errs: number[] = [];
  for (const [seq, t] of ours) {
    const r = ref.get(seq);
    if (r !== undefined) errs.push(Math.abs(Number(t - r)) / 1000);
  }
  errs.sort((a, b) => a - b);
  return { tsErrorMedianUs: percentile(errs, 0.5), tsErrorP99Us: percentile(errs, 0.99) };
}

export function formatResult(r: CaptureBenchResult): string {
  const ts = r.tsErrorMedianUs !== undefined ? `  ts error median ${r.tsErrorMedianUs.toFixed(1)} µs, p99 ${r.tsErrorP99Us!.toFixed(1)} µs` : '';
  return `capture ${r.backend.padEnd(7)} target ${r.targetRate}/s (achieved ${r.achievedRate}/s): sent ${r.sent}, tcpdump ${r.reference}, ` +
    `received ${r.received}, loss ${r.lossPercent.toFixed(3)}%${r.backendDropped !== null ? `, backend dropped ${r.backendDropped}` : ''}${ts}`;
}
