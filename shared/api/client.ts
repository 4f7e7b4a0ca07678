/**
 * The one client implementation of DbwireApi, over any MessageTransport: the Electron preload
 * runs it over its MessagePort to the engine, the browser renderer over a WebSocket to
 * `dbwire serve`. Requests are matched to responses by id; when the transport closes, every
 * pending call fails with code 'engine-stopped' and listeners get an 'engine-error' event.
 * `attach` gives the client a new transport (after the engine was restarted).
 */
import type { ApiEvent, ApiMethod, DbwireApi, SessionInfo } from './types';
import type { MessageTransport } from './transport';
import type { WireErrorCode, WireMessage } from './wire';

export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(readonly code: WireErrorCode, message: string, readonly method: string) {
    super(message);
  }
}

interface Pending {
  readonly method: ApiMethod;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type ApiCalls = Omit<DbwireApi, 'onEvent'>;

export class ApiClient implements DbwireApi {
  private transport: MessageTransport | null = null;
  /** 'waiting': calls queue until a transport is attached (the preload before its first port). */
  private state: 'waiting' | 'attached' | 'lost' = 'waiting';
  private readonly queued: (() => void)[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: ApiEvent) => void>();
  private helloSessions: readonly SessionInfo[] | null = null;
  private readonly helloWaiters: ((s: readonly SessionInfo[]) => void)[] = [];

  constructor(transport?: MessageTransport) {
    if (transport) this.attach(transport);
  }

  /** Uses `transport` from now on (the previous one, if any, is closed). */
  attach(transport: MessageTransport): void {
    const old = this.transport;
    this.transport = transport;
    this.state = 'attached';
    if (old) old.close();
    transport.onMessage((m) => { if (this.transport === transport) this.receive(m); });
    transport.onClose((reason) => { if (this.transport === transport) this.lost(reason); });
    for (const run of this.queued.splice(0)) run();
  }

  /** Calls made from now on wait for the next `attach` instead of failing (an engine restart is under way). */
  expectTransport(): void {
    if (this.state === 'lost') this.state = 'waiting';
  }

  /** Sessions the engine side opened on its own (`dbwire serve FILE`), once it has said hello. */
  hostSessions(): Promise<readonly SessionInfo[]> {
    if (this.helloSessions) return Promise.resolve(this.helloSessions);
    return new Promise((r) => this.helloWaiters.push(r));
  }

  close(): void {
    const t = this.transport;
    this.lost('closed by the client', false);
    t?.close();
  }

  private call(method: ApiMethod, args: unknown[]): Promise<unknown> {
    const t = this.transport;
    if (!t) {
      if (this.state === 'lost') return Promise.reject(new ApiCallError('engine-stopped', 'not connected to the engine', method));
      return new Promise((resolve) => this.queued.push(() => resolve(this.call(method, args))));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      try {
        t.send({ t: 'req', id, method, args });
      } catch (e) {
        this.pending.delete(id);
        reject(new ApiCallError('engine-stopped', e instanceof Error ? e.message : String(e), method));
      }
    });
  }

  private receive(m: WireMessage): void {
    switch (m.t) {
      case 'res': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new ApiCallError(m.error.code, m.error.message, p.method));
        return;
      }
      case 'evt':
        for (const l of [...this.listeners]) l(m.event);
        return;
      case 'hello':
        this.helloSessions = m.sessions;
        for (const w of this.helloWaiters.splice(0)) w(m.sessions);
        return;
      case 'req':
        return; // clients serve no requests
    }
  }

  private lost(reason: string, tell = true): void {
    this.transport = null;
    this.state = 'lost';
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new ApiCallError('engine-stopped', `the engine connection was lost: ${reason}`, p.method));
    if (!tell) return;
    const e: ApiEvent = { type: 'engine-error', message: `the engine connection was lost: ${reason}` };
    for (const l of [...this.listeners]) l(e);
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  // The calls, each typed by DbwireApi (see the `satisfies` check below).
  openFile: ApiCalls['openFile'] = (...a) => this.call('openFile', a) as ReturnType<ApiCalls['openFile']>;
  closeSession: ApiCalls['closeSession'] = (...a) => this.call('closeSession', a) as ReturnType<ApiCalls['closeSession']>;
  progress: ApiCalls['progress'] = (...a) => this.call('progress', a) as ReturnType<ApiCalls['progress']>;
  cancel: ApiCalls['cancel'] = (...a) => this.call('cancel', a) as ReturnType<ApiCalls['cancel']>;
  rows: ApiCalls['rows'] = (...a) => this.call('rows', a) as ReturnType<ApiCalls['rows']>;
  packet: ApiCalls['packet'] = (...a) => this.call('packet', a) as ReturnType<ApiCalls['packet']>;
  setFilter: ApiCalls['setFilter'] = (...a) => this.call('setFilter', a) as ReturnType<ApiCalls['setFilter']>;
  connections: ApiCalls['connections'] = (...a) => this.call('connections', a) as ReturnType<ApiCalls['connections']>;
  transactions: ApiCalls['transactions'] = (...a) => this.call('transactions', a) as ReturnType<ApiCalls['transactions']>;
  conversation: ApiCalls['conversation'] = (...a) => this.call('conversation', a) as ReturnType<ApiCalls['conversation']>;
  exportPackets: ApiCalls['exportPackets'] = (...a) => this.call('exportPackets', a) as ReturnType<ApiCalls['exportPackets']>;
  interfaces: ApiCalls['interfaces'] = (...a) => this.call('interfaces', a) as ReturnType<ApiCalls['interfaces']>;
  checkCaptureFilter: ApiCalls['checkCaptureFilter'] = (...a) => this.call('checkCaptureFilter', a) as ReturnType<ApiCalls['checkCaptureFilter']>;
  startCapture: ApiCalls['startCapture'] = (...a) => this.call('startCapture', a) as ReturnType<ApiCalls['startCapture']>;
  stopCapture: ApiCalls['stopCapture'] = (...a) => this.call('stopCapture', a) as ReturnType<ApiCalls['stopCapture']>;
  saveCapture: ApiCalls['saveCapture'] = (...a) => this.call('saveCapture', a) as ReturnType<ApiCalls['saveCapture']>;
}
