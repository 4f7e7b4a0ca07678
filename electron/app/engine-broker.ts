/**
 * Runs the engine utility process and gives each window its own MessagePort straight to it. When
 * the engine dies the windows are told (they fail their calls in flight and offer a restart);
 * after a restart every window gets a new port. Live capture spools are files the engine does not
 * delete on a crash, so a window can reopen them.
 */
import { MessageChannelMain, utilityProcess, type UtilityProcess, type WebContents } from 'electron';
import type { EngineState, ShellEvent } from '../../shared/api/shell';
import { ENGINE_PROCESS_ARGS, ENGINE_PROCESS_ENV } from '../engine/process-env';
import { CaptureRelay } from './capture-relay';
import { ENGINE_PORT_CHANNEL } from './ipc-channels';
import type { EngineControlMessage } from './engine-process';

export class EngineBroker {
  private proc: UtilityProcess | null = null;
  private running = false;
  private readonly windows = new Set<WebContents>();
  private quitting = false;

  /** `captureEntry`: the capture process's entry, started here when the engine asks (capture-relay.ts). */
  constructor(
    private readonly entry: string,
    private readonly tell: (wc: WebContents, e: ShellEvent) => void,
    private readonly captureEntry?: string,
  ) {}

  start(): void {
    const proc = utilityProcess.fork(this.entry, [], {
      serviceName: 'dbwire engine', stdio: 'inherit', env: { ...process.env, ...ENGINE_PROCESS_ENV }, execArgv: [...ENGINE_PROCESS_ARGS],
    });
    this.proc = proc;
    const relay = this.captureEntry ? new CaptureRelay(this.captureEntry, (m) => proc.postMessage(m)) : null;
    if (relay) proc.on('message', (m: unknown) => { relay.handle(m); });
    this.running = false;
    this.broadcast('starting');
    proc.once('spawn', () => {
      if (this.proc !== proc) return;
      this.running = true;
      this.broadcast('running');
      for (const wc of this.windows) this.sendPort(wc);
    });
    proc.once('exit', (code) => {
      relay?.stopAll();
      if (this.proc !== proc) return;
      this.proc = null;
      this.running = false;
      if (!this.quitting) {
        this.broadcast('crashed', `The engine process stopped (exit code ${code}). Open captures were closed; live capture spool files are kept on disk.`);
      }
    });
  }

  /** A window asks for its port (on load, and after a reload). */
  connect(wc: WebContents): void {
    if (!this.windows.has(wc)) {
      this.windows.add(wc);
      wc.once('destroyed', () => this.windows.delete(wc));
    }
    if (this.running) this.sendPort(wc);
    else this.tell(wc, { type: 'engine', state: this.proc ? 'starting' : 'crashed' });
  }

  restart(): void {
    const old = this.proc;
    this.proc = null;
    old?.kill();
    this.start();
  }

  stop(): void {
    this.quitting = true;
    this.proc?.kill();
    this.proc = null;
  }

  private sendPort(wc: WebContents): void {
    if (!this.proc || wc.isDestroyed()) return;
    const { port1, port2 } = new MessageChannelMain();
    const msg: EngineControlMessage = { type: 'connect' };
    this.proc.postMessage(msg, [port1]);
    wc.postMessage(ENGINE_PORT_CHANNEL, null, [port2]);
  }

  private broadcast(state: EngineState, message?: string): void {
    for (const wc of this.windows) if (!wc.isDestroyed()) this.tell(wc, { type: 'engine', state, ...(message ? { message } : {}) });
  }
}
