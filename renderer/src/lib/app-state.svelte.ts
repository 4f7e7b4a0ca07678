/**
 * The renderer's state and the actions that change it. Everything goes through DbwireApi (and
 * the shell for dialogs); components read these fields and call these methods.
 */
import { getContext, setContext } from 'svelte';
import type {
  CaptureInterfaceInfo, CaptureRequest, CaptureStats, Connection, DbwireApi, ExportRequest, FilterError, PacketDetail,
  Progress, SessionInfo, Transaction,
} from '../../../shared/api/types';
import type { DbwireShell } from '../../../shared/api/shell';
import { RowCache, type PageLoader } from './row-cache';
import { findRowIndex } from './find-row';
import { filterHistory, recentFiles, unsavedCaptures } from './storage';

export type Tab = 'connections' | 'queries' | 'packets';
export type Dialog = null | 'export' | 'follow' | 'save';

/** Tells the packet list to bring a row into view (seq changes each request). */
export interface ScrollRequest { readonly index: number; readonly seq: number }

export class AppState {
  session = $state<SessionInfo | null>(null);
  progress = $state<Progress | null>(null);
  capture = $state<CaptureStats | null>(null);
  /** Rows in the displayed view. */
  total = $state(0);
  /** All frames of the session. */
  frames = $state(0);
  /** Bumped when rows arrive in the cache (components re-read rows). */
  rowsTick = $state(0);
  appliedFilter = $state('');
  /** Text of the filter bar (what the user types, or "Prepare as filter" puts there). */
  filterDraft = $state('');
  filterError = $state<FilterError | null>(null);
  filterHistory = $state<string[]>(filterHistory.items());
  selectedFrame = $state<number | null>(null);
  selectedIndex = $state<number | null>(null);
  detail = $state<PacketDetail | null>(null);
  tab = $state<Tab>('packets');
  connections = $state<readonly Connection[] | null>(null);
  transactions = $state<readonly Transaction[] | null>(null);
  selectedStream = $state<number | null>(null);
  interfaces = $state<readonly CaptureInterfaceInfo[] | null>(null);
  interfacesError = $state<string | null>(null);
  lastCapture = $state<CaptureRequest | null>(null);
  /** The capture has packets not saved yet (a live spool). */
  unsaved = $state(false);
  followTail = $state(true);
  busy = $state<string | null>(null);
  notice = $state<{ readonly kind: 'error' | 'info'; readonly text: string } | null>(null);
  dialog = $state<Dialog>(null);
  followStream = $state<number | null>(null);
  scrollRequest = $state<ScrollRequest | null>(null);
  recentFiles = $state<string[]>(recentFiles.items());
  unsavedCaptures = $state<string[]>(unsavedCaptures.items());
  /** Increments to ask the filter bar to take focus. */
  focusFilterSeq = $state(0);

  readonly cache: RowCache;
  private scrollSeq = 0;
  private detailSeq = 0;
  private analysisTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly api: DbwireApi, readonly shell: DbwireShell) {
    this.cache = new RowCache(null, () => { this.total = Math.max(this.total, this.cache.total); this.rowsTick++; });
    api.onEvent((e) => {
      if (e.type === 'progress') this.onProgress(e.progress);
      else if (e.type === 'capture') {
        if (e.stats.session === this.session?.id) this.capture = e.stats;
      } else this.notice = { kind: 'error', text: e.message };
    });
    shell.onShellEvent((e) => {
      switch (e.type) {
        case 'open-file': void this.openFile(e.path); break;
        case 'session-opened': if (!this.session) void this.adopt(e.session); break;
        case 'engine': if (e.state === 'crashed') { this.notice = { kind: 'error', text: `The engine stopped: ${e.message ?? 'unknown reason'}` }; this.session = null; } break;
        case 'menu': this.menu(e.command); break;
      }
    });
  }

  private loader(): PageLoader | null {
    const s = this.session;
    return s ? (start, count) => this.api.rows(s.id, start, count) : null;
  }

  private onProgress(p: Progress): void {
    if (p.session !== this.session?.id) return;
    this.progress = p;
    this.frames = p.frames;
    if (p.phase !== 'filtering' && p.displayed !== this.total) {
      this.cache.grow(p.displayed);
      this.total = p.displayed;
      this.rowsTick++;
    }
    if (p.error) this.notice = { kind: 'error', text: p.error };
    // Connections and queries follow the capture: refresh them when a pass ends or, live, now and then.
    if (p.done || this.session?.live) this.scheduleAnalysis(p.done ? 0 : 2000);
  }

  private scheduleAnalysis(ms: number): void {
    if (this.analysisTimer) return;
    this.analysisTimer = setTimeout(() => {
      this.analysisTimer = null;
      if (this.connections !== null || this.tab === 'connections') void this.loadConnections();
      if (this.transactions !== null || this.tab === 'queries') void this.loadTransactions();
    }, ms);
  }

  /** Shows a session (opened here, by the host, or a live capture). */
  async adopt(info: SessionInfo): Promise<void> {
    this.session = info;
    this.connections = null;
    this.transactions = null;
    this.selectedFrame = null;
    this.selectedIndex = null;
    this.detail = null;
    this.selectedStream = null;
    this.appliedFilter = '';
    this.filterError = null;
    this.unsaved = info.live;
    this.capture = null;
    this.cache.reset(this.loader(), 0);
    this.total = 0;
    const p = await this.api.progress(info.id).catch(() => null);
    if (p && this.session?.id === info.id) {
      this.progress = p;
      this.frames = p.frames;
      this.total = p.displayed;
      this.cache.reset(this.loader(), p.displayed);
      this.rowsTick++;
      if (p.done) this.scheduleAnalysis(0);
      else void this.pollFirstRows(info.id);
    }
    if (this.filterDraft.trim()) await this.applyFilter(this.filterDraft);
  }

  /** Until the first progress event brings rows, ask now and then, so the first page shows early. */
  private async pollFirstRows(id: string): Promise<void> {
    for (let i = 0; i < 40 && this.session?.id === id && this.total === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const p = await this.api.progress(id).catch(() => null);
      if (!p || this.session?.id !== id || this.total > 0) return;
      if (p.displayed > 0) { this.onProgress(p); return; }
      if (p.done) return;
    }
  }

  async openFile(path: string): Promise<void> {
    const p = path.trim();
    if (!p) return;
    this.busy = `Opening ${p}`;
    this.notice = null;
    try {
      const old = this.session;
      const info = await this.api.openFile(p);
      this.recentFiles = recentFiles.add(p);
      void this.shell.addRecentFile(p).catch(() => undefined);
      if (old && !old.live) void this.api.closeSession(old.id).catch(() => undefined);
      this.tab = 'packets';
      await this.adopt(info);
    } catch (e) {
      this.notice = { kind: 'error', text: `Cannot open ${p}: ${message(e)}` };
    } finally {
      this.busy = null;
    }
  }

  async chooseAndOpen(): Promise<boolean> {
    const path = await this.shell.chooseCaptureFile();
    if (path) await this.openFile(path);
    return path !== null;
  }

  async closeSession(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = null;
    this.total = 0;
    this.cache.reset(null, 0);
    await this.api.closeSession(s.id).catch(() => undefined);
  }

  /** Applies a display filter; false (with filterError set) when it is refused. */
  async applyFilter(expr: string): Promise<boolean> {
    const s = this.session;
    this.filterDraft = expr;
    if (!s) return false;
    const text = expr.trim();
    this.busy = text ? 'Filtering' : null;
    try {
      const r = await this.api.setFilter(s.id, text);
      if (this.session?.id !== s.id) return false;
      if (!r.ok) { this.filterError = r.error; return false; }
      this.filterError = null;
      this.appliedFilter = text;
      if (text) this.filterHistory = filterHistory.add(text);
      this.total = r.displayed;
      this.cache.reset(this.loader(), r.displayed);
      this.rowsTick++;
      // Keep the selected packet in view when it is still displayed.
      this.selectedIndex = null;
      if (this.selectedFrame !== null) {
        const idx = await this.indexOf(this.selectedFrame);
        if (idx !== null) { this.selectedIndex = idx; this.requestScroll(idx); }
      }
      return true;
    } catch (e) {
      this.notice = { kind: 'error', text: `Filter failed: ${message(e)}` };
      return false;
    } finally {
      this.busy = null;
    }
  }

  indexOf(frame: number): Promise<number | null> {
    const load = this.loader();
    return load ? findRowIndex(load, this.total, frame) : Promise.resolve(null);
  }

  requestScroll(index: number): void {
    this.scrollRequest = { index, seq: ++this.scrollSeq };
  }

  /** Selects a row of the packet list and loads its detail. */
  async select(index: number, frame: number): Promise<void> {
    this.selectedIndex = index;
    if (this.selectedFrame === frame && this.detail?.num === frame) return;
    this.selectedFrame = frame;
    const s = this.session;
    if (!s) return;
    const seq = ++this.detailSeq;
    try {
      const d = await this.api.packet(s.id, frame);
      if (seq === this.detailSeq) this.detail = d;
    } catch (e) {
      if (seq === this.detailSeq) { this.detail = null; this.notice = { kind: 'error', text: `Frame ${frame}: ${message(e)}` }; }
    }
  }

  /** Evidence link: Packets tab, filtered to the connection (when given), that frame selected. */
  async goToFrame(frame: number, stream?: number): Promise<void> {
    this.tab = 'packets';
    const want = stream !== undefined && stream >= 0 ? `tcp.stream == ${stream}` : this.appliedFilter;
    if (want !== this.appliedFilter || this.filterDraft !== want) {
      this.selectedFrame = frame;
      await this.applyFilter(want);
    }
    let idx = await this.indexOf(frame);
    if (idx === null && this.appliedFilter) {
      await this.applyFilter('');
      idx = await this.indexOf(frame);
    }
    if (idx === null) { this.notice = { kind: 'info', text: `Frame ${frame} is not in the capture.` }; return; }
    this.requestScroll(idx);
    this.selectedFrame = null;
    await this.select(idx, frame);
  }

  async loadConnections(): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      const c = await this.api.connections(s.id);
      if (this.session?.id === s.id) this.connections = c;
    } catch (e) {
      this.notice = { kind: 'error', text: `Connections: ${message(e)}` };
    }
  }

  async loadTransactions(): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      const t = await this.api.transactions(s.id);
      if (this.session?.id === s.id) this.transactions = t;
    } catch (e) {
      this.notice = { kind: 'error', text: `Queries: ${message(e)}` };
    }
  }

  async loadInterfaces(): Promise<void> {
    try {
      this.interfaces = await this.api.interfaces();
      this.interfacesError = null;
    } catch (e) {
      this.interfaces = [];
      this.interfacesError = message(e);
    }
  }

  async startCapture(req: CaptureRequest): Promise<boolean> {
    this.busy = `Starting capture on ${req.iface}`;
    this.notice = null;
    try {
      const old = this.session;
      const info = await this.api.startCapture(req);
      this.lastCapture = req;
      if (old && !old.live) void this.api.closeSession(old.id).catch(() => undefined);
      this.unsavedCaptures = unsavedCaptures.add(info.file);
      this.tab = 'packets';
      this.followTail = true;
      await this.adopt(info);
      return true;
    } catch (e) {
      this.notice = { kind: 'error', text: `Capture on ${req.iface} failed: ${message(e)}` };
      return false;
    } finally {
      this.busy = null;
    }
  }

  async stopCapture(): Promise<void> {
    const s = this.session;
    if (!s?.live) return;
    try {
      await this.api.stopCapture(s.id);
    } catch (e) {
      this.notice = { kind: 'error', text: `Stop failed: ${message(e)}` };
    }
  }

  async restartCapture(): Promise<void> {
    const req = this.lastCapture;
    if (!req) return;
    await this.stopCapture();
    await this.startCapture(req);
  }

  get capturing(): boolean {
    return !!this.session?.live && (this.capture?.running ?? true) && !(this.progress?.done ?? false);
  }

  async saveCapture(path: string): Promise<boolean> {
    const s = this.session;
    if (!s) return false;
    try {
      await this.api.saveCapture(s.id, path);
      this.unsaved = false;
      this.unsavedCaptures = unsavedCaptures.remove(s.file);
      this.recentFiles = recentFiles.add(path);
      this.notice = { kind: 'info', text: `Saved to ${path}` };
      return true;
    } catch (e) {
      this.notice = { kind: 'error', text: `Save failed: ${message(e)}` };
      return false;
    }
  }

  async exportPackets(req: ExportRequest): Promise<boolean> {
    const s = this.session;
    if (!s) return false;
    try {
      const r = await this.api.exportPackets(s.id, req);
      this.notice = { kind: 'info', text: `Exported ${r.frames} packet${r.frames === 1 ? '' : 's'} to ${r.path}` };
      return true;
    } catch (e) {
      this.notice = { kind: 'error', text: `Export failed: ${message(e)}` };
      return false;
    }
  }

  async cancel(): Promise<void> {
    const s = this.session;
    if (s) await this.api.cancel(s.id).catch(() => undefined);
  }

  forgetUnsaved(path: string): void {
    this.unsavedCaptures = unsavedCaptures.remove(path);
  }

  forgetRecent(path: string): void {
    this.recentFiles = recentFiles.remove(path);
  }

  /** Menu commands from the desktop shell. */
  menu(command: string): void {
    switch (command) {
      case 'save-capture': this.dialog = 'save'; break;
      case 'export-packets': if (this.session) this.dialog = 'export'; break;
      case 'capture-interfaces': void this.closeToStart(); break;
      case 'capture-start': if (this.lastCapture && !this.capturing) void this.startCapture(this.lastCapture); else void this.closeToStart(); break;
      case 'capture-stop': void this.stopCapture(); break;
      case 'capture-restart': void this.restartCapture(); break;
      case 'view-connections': this.tab = 'connections'; break;
      case 'view-queries': this.tab = 'queries'; break;
      case 'view-packets': this.tab = 'packets'; break;
      case 'view-find': this.focusFilterSeq++; break;
    }
  }

  /** Back to the start view (interfaces, files); a running capture keeps its session until closed. */
  async closeToStart(): Promise<void> {
    if (this.capturing) await this.stopCapture();
    await this.closeSession();
  }
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const KEY = Symbol('dbwire-app');

export function provideApp(app: AppState): void {
  setContext(KEY, app);
}

export function useApp(): AppState {
  return getContext<AppState>(KEY);
}
