/**
 * Backends that run a capture tool writing pcap/pcapng to stdout: local dumpcap or tcpdump, or
 * tcpdump on another host over ssh. The tools carry kernel timestamps and report drops on exit.
 *
 * Stopping: stop() first waits the tool's hold time (its read timeout, so the last partly filled
 * ring block is written), then asks the tool to finish: SIGINT to a local tool; for ssh, it closes
 * ssh's stdin, and the remote shell that watches it stops tcpdump (see sshCommand). Either way the
 * tool writes what it still has and its statistics, then exits; SIGKILL only if it has not after
 * STOP_TIMEOUT_MS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CaptureStreamParser } from '../pcap-stream';
import { CaptureFailure, classifyCaptureError } from '../failure';
import { Fifo, FifoPoller } from '../fifo';
import { findTool, permissionFix } from '../permission';
import type { SshTarget } from '../types';
import type { CaptureBackend, PacketSink } from './backend';

export interface ToolCommand {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  /** stderr text that means "capturing now". */
  readonly ready: RegExp;
  /**
   * Longest the tool may hold a captured packet before writing it: its libpcap read timeout, after
   * which the kernel hands over a partly filled ring block. A tool stopped sooner loses that block
   * (measured: 5 packets sent 50 ms before SIGINT, 0 written, with both tools), so stop() waits this long first.
   */
  readonly holdMs: number;
  /**
   * Stopped by closing its stdin (a pipe, held open until then) instead of SIGINT: the ssh
   * backend, whose remote side stops tcpdump when the channel's input ends.
   */
  readonly stopOnEof?: boolean;
}

const SNAPLEN = 262144;
/** dumpcap's read timeout (CAP_READ_TIMEOUT in Wireshark's capture loop). */
const DUMPCAP_HOLD_MS = 250;
/** tcpdump's read timeout, fixed at 1 s (it has no option for it). */
const TCPDUMP_HOLD_MS = 1000;

export function dumpcapCommand(iface: string, filter: string, bufferMiB: number): ToolCommand {
  const cmd = findTool('dumpcap');
  if (!cmd) throw new CaptureFailure('missing-tool', 'dumpcap is not installed (Debian/Ubuntu: sudo apt-get install tshark)');
  const args = ['-i', iface, '-w', '-', '-q', '-s', String(SNAPLEN), '-B', String(Math.max(1, Math.round(bufferMiB)))];
  if (filter) args.push('-f', filter);
  return { name: 'dumpcap', cmd, args, ready: /^Capturing on /m, holdMs: DUMPCAP_HOLD_MS };
}

/**
 * Not --immediate-mode, on purpose (as dumpcap, and tcpdump's own default with -w). In immediate
 * mode libpcap uses TPACKET_V2, a ring of fixed-size frames of the snapshot length clamped to
 * MTU + 18: ~64 KiB each on lo (MTU 65536) or with offloads on, so -B 64 MiB holds 1023 packets
 * (half of that on lo, which queues every packet twice), a few ms at 100k packets/s — measured:
 * ~0.5 % dropped by the kernel at 100k/s on lo on an idle 2-core machine, even writing to
 * /dev/null. Without it, TPACKET_V3 packs packets into 256 KiB blocks: the same 64 MiB holds
 * ~400k small packets, and nothing was dropped. The price: a block reaches tcpdump when full or
 * after its 1 s read timeout, so on a quiet link a packet shows up to 1 s late (the spool and the
 * live view follow), and stop() waits that long so the last block is not lost. -U still writes
 * each packet as soon as tcpdump has it.
 */
function tcpdumpArgs(iface: string, filter: string, bufferMiB: number): string[] {
  const args = ['-i', iface, '-U', '-w', '-', '-s', String(SNAPLEN), '-B', String(Math.max(1, Math.round(bufferMiB * 1024)))];
  if (filter) args.push(filter);
  return args;
}

export function tcpdumpCommand(iface: string, filter: string, bufferMiB: number): ToolCommand {
  const cmd = findTool('tcpdump');
  if (!cmd) throw new CaptureFailure('missing-tool', 'tcpdump is not installed (Debian/Ubuntu: sudo apt-get install tcpdump)');
  return { name: 'tcpdump', cmd, args: tcpdumpArgs(iface, filter, bufferMiB), ready: /listening on /m, holdMs: TCPDUMP_HOLD_MS };
}

/** Quotes one word for the remote POSIX shell that runs ssh's command. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * What the remote user's login shell runs (one line, no single quote: any login shell that knows
 * `exec` and '...' can pass it on): a POSIX sh with this script, tcpdump's words as "$@".
 *
 * Why not just `tcpdump ...`: when ssh goes away, nothing tells a remote tcpdump (no pty, so no
 * SIGHUP); it only dies of SIGPIPE at its next write, which on a quiet filter may be never — an
 * orphan capture on the database host. So the shell keeps ssh's stdin (fd 3), runs tcpdump in the
 * background (stdin /dev/null), and a watcher blocks reading fd 3. stop() closes ssh's stdin; ssh
 * sends EOF, the read returns, and the watcher sends SIGTERM to its process group (sshd made the
 * session its own; `exec` keeps the login shell out of it). tcpdump writes its last packets and
 * its statistics and exits, the shell exits with tcpdump's status, the channel closes, ssh exits.
 * The same EOF comes when the ssh connection drops or the local ssh is killed: sshd closes the
 * shell's stdin, so the remote tcpdump does not outlive its session in any case. If tcpdump exits
 * on its own (bad filter, no permission), the shell kills the watcher and exits with its status,
 * and its error reaches us on stderr as before.
 *
 * Signalling the group rather than a pid: it reaches tcpdump under sudo too, where `$!` is sudo.
 * The user cannot signal sudo (root), and sudo would not relay it anyway (it ignores signals from
 * its parent's process group, which the watcher is in). So with sudo, tcpdump is told `-Z <remote
 * user>`: after opening the capture device it drops root for that user, which may then signal it;
 * this needs no sudo rights beyond tcpdump (`sudo -n kill` would). The shell and the watcher ignore
 * the SIGTERM (the trap comes after tcpdump starts, so tcpdump keeps its own handler); sudo stays
 * out of it (no permission, or it ignores the sender) and exits when tcpdump does. Out of reach:
 * a sudo that logs I/O (log_output) runs tcpdump in a session of its own; that one still stops
 * only at its next packet after ssh is gone.
 */
function remoteScript(sudo: boolean): string {
  return [
    'exec 3<&0 </dev/null',
    `${sudo ? 'sudo -n tcpdump -Z "$(id -un)"' : 'tcpdump'} "$@" 3<&- & t=$!`,
    'trap "" TERM',
    '{ read line <&3; kill -TERM 0; } & w=$!',
    'exec 3<&-',
    'wait $t; s=$?',
    'kill -KILL $w 2>/dev/null',
    'exit $s',
  ].join('; ');
}

/**
 * `ssh [-p port] [user@]host exec sh -c SCRIPT dbwire-capture -i IF -U -w - ... FILTER`, key-based,
 * never prompting, stdin kept open as the stop signal (see remoteScript). Every word is quoted for
 * the remote shell: the interface and filter reach tcpdump as they are, never as shell code.
 */
export function sshCommand(target: SshTarget, iface: string, filter: string, bufferMiB: number): ToolCommand {
  const cmd = findTool('ssh');
  if (!cmd) throw new CaptureFailure('missing-tool', 'ssh is not installed (Debian/Ubuntu: sudo apt-get install openssh-client)');
  if (!target.destination || target.destination.startsWith('-')) throw new CaptureFailure('backend', `bad ssh destination "${target.destination}"`);
  const args = ['-T', '-e', 'none', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', '-o', 'ServerAliveInterval=15'];
  if (target.port) args.push('-p', String(target.port));
  if (target.identity) args.push('-i', target.identity, '-o', 'IdentitiesOnly=yes');
  for (const o of target.options ?? []) args.push('-o', o);
  const remote = ['exec', 'sh', '-c', remoteScript(!!target.sudo), 'dbwire-capture', ...tcpdumpArgs(iface, filter, bufferMiB)].map(shellQuote).join(' ');
  args.push(target.destination, remote);
  return { name: `ssh ${target.destination}`, cmd, args, ready: /listening on /m, holdMs: TCPDUMP_HOLD_MS, stopOnEof: true };
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
/**
 * Added to the tool's hold time: timer slack, and the tool being scheduled to read the retired
 * block and write it to us. 100 ms lost all 25 last packets of dumpcap once on a loaded machine.
 */
const HOLD_MARGIN_MS = 300;

export class StreamBackend implements CaptureBackend {
  readonly name: string;
  onEnd: ((error: Error | null) => void) | null = null;
  private child: ChildProcess | null = null;
  private readonly parser = new CaptureStreamParser();
  private readonly ifaceMap: number[] = [];
  private stderr = '';
  private closed: Promise<void> | null = null;
  private stopping = false;
  private streamError: Error | null = null;

  constructor(private readonly command: ToolCommand, private readonly sink: PacketSink) {
    this.name = command.name;
  }

  start(): Promise<void> {
    const { cmd, args, ready } = this.command;
    // The tool's output through a polled FIFO where there is one (see fifo.ts), else its stdout.
    const fifo = Fifo.open();
    let child: ChildProcess;
    try {
      // Its own process group: a Ctrl-C in the terminal must reach only the capture process, which
      // stops the tool after its hold time; the tool interrupted at once would lose its last block.
      child = spawn(cmd, args, { stdio: [this.command.stopOnEof ? 'pipe' : 'ignore', fifo ? fifo.writeFd : 'pipe', 'pipe'], detached: true });
    } catch (e) {
      fifo?.close();
      throw e;
    }
    fifo?.closeWriteEnd(); // the child has its copy; ours would keep EOF from ever coming
    child.stdin?.on('error', () => { /* EPIPE once the child has gone: it is stopping anyway */ });
    this.child = child;
    const poller = fifo ? new FifoPoller(fifo.readFd, (chunk) => this.onData(chunk)) : null;
    let exited = false;
    this.closed = new Promise((resolve) => child.once('close', () => {
      exited = true;
      // The tool has exited: what it wrote is all in the FIFO now; read it before anyone is told.
      if (poller) {
        try { poller.drain(true); } catch { /* a broken pipe ends the stream the same way */ }
        poller.close();
      }
      resolve();
    }));
    child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    const stderr = child.stderr!; // stdio[2] is 'pipe'
    stderr.setEncoding('utf8');
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const fail = (text: string) => {
        const kind = classifyCaptureError(text);
        reject(new CaptureFailure(kind, `${this.name}: ${text.trim() || 'exited before capturing'}`, kind === 'permission' ? this.fixFor() : undefined));
      };
      const timer = setTimeout(() => { if (!started) { child.kill('SIGKILL'); fail(`did not start capturing within ${START_TIMEOUT_MS / 1000} s\n${this.stderr}`); } }, START_TIMEOUT_MS);
      child.once('error', (e) => { clearTimeout(timer); fail(e.message); });
      stderr.on('data', (s: string) => {
        // Keep only the tail: a long capture must not grow this string without bound.
        this.stderr = (this.stderr + s).slice(-16384);
        if (!started && ready.test(this.stderr)) { started = true; clearTimeout(timer); resolve(); }
      });
      void this.closed!.then(() => {
        clearTimeout(timer);
        if (!started) fail(this.stderr.replace(/^Running as user .*dangerous\.?\s*$/m, ''));
        else if (!this.stopping) this.onEnd?.(this.streamError ?? (child.exitCode ? new Error(`${this.name} exited with status ${child.exitCode}: ${this.stderr.trim().split('\n').slice(-3).join(' ')}`) : null));
      });
      void exited;
    });
  }

  private fixFor(): string {
    return this.command.name.startsWith('ssh') ? 'Use a key-based login (ssh-copy-id) for the remote user; to run tcpdump through sudo, allow it without a password (NOPASSWD) for that user, or capture as a user allowed to run tcpdump.' : permissionFix();
  }

  private onData(chunk: Buffer): void {
    if (this.streamError) return;
    try {
      this.parser.push(chunk, (f) => {
        let idx = this.ifaceMap[f.iface];
        if (idx === undefined) {
          const ifc = this.parser.interfaces[f.iface]!;
          idx = this.sink.addInterface({ linkType: ifc.linkType, snapLen: ifc.snapLen, name: ifc.name });
          this.ifaceMap[f.iface] = idx;
        }
        this.sink.packet(idx, f.tsSec, f.tsNsec, f.data, f.origLen);
      });
    } catch (e) {
      this.streamError = e as Error;
      this.child?.kill('SIGKILL');
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.closed) return;
    this.stopping = true;
    const running = () => child.exitCode === null && child.signalCode === null;
    if (running()) {
      // Everything captured before this call reaches us within the tool's hold time.
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([this.closed, new Promise<void>((r) => { wait = setTimeout(r, this.command.holdMs + HOLD_MARGIN_MS); })]);
      clearTimeout(wait);
    }
    if (running()) {
      // Finish now: the tool writes what it still holds and its statistics, then exits.
      if (this.command.stopOnEof) child.stdin?.end();
      else child.kill('SIGINT');
    }
    const t = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.closed;
    clearTimeout(t);
  }

  /** From the tool's closing statistics, or the pcapng statistics block; null if neither said. */
  dropped(): number | null {
    const tcpdump = /(\d+) packets? dropped by kernel/.exec(this.stderr);
    if (tcpdump) return Number(tcpdump[1]);
    const dumpcap = /Packets received\/dropped on interface .*: \d+\/(\d+)/.exec(this.stderr);
    if (dumpcap) return Number(dumpcap[1]);
    return this.parser.dropped;
  }

  /** The tool's last words (for error reports). */
  get stderrTail(): string { return this.stderr; }
}
