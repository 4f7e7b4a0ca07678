/**
 * How the renderer gets its API: inside Electron the preload has exposed `window.dbwire` and
 * `window.dbwireShell`; in a browser it connects to the `dbwire serve` host over a WebSocket at
 * /ws with the token from the page URL. Either way the renderer sees DbwireApi + DbwireShell.
 */
import { ApiClient } from './client';
import { BrowserShell } from './browser-shell';
import type { DbwireShell } from './shell';
import type { DbwireApi } from './types';
import { connectWebSocket, type WebSocketLike } from './transport-websocket';

export interface Connected {
  readonly api: DbwireApi;
  readonly shell: DbwireShell;
}

interface DesktopGlobals {
  readonly dbwire?: DbwireApi;
  readonly dbwireShell?: DbwireShell;
}

/** The WebSocket URL for a page served by the host: same origin, /ws, the page's token. */
export function webSocketUrl(page: { readonly protocol: string; readonly host: string; readonly search: string }): string {
  const token = new URLSearchParams(page.search).get('token') ?? '';
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/ws?token=${encodeURIComponent(token)}`;
}

export async function connectDbwire(): Promise<Connected> {
  const g = globalThis as unknown as DesktopGlobals & { location: Location; WebSocket: new (url: string) => WebSocketLike };
  if (g.dbwire && g.dbwireShell) return { api: g.dbwire, shell: g.dbwireShell };
  const client = new ApiClient(await connectWebSocket(new g.WebSocket(webSocketUrl(g.location))));
  return { api: client, shell: new BrowserShell(client) };
}
