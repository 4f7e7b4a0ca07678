/**
 * The WebSocket host: serves the built renderer over HTTP and DbwireApi over a WebSocket at
 * /ws?token=T, for browsers (e2e tests, headless or remote use). Binds 127.0.0.1 unless told
 * otherwise. Every connection gets its own endpoint over one shared service.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DbwireApi, SessionInfo } from '../../shared/api/types';
import { WebSocketTransport, type WebSocketLike } from '../../shared/api/transport-websocket';
import { checkHostHeader, checkWebSocket, isLoopbackHost, newToken, type AccessPolicy } from './access';
import { buildCsp } from './csp';
import { serveApi } from './endpoint';
import { securityHeaders, serveStatic } from './static-files';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:renderer` puts the renderer (renderer/vite.config.ts outDir). */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export const DEFAULT_HOST = '127.0.0.1';
/** Largest message a client may send (requests are small; this bounds a hostile one). */
const MAX_CLIENT_MESSAGE = 1024 * 1024;

export interface HostOptions {
  readonly api: DbwireApi;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** The built renderer; default out/renderer. */
  readonly rendererDir?: string;
  /** Default: a new random token. */
  readonly token?: string;
  /** Sessions the host opened (announced to every client). */
  readonly hostSessions?: readonly SessionInfo[];
}

export interface RunningHost {
  /** The page URL with the token: what `dbwire serve` prints first. */
  readonly url: string;
  readonly port: number;
  /** The address bound, as the socket reports it. */
  readonly address: string;
  readonly host: string;
  readonly token: string;
  /** Connections open right now. */
  readonly connections: number;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return DEFAULT_HOST;
  return host.includes(':') ? `[${host}]` : host;
}

function refuse(socket: Duplex, status: number, why: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const host = opts.host ?? DEFAULT_HOST;
  const token = opts.token ?? newToken();
  const rendererDir = opts.rendererDir ?? DEFAULT_RENDERER_DIR;
  const csp = buildCsp({ connect: ["'self'"] });
  let policy: AccessPolicy = { token, port: -1, loopbackOnly: isLoopbackHost(host) };
  const sockets = new Set<WebSocket>();

  const server = createServer((req, res) => {
    const ok = checkHostHeader(policy, req.headers.host);
    if (!ok.ok) {
      res.writeHead(ok.status, { ...securityHeaders(csp), 'Content-Type': 'text/plain' }).end(ok.why);
      return;
    }
    serveStatic(rendererDir, csp, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') { refuse(socket, 404, 'no such endpoint'); return; }
    const decision = checkWebSocket(policy, { host: req.headers.host, origin: req.headers.origin }, url);
    if (!decision.ok) { refuse(socket, decision.status, decision.why); return; }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      serveApi(opts.api, new WebSocketTransport(ws as unknown as WebSocketLike), { hostSessions: opts.hostSessions ?? [] });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const { port, address } = server.address() as AddressInfo;
  policy = { ...policy, port };

  return {
    url: `http://${urlHost(host)}:${port}/?token=${token}`,
    port, address, host, token,
    get connections() { return sockets.size; },
    close: () => new Promise<void>((resolve) => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
