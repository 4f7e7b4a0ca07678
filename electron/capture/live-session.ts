/**
 * A running live capture as the engine sees it: forks the capture process, tails the spool it
 * writes, and decodes new packets as they land (dissection, transactions, connections and their
 * verdicts, process owners), so everything is available within a fraction of a second. Reusable
 * by the CLI, the service API and tests; holds no per-packet state beyond what the analysis keeps.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Transaction } from '../../shared/api/types';
import { DissectSession } from '../engine/decode/session';
import { dissectFrame, type Dissected, type FrameInput } from '../engine/decode/dissect';
import { TransactionTracker } from '../engine/analysis/transactions';
import { ConnectionTracker } from '../engine/analysis/connections/tracker';
import { buildReport, type ConnectionsReport } from '../engine/analysis/connections/report';
import { CaptureStreamParser, type StreamFrame } from './pcap-stream';
import { ProcessMap } from './process-map';
import { CaptureFailure } from './failure';
import { newSpoolPath } from './spool-dir';
import { forkLauncher, type CaptureChild, type CaptureLauncher } from './launcher';
import type { BackendName, CaptureConfig, CaptureMessage, SshTarget, StopConditions } from './types';

export interface LiveCaptureOptions {
  readonly iface: string;
  readonly filter?: string;
  readonly backend?: BackendName;
  readonly ssh?: SshTarget;
  /** Kernel capture buffer (MiB); default 64. */
  readonly bufferMiB?: number;
  readonly stop?: StopConditions;
  /** Where to spool; default a new file in the spool directory. */
  readonly spoolPath?: string;
  readonly decodeAs?: ReadonlyMap<number, string>;
  /** Spool flush interval in the capture process (ms); default 100. */
  readonly flushMs?: number;
  /** Attribute local TCP endpoints to processes (Linux, local captures); default true there. */
  readonly attributeProcesses?: boolean;
  /** Decode as packets arrive (default true); false only spools and counts (benchmarks). */
  readonly decode?: boolean;
  /** Starts the capture process (default: a forked Node process). */
  readonly launcher?: CaptureLauncher;
}

export interface LiveStats {
  /** Packets decoded here so far. */
  readonly decoded: number;
  /** Packets in the spool (flushed) and the spool's complete size. */
  readonly spooled: number;
  readonly spoolBytes: number;
  /** What the backend saw and dropped (null: the backend does not say). */
  readonly received: number;
  readonly dropped: number | null;
  readonly ratePerSec: number;
  readonly running: boolean;
}

export interface LiveEnd {
  readonly reason: string;
  readonly stats: LiveStats;
  readonly spoolPath: string;
}

const READ_CHUNK = 4 * 1024 * 1024;
const STOP_TIMEOUT_MS = 10_000;
const STATS_EVERY_MS = 250;
const ATTRIBUTE_EVERY_MS = 250;

export class LiveCapture {
  readonly spoolPath: string;
  backend = '';
  linkType: number | null = null;
  readonly session: DissectSession;
  readonly transactionsTracker = new TransactionTracker();
  readonly connectionsTracker: ConnectionTracker;
  /** Each decoded packet, in order. `frame.data` is the packet's own copy. */
  onFrame: ((d: Dissected, frame: FrameInput) => void) | null = null;
  /** After each batch of decoded packets (a good moment to flush output). */
  onBatch: (() => void) | null = null;
  /** Counters, a few times a second while running, and once at the end. */
  onStats: ((s: LiveStats) => void) | null = null;
  /** Each time the capture process says how far the spool is complete (bytes). */
  onSpooled: ((spoolBytes: number) => void) | null = null;
  readonly ended: Promise<LiveEnd>;

  private readonly child: CaptureChild;
  private readonly parser = new CaptureStreamParser();
  private readonly processes: ProcessMap | null;
  private fd = -1;
  private readOffset = 0;
  private spoolBytes = 0;
  private spooled = 0;
  private received = 0;
  private dropped: number | null = null;
  private decoded = 0;
  private running = true;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private readBuf = Buffer.allocUnsafe(READ_CHUNK);
  private rate = { at: Date.now(), received: 0, perSec: 0 };
  private lastStats = 0;
  private lastAttribution = 0;
  private attributionTimer: NodeJS.Timeout | null = null;
  private readonly unattributed = new Map<number, number>();
  private readonly decodeLive: boolean;
  private stderr = '';
  private resolveEnd!: (e: LiveEnd) => void;
  private endReason = '';

  private constructor(opts: LiveCaptureOptions, started: (err: CaptureFailure | null) => void) {
    this.spoolPath = opts.spoolPath ?? newSpoolPath(opts.ssh ? `${opts.ssh.destination}-${opts.iface}` : opts.iface);
    this.session = new DissectSession({
      decodeAs: opts.decodeAs,
      onTcp: (h, r) => this.connectionsTracker.onTcp(h, r),
      onEvent: (e, m) => { this.transactionsTracker.onEvent(e, m); this.connectionsTracker.onEvent(e, m); },
    });
    this.connectionsTracker = new ConnectionTracker(new Set(opts.decodeAs?.keys() ?? []));
    const local = !opts.ssh && process.platform === 'linux';
    this.processes = (opts.attributeProcesses ?? local) && local ? new ProcessMap() : null;
    this.ended = new Promise((r) => { this.resolveEnd = r; });
    this.decodeLive = opts.decode ?? true;

    const config: CaptureConfig = {
      iface: opts.iface, filter: opts.filter ?? '', backend: opts.backend ?? 'cap', ssh: opts.ssh,
      bufferMiB: opts.bufferMiB ?? 64, stop: opts.stop ?? {}, spoolPath: this.spoolPath, flushMs: opts.flushMs ?? 100,
    };
    this.child = (opts.launcher ?? forkLauncher)(config);
    this.child.onStderr((s) => { this.stderr = (this.stderr + s).slice(-8192); });
    let isStarted = false;
    this.child.onMessage((m: CaptureMessage) => {
      if (m.type === 'started') {
        isStarted = true;
        this.backend = m.backend;
        this.linkType = m.linkType;
        this.startAttribution();
        started(null);
      } else if (m.type === 'failed') {
        if (!isStarted) started(new CaptureFailure(m.kind, m.message, m.fix));
        else this.endReason = `failed: ${m.message}`;
      } else {
        this.counters(m);
        if (m.type === 'stopped') this.endReason = m.reason;
        this.onSpooled?.(this.spoolBytes);
        if (this.decodeLive) void this.drain();
      }
    });
    this.child.onExit((code, signal) => {
      if (!isStarted) {
        started(new CaptureFailure('backend', `the capture process exited (${signal ?? `status ${code}`}) before capturing${this.stderr ? ':\n' + this.stderr.trim() : ''}`));
      }
      void this.finish(signal ? `capture process killed by ${signal}` : this.endReason || `capture process exited with status ${code}`);
    });
  }

  /** Forks the capture process; resolves once it captures, rejects with a CaptureFailure. */
  static start(opts: LiveCaptureOptions): Promise<LiveCapture> {
    return new Promise((resolve, reject) => {
      const lc: LiveCapture = new LiveCapture(opts, (err) => (err ? reject(err) : resolve(lc)));
    });
  }

  /** The capture process's pid (tests kill it to prove the spool survives). */
  get capturePid(): number | undefined { return this.child.pid; }

  stats(): LiveStats {
    return {
      decoded: this.decoded, spooled: this.spooled, spoolBytes: this.spoolBytes, received: this.received, dropped: this.dropped,
      ratePerSec: this.rate.perSec, running: this.running,
    };
  }

  transactions(): Transaction[] {
    return this.transactionsTracker.snapshot();
  }

  connections(): ConnectionsReport {
    return buildReport(this.connectionsTracker.records.values(), this.transactionsTracker.snapshot(), this.connectionsTracker.captureEnd);
  }

  /** Asks the capture process to stop (it flushes the spool); resolves when everything is decoded. */
  stop(): Promise<LiveEnd> {
    if (this.running && this.child.connected) {
      this.child.send({ type: 'stop' });
      const t = setTimeout(() => this.child.kill(), STOP_TIMEOUT_MS);
      void this.ended.then(() => clearTimeout(t));
    }
    return this.ended;
  }

  private counters(m: Extract<CaptureMessage, { type: 'progress' | 'stopped' }>): void {
    this.spoolBytes = Math.max(this.spoolBytes, m.spoolBytes);
    this.spooled = m.packets;
    this.received = m.received;
    this.dropped = m.dropped;
    const now = Date.now();
    if (now - this.rate.at >= 1000) {
      this.rate = { at: now, received: m.received, perSec: ((m.received - this.rate.received) * 1000) / (now - this.rate.at) };
    }
    if (now - this.lastStats >= STATS_EVERY_MS) { this.lastStats = now; this.onStats?.(this.stats()); }
  }

  /** Reads the spool up to its complete size and decodes what is new. One drain at a time. */
  private drain(): Promise<void> {
    if (this.draining) { this.drainAgain = true; return this.draining; }
    this.draining = this.drainLoop().finally(() => { this.draining = null; });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    // Yield first: an async function with nothing to await would finish (and clear `draining`)
    // before drain() assigned it.
    await Promise.resolve();
    do {
      this.drainAgain = false;
      if (this.fd < 0) {
        try { this.fd = openSync(this.spoolPath, 'r'); } catch { break; }
      }
      while (this.readOffset < this.spoolBytes) {
        const n = readSync(this.fd, this.readBuf, 0, Math.min(READ_CHUNK, this.spoolBytes - this.readOffset), this.readOffset);
        if (n <= 0) break;
        this.readOffset += n;
        try {
          this.parser.push(this.readBuf.subarray(0, n), (f) => this.decode(f));
        } catch (e) {
          this.endReason = `spool unreadable: ${(e as Error).message}`;
          this.readOffset = this.spoolBytes = Number.MAX_SAFE_INTEGER;
        }
        this.attribute(false);
        this.onBatch?.();
        // Let IPC messages and timers in between chunks of a large backlog.
        await new Promise((r) => setImmediate(r));
      }
    } while (this.drainAgain);
  }

  private decode(f: StreamFrame): void {
    const frame: FrameInput = {
      num: ++this.decoded, tsSec: f.tsSec, tsNsec: f.tsNsec, capLen: f.capLen, origLen: f.origLen, linkType: f.linkType,
      iface: f.iface, ifaceName: this.parser.interfaces[f.iface]?.name, data: Uint8Array.prototype.slice.call(f.data),
    };
    const d = dissectFrame(this.session, frame);
    this.onFrame?.(d, frame);
  }

  private startAttribution(): void {
    if (!this.processes || !this.decodeLive) return;
    this.processes.refresh();
    // Refreshed on a timer too, so a connection that closes quickly is seen while it exists.
    this.attributionTimer = setInterval(() => { this.processes!.refresh(); this.lastAttribution = Date.now(); this.attribute(false); }, ATTRIBUTE_EVERY_MS);
    this.attributionTimer.unref();
  }

  /** Sets ConnRecord.process for connections with a local, known owner (client end preferred). */
  private attribute(final: boolean): void {
    const pm = this.processes;
    if (!pm) return;
    let missing = false;
    for (const c of this.connectionsTracker.records.values()) {
      if (c.process || !c.clientKey) continue;
      const owner = pm.lookup(c.clientKey, c.clientPort) ?? pm.lookup(c.serverKey, c.serverPort);
      if (owner) { c.process = { pid: owner.pid, name: owner.name }; this.unattributed.delete(c.stream); continue; }
      // Give up on an endpoint after a few refreshes (not local, or gone before we looked).
      const tries = (this.unattributed.get(c.stream) ?? 0) + 1;
      if (tries > 8) continue;
      this.unattributed.set(c.stream, tries);
      missing = true;
    }
    if (missing && !final && Date.now() - this.lastAttribution >= ATTRIBUTE_EVERY_MS) {
      this.lastAttribution = Date.now();
      pm.refresh();
      this.attribute(true);
    }
  }

  private async finish(reason: string): Promise<void> {
    if (!this.running) return;
    // The spool may hold more than the last message said (or the process died): read to its end.
    if (this.decodeLive) {
      try {
        if (this.fd < 0) this.fd = openSync(this.spoolPath, 'r');
        this.spoolBytes = Math.max(this.spoolBytes, fstatSync(this.fd).size);
      } catch { /* never created */ }
      await this.drain();
    }
    this.running = false;
    if (this.attributionTimer) clearInterval(this.attributionTimer);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.readBuf = Buffer.alloc(0);
    this.endReason = reason;
    const stats = this.stats();
    this.onStats?.(stats);
    this.resolveEnd({ reason, stats, spoolPath: this.spoolPath });
  }
}
