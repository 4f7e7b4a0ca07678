/**
 * Main-process side of live capture in the app: the engine (a utility process) cannot start
 * processes of its own in a packaged app, so it asks here, and the capture process runs as
 * another utility process. Only small control messages and counters pass through here; packets
 * travel through the spool file.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import type { CaptureRelayReply, CaptureRelayRequest } from './capture-launcher-port';

/** Concurrent capture processes one engine may run (a runaway engine cannot fork without bound). */
const MAX_CAPTURES = 16;

export class CaptureRelay {
  private readonly children = new Map<number, UtilityProcess>();

  constructor(private readonly entry: string, private readonly reply: (m: CaptureRelayReply) => void) {}

  /** Handles one message from the engine; returns false when it is not a capture request. */
  handle(raw: unknown): boolean {
    const m = raw as Partial<CaptureRelayRequest> | null;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string' || !m.type.startsWith('capture-') || typeof m.id !== 'number') return false;
    const id = m.id;
    switch (m.type) {
      case 'capture-launch':
        if (typeof m.config !== 'string' || this.children.has(id)) return true;
        if (this.children.size >= MAX_CAPTURES) {
          this.reply({ type: 'capture-exit', id, code: 1, stderr: 'too many capture processes' });
          return true;
        }
        this.launch(id, m.config);
        return true;
      case 'capture-control':
        this.children.get(id)?.postMessage(m.message);
        return true;
      case 'capture-kill':
        this.children.get(id)?.kill();
        return true;
      default:
        return true;
    }
  }

  /** The engine went away: its captures stop (each flushes its spool on the way out). */
  stopAll(): void {
    for (const c of this.children.values()) c.postMessage({ type: 'stop' });
  }

  private launch(id: number, config: string): void {
    const child = utilityProcess.fork(this.entry, [config], { serviceName: 'dbwire capture', stdio: 'pipe' });
    this.children.set(id, child);
    child.once('spawn', () => this.reply({ type: 'capture-spawn', id, pid: child.pid ?? -1 }));
    child.on('message', (message: unknown) => this.reply({ type: 'capture-message', id, message }));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.reply({ type: 'capture-stderr', id, text }));
    child.once('exit', (code) => {
      this.children.delete(id);
      this.reply({ type: 'capture-exit', id, code });
    });
  }
}
