/**
 * The CaptureProvider over electron/capture/: lists interfaces with permission state, checks the
 * capture filter and the rights before starting, runs the capture process (forked, or through an
 * injected launcher in Electron), and lets the service follow the spool as it grows. Decoding is
 * the session engine's job: the capture here only spools and counts.
 */
import type { CaptureInterfaceInfo, CaptureRequest, CaptureStats } from '../../shared/api/types';
import { ApiInputError } from '../../shared/api/validate';
import { chooseBackend } from '../capture/choose-backend';
import { CaptureFailure } from '../capture/failure';
import { checkCaptureFilter } from '../capture/filter-check';
import { listInterfaces } from '../capture/interfaces';
import type { CaptureLauncher } from '../capture/launcher';
import { LiveCapture as CaptureRun, type LiveStats } from '../capture/live-session';
import { ProcessMap } from '../capture/process-map';
import { copySpool, discardSpool, newSpoolPath, saveSpool, spoolDir } from '../capture/spool-dir';
import { SpoolReader } from '../capture/spool-reader';
import type { CaptureReader } from '../engine/pcap';
import type { FollowHooks } from '../engine/store/shard-pass';
import type { CaptureProvider, LiveCapture } from './capture-provider';

export interface LiveProviderOptions {
  /** Starts the capture process; default: fork a Node process. */
  readonly launcher?: CaptureLauncher;
  /** Where spools go; default spoolDir(). */
  readonly spoolDir?: string;
  /** Longest time a packet waits in the capture process before it is in the spool (ms). */
  readonly flushMs?: number;
  /** Attribute local TCP endpoints to processes (Linux); default true there. */
  readonly attributeProcesses?: boolean;
}

/** Longest wait for the spool to grow before the follower looks again (a missed wake-up costs this). */
const POLL_MS = 200;
const ATTRIBUTE_EVERY_MS = 250;

export function createLiveCaptureProvider(opts: LiveProviderOptions = {}): CaptureProvider {
  return {
    interfaces: async (): Promise<readonly CaptureInterfaceInfo[]> => {
      try {
        return listInterfaces();
      } catch (e) {
        throw e instanceof CaptureFailure ? new Error(captureMessage(e)) : e;
      }
    },
    start: async (req: CaptureRequest): Promise<LiveCapture> => {
      const filter = req.filter?.trim() ?? '';
      const check = filter ? checkCaptureFilter(filter) : null;
      if (check && !check.ok) throw new ApiInputError(`capture filter: ${check.message}`);
      let run: CaptureRun;
      try {
        const choice = chooseBackend(req.iface, req.backend);
        run = await CaptureRun.start({
          iface: req.iface, filter, backend: choice.backend, bufferMiB: req.bufferMiB, stop: req.stop,
          spoolPath: newSpoolPath(req.iface, opts.spoolDir ?? spoolDir()), flushMs: opts.flushMs ?? 100,
          decode: false, attributeProcesses: false, launcher: opts.launcher,
        });
      } catch (e) {
        if (e instanceof CaptureFailure) {
          if (e.kind === 'filter' || e.kind === 'interface') throw new ApiInputError(captureMessage(e));
          throw new Error(captureMessage(e));
        }
        throw e;
      }
      return new ApiLiveCapture(run, opts.attributeProcesses ?? process.platform === 'linux');
    },
  };
}

function captureMessage(e: CaptureFailure): string {
  return e.fix && !e.message.includes(e.fix) ? `${e.message}\n${e.fix}` : e.message;
}

/** One running (then finished) capture as the service sees it. */
class ApiLiveCapture implements LiveCapture {
  readonly spoolPath: string;
  private readonly listeners = new Set<(s: Omit<CaptureStats, 'session'>) => void>();
  private reader: SpoolReader | null = null;
  private ended = false;
  private finalRead = false;
  private wake: (() => void) | null = null;
  private saved: string | null = null;
  private readonly processes: ProcessMap | null;
  private readonly attributionTimer: NodeJS.Timeout | null = null;

  constructor(private readonly run: CaptureRun, attribute: boolean) {
    this.spoolPath = run.spoolPath;
    run.onSpooled = () => this.signal();
    run.onStats = (s) => this.stats(s);
    void run.ended.then((end) => {
      this.ended = true;
      this.stats(end.stats);
      this.signal();
      if (this.attributionTimer) clearInterval(this.attributionTimer);
    });
    this.processes = attribute ? new ProcessMap() : null;
    if (this.processes) {
      const pm = this.processes;
      pm.refresh();
      // Refreshed on a timer, so a connection that closes quickly is seen while it exists.
      this.attributionTimer = setInterval(() => pm.refresh(), ATTRIBUTE_EVERY_MS);
      this.attributionTimer.unref();
    }
  }

  follow(): { readonly reader: CaptureReader; readonly hooks: FollowHooks } {
    if (this.reader) throw new Error('the spool is already followed');
    const reader = new SpoolReader(this.spoolPath);
    this.reader = reader;
    const hooks: FollowHooks = {
      more: async () => {
        if (reader.refresh()) return true;
        if (this.ended) {
          // One last read after the end, so a partial block left behind is reported, not waited for.
          if (this.finalRead) return false;
          this.finalRead = true;
          reader.end();
          return true;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, POLL_MS);
          function done(): void { clearTimeout(t); resolve(); }
          this.wake = done;
        });
        this.wake = null;
        return true;
      },
    };
    return { reader, hooks };
  }

  async stop(): Promise<void> {
    await this.run.stop();
  }

  async save(path: string): Promise<void> {
    // While capturing the spool keeps growing: save what is complete so far, keep capturing.
    if (!this.ended) { copySpool(this.spoolPath, path); return; }
    const from = this.saved ?? this.spoolPath;
    if (from === path) return;
    // Moved once (the session reads through its open file); later saves copy the saved file.
    if (this.saved) copySpool(from, path);
    else { saveSpool(from, path); this.saved = path; }
  }

  async discard(): Promise<void> {
    await this.run.stop();
    if (!this.saved) discardSpool(this.spoolPath);
  }

  onStats(listener: (s: Omit<CaptureStats, 'session'>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  processOf(endpoint: string): { readonly pid: number; readonly name: string } | undefined {
    const pm = this.processes;
    if (!pm) return undefined;
    const m = /^(?:\[(.+)\]|([^:]+)):(\d+)$/.exec(endpoint);
    if (!m) return undefined;
    const owner = m[1] !== undefined ? pm.lookup(`6:${m[1]}`, Number(m[3])) : pm.lookup(`4:${m[2]}`, Number(m[3]));
    return owner ? { pid: owner.pid, name: owner.name } : undefined;
  }

  private signal(): void {
    this.wake?.();
  }

  private stats(s: LiveStats): void {
    const out = { received: s.received, dropped: s.dropped ?? 0, ratePerSec: s.ratePerSec, running: s.running && !this.ended };
    for (const l of this.listeners) {
      try { l(out); } catch { /* a listener's failure is its own */ }
    }
  }
}
