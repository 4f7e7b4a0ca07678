/**
 * DbwireShell for the browser renderer served by `dbwire serve`: no native dialogs or menus (the
 * renderer asks for a path on the server instead), and the sessions the host opened at start come
 * as 'session-opened' events.
 */
import type { ApiClient } from './client';
import type { DbwireShell, ShellEvent } from './shell';

export class BrowserShell implements DbwireShell {
  readonly kind = 'browser' as const;
  private readonly listeners = new Set<(e: ShellEvent) => void>();
  private readonly opened: ShellEvent[] = [];

  constructor(client: ApiClient) {
    void client.hostSessions().then((sessions) => {
      for (const session of sessions) this.emit({ type: 'session-opened', session });
    });
    client.onEvent((e) => {
      if (e.type === 'engine-error') this.emit({ type: 'engine', state: 'crashed', message: e.message });
    });
  }

  chooseCaptureFile(): Promise<string | null> { return Promise.resolve(null); }
  chooseSavePath(): Promise<string | null> { return Promise.resolve(null); }
  pathForFile(): string { return ''; }
  addRecentFile(): Promise<void> { return Promise.resolve(); }
  restartEngine(): Promise<void> { return Promise.reject(new Error('reload the page to reconnect to the server')); }
  versions(): Promise<Readonly<Record<string, string>>> { return Promise.resolve({ transport: 'websocket' }); }

  onShellEvent(listener: (e: ShellEvent) => void): () => void {
    this.listeners.add(listener);
    // A listener added after the hello still learns about the host's sessions.
    for (const e of this.opened) listener(e);
    return () => { this.listeners.delete(listener); };
  }

  private emit(e: ShellEvent): void {
    if (e.type === 'session-opened') this.opened.push(e);
    for (const l of [...this.listeners]) l(e);
  }
}
