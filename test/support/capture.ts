// Real packet capture on the loopback interface with tcpdump.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { testOutputPath } from './paths';
import { isProcessAlive } from './processes';
import { delay, settlesWithin } from './timing';

export interface CaptureOptions {
  /** TCP ports to capture (either direction). */
  ports: number[];
  /** Output pcap: absolute, or relative to test-output/. Defaults to a unique name there. */
  file?: string;
  /** Bytes kept per packet (tcpdump -s); default 65550, the largest loopback frame (MTU 65536 + 14). */
  snaplen?: number;
  /** Capture on the loopback of this network namespace (test/support/netns.ts) instead of the host's. */
  netns?: string;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
let captureCounter = 0;

let swept = false;

/** Removes default-named captures of earlier test processes (kept until then for inspection). */
function sweepOldCaptures(): void {
  if (swept) return;
  swept = true;
  for (const name of readdirSync(testOutputPath())) {
    const m = /^capture-(\d+)-\d+-\d+\.pcap$/.exec(name);
    if (m && !isProcessAlive(Number(m[1]))) rmSync(testOutputPath(name), { force: true });
  }
}

/** Waits until the file has stopped growing for `quietMs` (or `maxMs` passed). */
async function waitForQuiet(file: string, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let size = existsSync(file) ? statSync(file).size : 0;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await delay(50);
    const now = existsSync(file) ? statSync(file).size : 0;
    if (now !== size) {
      size = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) return;
  }
}

/**
 * Captures TCP traffic to/from `ports` on `lo` while `run()` executes; returns the pcap path.
 * tcpdump runs packet-buffered (-U) in immediate mode, so every packet reaches the file before it
 * is stopped; a capture in which the kernel dropped packets is an error.
 */
export async function captureWhile(opts: CaptureOptions, run: () => Promise<void>): Promise<string> {
  if (opts.ports.length === 0) throw new Error('captureWhile: no ports given');
  sweepOldCaptures();
  const file = testOutputPath(opts.file ?? `capture-${process.pid}-${Date.now()}-${++captureCounter}.pcap`);
  mkdirSync(dirname(file), { recursive: true });
  const filter = opts.ports.map((p) => `tcp port ${p}`).join(' or ');
  // -Z root: Debian's tcpdump otherwise switches to user tcpdump and may not be able to write FILE.
  // -B 64 MiB and -s 65550: in immediate mode libpcap sizes each ring slot by the snap length, so
  // 262144 would leave only 256 slots and a burst on a busy machine overflows them (seen in CI).
  // 65550 keeps whole loopback frames (MTU 65536 + 14) and gives ~1000 slots.
  const args = ['-i', 'lo', '-n', '-U', '--immediate-mode', '-B', '65536', '-s', String(opts.snaplen ?? 65550), '-w', file];
  if (process.getuid?.() === 0) args.push('-Z', 'root');
  args.push(filter);

  // `ip netns exec` execs tcpdump in place, so signals reach tcpdump itself.
  const child = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, 'tcpdump', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  const exit = new Promise<number | null>((r) => {
    child.once('exit', (code) => {
      exited = true;
      r(code);
    });
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new Error('tcpdump is not installed: install tcpdump (run: node test/support/prereqs.mjs)') : e),
    ),
  );
  spawnError.catch(() => {});
  const listening = new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start capturing within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`)), START_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (code ${code}) before capturing:\n${stderr}`));
    });
  });
  try {
    await Promise.race([listening, spawnError]);
  } catch (err) {
    if (!exited) child.kill('SIGKILL');
    throw err;
  }

  let runError: unknown = null;
  try {
    await run();
  } catch (err) {
    runError = err;
  }
  // The last packets (FIN/ACKs of connections just closed) still have to pass through tcpdump.
  await waitForQuiet(file, 250, 2000);
  child.kill('SIGINT');
  const timedOut = !(await settlesWithin(exit, STOP_TIMEOUT_MS));
  if (timedOut) {
    child.kill('SIGKILL');
    await exit;
  }
  if (runError !== null) throw runError;
  if (timedOut) throw new Error(`tcpdump did not stop on SIGINT within ${STOP_TIMEOUT_MS / 1000} s`);
  const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
  if (dropped && Number(dropped[1]) > 0) throw new Error(`tcpdump: the kernel dropped ${dropped[1]} packets; capture ${file} is incomplete:\n${stderr}`);
  if (!existsSync(file)) throw new Error(`tcpdump wrote no file ${file}:\n${stderr}`);
  return file;
}
