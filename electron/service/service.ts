/**
 * DbwireApi for files (and, through a CaptureProvider, live captures): transport-neutral — the
 * CLI, the Electron engine process and the WebSocket host all call this object. Every argument
 * is validated here (shared/api/validate.ts) before the engine sees it.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  ApiEvent, CaptureFilterCheck, CaptureInterfaceInfo, CaptureRequest, Connection, ConversationChunk, DbwireApi, ExportRequest, FilterResult,
  PacketDetail, Progress, RowsPage, SessionId, SessionInfo, Transaction,
} from '../../shared/api/types';
import { encodeRows } from '../../shared/api/rows';
import {
  ApiInputError, MAX_PAGE_ROWS, checkAbsolutePath, checkCaptureFilterText, checkCaptureRequest, checkExportRequest, checkFilterText, checkFrameNumber,
  checkSessionId, checkUint,
} from '../../shared/api/validate';
import { CaptureSession, type PassProgress } from '../engine/store/capture-session';
import { NoCaptureProviderError, type CaptureProvider, type LiveCapture } from './capture-provider';
import { toTreeNodes } from './tree-nodes';
import { checkCaptureFilter as compileCaptureFilter } from '../capture/filter-check';

export interface ServiceOptions {
  /** Worker threads per first pass (0: in the calling thread). Default: one per core. */
  readonly workers?: number;
  /** Decode As rules applied to every file opened. */
  readonly decodeAs?: ReadonlyMap<number, string>;
  readonly captureProvider?: CaptureProvider;
}

interface Entry {
  readonly info: SessionInfo;
  session: CaptureSession | null;
  live: LiveCapture | null;
  /** Live: the capture has ended (the session may still be reading the rest of the spool). */
  stopped?: boolean;
  unsubscribe?: () => void;
}

/** Progress pushes are limited to this rate per session (the last one, done, always goes). */
const PROGRESS_INTERVAL_MS = 100;

export class DbwireService implements DbwireApi {
  private readonly sessions = new Map<SessionId, Entry>();
  private readonly listeners = new Set<(e: ApiEvent) => void>();
  private provider: CaptureProvider | undefined;

  constructor(private readonly opts: ServiceOptions = {}) {
    this.provider = opts.captureProvider;
  }

  setCaptureProvider(p: CaptureProvider | undefined): void {
    this.provider = p;
  }

  async openFile(path: string): Promise<SessionInfo> {
    const file = checkAbsolutePath('path', path);
    const id = newId();
    const session = await CaptureSession.open(file, {
      decodeAs: this.opts.decodeAs, workers: this.opts.workers, onProgress: this.progressPusher(id),
    });
    const info: SessionInfo = { id, file, format: session.format, compression: session.compression, sizeBytes: session.size, live: false };
    this.sessions.set(id, { info, session, live: null });
    return info;
  }

  async closeSession(session: SessionId): Promise<void> {
    const e = this.entry(session);
    this.sessions.delete(e.info.id);
    e.unsubscribe?.();
    if (e.live) await e.live.stop().catch(() => {});
    e.session?.close();
  }

  async progress(session: SessionId): Promise<Progress> {
    const e = this.entry(session);
    return toProgress(e.info.id, this.file(session).progress(), e.live !== null && !e.stopped);
  }

  async cancel(session: SessionId): Promise<void> {
    this.file(session).cancel();
  }

  async rows(session: SessionId, start: number, count: number): Promise<RowsPage> {
    const s = this.file(session);
    checkUint('start', start);
    checkUint('count', count, MAX_PAGE_ROWS);
    const rows = s.rows(start, count);
    return { session, start, count: rows.length, total: s.displayedCount(), buffer: encodeRows(rows) };
  }

  async packet(session: SessionId, num: number): Promise<PacketDetail> {
    const s = this.file(session);
    checkFrameNumber('num', num);
    // A live session answers from what it has read so far (waiting would last until the capture stops).
    if (num > s.store.count && !s.isDone && !s.following) await s.done.catch(() => {});
    if (num > s.store.count) throw new ApiInputError(`num: frame ${num} is not in the capture (it has ${s.store.count} frames)`);
    const d = s.packet(num);
    return {
      session, num, tree: toTreeNodes(d.tree.roots),
      dataSources: d.tree.dataSources.map((ds) => ({ name: ds.name, bytes: ds.bytes })),
    };
  }

  async setFilter(session: SessionId, expr: string): Promise<FilterResult> {
    const s = this.file(session);
    const r = await s.setFilter(checkFilterText(expr));
    return r.ok ? { ok: true, displayed: r.displayed } : { ok: false, error: r.error };
  }

  async connections(session: SessionId): Promise<readonly Connection[]> {
    const conns = await this.file(session).connections();
    const live = this.entry(session).live;
    if (!live?.processOf) return conns;
    // Live: name the local process at either end (the client's preferred), as `ss -p` would.
    return conns.map((c) => {
      if (c.process) return c;
      const p = live.processOf!(c.client) ?? live.processOf!(c.server);
      return p ? { ...c, process: p } : c;
    });
  }

  async transactions(session: SessionId): Promise<readonly Transaction[]> {
    return this.file(session).transactions();
  }

  async conversation(session: SessionId, stream: number): Promise<readonly ConversationChunk[]> {
    const s = this.file(session);
    checkUint('stream', stream);
    try {
      return await s.conversation(stream);
    } catch (e) {
      if (e instanceof RangeError) throw new ApiInputError(`stream: ${e.message}`);
      throw e;
    }
  }

  async exportPackets(session: SessionId, req: ExportRequest): Promise<{ readonly frames: number; readonly path: string }> {
    const s = this.file(session);
    const r = checkExportRequest(req);
    const dir = dirname(r.path);
    let isDir = false;
    try { isDir = statSync(dir).isDirectory(); } catch { /* reported below */ }
    if (!isDir) throw new ApiInputError(`export path: directory ${dir} does not exist`);
    let frames: number[];
    try {
      frames = await s.exportFrames(r.what);
    } catch (e) {
      if (e instanceof RangeError) throw new ApiInputError(`export: ${e.message}`);
      throw e;
    }
    const n = await s.export(frames, r.format, r.path);
    return { frames: n, path: r.path };
  }

  async interfaces(): Promise<readonly CaptureInterfaceInfo[]> {
    if (!this.provider) throw new NoCaptureProviderError('interfaces');
    return this.provider.interfaces();
  }

  async checkCaptureFilter(expr: string): Promise<CaptureFilterCheck> {
    const r = compileCaptureFilter(checkCaptureFilterText(expr));
    return r ?? { ok: null, message: 'the filter cannot be checked here (tcpdump is not installed); libpcap checks it when the capture starts' };
  }

  async startCapture(req: CaptureRequest): Promise<SessionInfo> {
    const r = checkCaptureRequest(req);
    if (!this.provider) throw new NoCaptureProviderError('startCapture');
    const live = await this.provider.start(r);
    const id = newId();
    let session: CaptureSession;
    try {
      // The spool is followed as it grows: rows, packets, filters and tables work while capturing.
      const { reader, hooks } = live.follow();
      session = CaptureSession.follow(live.spoolPath, reader, hooks, { decodeAs: this.opts.decodeAs, onProgress: this.progressPusher(id, true) });
    } catch (e) {
      await live.stop().catch(() => {});
      throw e;
    }
    const info: SessionInfo = { id, file: live.spoolPath, format: 'pcapng', compression: 'none', sizeBytes: 0, live: true };
    const entry: Entry = { info, session, live, stopped: false };
    entry.unsubscribe = live.onStats((st) => {
      if (!st.running) entry.stopped = true;
      this.emit({ type: 'capture', stats: { ...st, session: id } });
      // Progress goes out with the counters too, so a quiet capture still shows it is alive.
      if (!session.isDone) this.emit({ type: 'progress', progress: toProgress(id, session.progress(), !entry.stopped) });
    });
    this.sessions.set(id, entry);
    return info;
  }

  async stopCapture(session: SessionId): Promise<void> {
    const e = this.entry(session);
    if (!e.live) throw new ApiInputError(`session ${session} is not a live capture`);
    await e.live.stop();
    e.stopped = true;
    // Everything in the spool is read once the pass ends (the capture process flushed it all).
    await e.session?.done.catch(() => {});
  }

  async saveCapture(session: SessionId, path: string): Promise<void> {
    const e = this.entry(session);
    const target = checkAbsolutePath('path', path);
    if (!e.live) throw new ApiInputError(`session ${session} is not a live capture (use exportPackets for files)`);
    await e.live.save(target);
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes every session (for process shutdown). */
  async dispose(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.closeSession(id);
  }

  /** onProgress for a session: pushes at most every PROGRESS_INTERVAL_MS (the last one, done, always). */
  private progressPusher(id: SessionId, live = false): (p: PassProgress) => void {
    let lastPush = 0;
    return (p) => {
      const now = Date.now();
      if (!p.done && now - lastPush < PROGRESS_INTERVAL_MS) return;
      lastPush = now;
      const e = live ? this.sessions.get(id) : undefined;
      this.emit({ type: 'progress', progress: toProgress(id, p, live && !(e?.stopped ?? false)) });
    };
  }

  private emit(e: ApiEvent): void {
    for (const l of this.listeners) {
      try { l(e); } catch { /* a listener's failure is its own */ }
    }
  }

  private entry(session: unknown): Entry {
    const id = checkSessionId(session);
    const e = this.sessions.get(id);
    if (!e) throw new ApiInputError(`session: no open session "${id}"`);
    return e;
  }

  private file(session: unknown): CaptureSession {
    const e = this.entry(session);
    if (!e.session) throw new ApiInputError(`session ${e.info.id}: the capture has no readable spool`);
    return e.session;
  }
}

/** `capturing`: a live capture still runs, so reading its spool is the 'capturing' phase. */
function toProgress(session: SessionId, p: PassProgress, capturing = false): Progress {
  const phase = capturing && p.phase === 'indexing' && !p.done ? 'capturing' : p.phase;
  const out: Progress = { session, phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, frames: p.frames, displayed: p.displayed, done: p.done };
  return p.error ? { ...out, error: p.error } : out;
}

function newId(): SessionId {
  return `s-${randomBytes(8).toString('hex')}`;
}

export function createService(opts: ServiceOptions = {}): DbwireService {
  return new DbwireService(opts);
}
