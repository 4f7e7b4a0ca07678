// Who the WebSocket host lets in: only a client with the token, from the host's own origin (or no
// browser origin at all), addressed by a loopback name; and it listens on loopback by default.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createService, type DbwireService } from '../../electron/service';
import { startHost, type RunningHost } from '../../electron/host/server';
import { decodeFrame, encodeFrame } from '../../shared/api/wire-codec';
import type { WireMessage } from '../../shared/api/wire';
import { makeDbCapture } from '../support/db-workload';

let service: DbwireService;
let host: RunningHost;
let capture: string;

beforeAll(async () => {
  capture = await makeDbCapture();
  service = createService();
  host = await startHost({ api: service });
});
afterAll(async () => {
  await host.close();
  await service.dispose();
});

/** Tries a WebSocket upgrade; resolves with the HTTP status of a refusal, or 101 when it opened. */
function tryUpgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, { headers });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); });
    ws.on('error', (e) => { if (!String(e.message).includes('Unexpected server response')) reject(e); });
  });
}

function httpGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Received { readonly msg: WireMessage; readonly binary: boolean }

/** A connected socket whose messages are queued from the first one (the hello comes at once). */
interface Conn {
  readonly ws: WebSocket;
  next(want: (m: WireMessage) => boolean): Promise<Received>;
}

/** Connects with the token and own origin. */
function connect(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
    ws.binaryType = 'arraybuffer';
    const queue: Received[] = [];
    const waiting: { want: (m: WireMessage) => boolean; resolve: (r: Received) => void }[] = [];
    const deliver = () => {
      for (const w of [...waiting]) {
        const i = queue.findIndex((r) => w.want(r.msg));
        if (i >= 0) { waiting.splice(waiting.indexOf(w), 1); w.resolve(queue.splice(i, 1)[0]!); }
      }
    };
    ws.on('message', (data: ArrayBuffer | Buffer, isBinary: boolean) => {
      queue.push({ msg: decodeFrame(isBinary ? (data as ArrayBuffer) : data.toString()), binary: isBinary });
      deliver();
    });
    ws.on('open', () => resolve({ ws, next: (want) => new Promise((r) => { waiting.push({ want, resolve: r }); deliver(); }) }));
    ws.on('error', reject);
  });
}

describe('WebSocket host access', () => {
  it('listens on loopback only by default', () => {
    expect(host.host).toBe('127.0.0.1');
    expect(host.address).toBe('127.0.0.1');
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a missing token, a wrong token and a token of the right length but wrong value', async () => {
    expect(await tryUpgrade('/ws')).toBe(401);
    expect(await tryUpgrade('/ws?token=')).toBe(401);
    expect(await tryUpgrade('/ws?token=wrong')).toBe(401);
    const sameLength = host.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await tryUpgrade(`/ws?token=${sameLength}`)).toBe(401);
  });

  it('refuses a foreign Origin even with the token', async () => {
    const ok = `/ws?token=${host.token}`;
    expect(await tryUpgrade(ok, { Origin: 'http://evil.example' })).toBe(403);
    expect(await tryUpgrade(ok, { Origin: `http://127.0.0.1:${host.port + 1}` })).toBe(403);
    expect(await tryUpgrade(ok, { Origin: 'null' })).toBe(403);
    expect(await tryUpgrade(ok, { Origin: `http://127.0.0.1:${host.port}` })).toBe(101);
    expect(await tryUpgrade(ok)).toBe(101); // no browser: no Origin, the token decides
  });

  it('refuses a non-loopback Host name (DNS rebinding), for pages and the socket', async () => {
    expect(await tryUpgrade(`/ws?token=${host.token}`, { Host: `evil.example:${host.port}`, Origin: `http://evil.example:${host.port}` })).toBe(403);
    expect((await httpGet('/', { Host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await httpGet('/', { Host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('has one endpoint: /ws', async () => {
    expect(await tryUpgrade(`/api?token=${host.token}`)).toBe(404);
  });
});

describe('WebSocket host pages', () => {
  it('serves the renderer with a strict CSP and no referrer (the token is in the URL)', async () => {
    const r = await httpGet('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(r.headers['content-security-policy']).toMatch(/connect-src 'self'/);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/%00']) {
      expect((await httpGet(p)).status, p).toBe(404);
    }
  });
});

describe('WebSocket host messages', () => {
  it('says hello, then sends row pages and packet bytes as binary frames', async () => {
    const c = await connect();
    const ws = c.ws;
    const nextMessage = (_ws: WebSocket, want: (m: WireMessage) => boolean) => c.next(want);
    expect((await c.next((m) => m.t === 'hello')).msg).toEqual({ t: 'hello', sessions: [] });
    const send = (m: WireMessage) => ws.send(encodeFrame(m));
    const opened = nextMessage(ws, (m) => m.t === 'res' && m.id === 1);
    send({ t: 'req', id: 1, method: 'openFile', args: [capture] });
    const open = (await opened).msg as Extract<WireMessage, { t: 'res'; ok: true }>;
    expect(open.ok).toBe(true);
    const session = (open.value as { id: string }).id;
    const rows = nextMessage(ws, (m) => m.t === 'res' && m.id === 2);
    send({ t: 'req', id: 2, method: 'rows', args: [session, 0, 5] });
    const r = await rows;
    expect(r.binary).toBe(true);
    expect(((r.msg as Extract<WireMessage, { t: 'res'; ok: true }>).value as { buffer: unknown }).buffer).toBeInstanceOf(ArrayBuffer);
    const pkt = nextMessage(ws, (m) => m.t === 'res' && m.id === 3);
    send({ t: 'req', id: 3, method: 'packet', args: [session, 1] });
    expect((await pkt).binary).toBe(true);
    // A request the service would refuse is refused at the door, with the argument named.
    const bad = nextMessage(ws, (m) => m.t === 'res' && m.id === 4);
    send({ t: 'req', id: 4, method: 'rows', args: [session, 0] });
    expect((await bad).msg).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/takes 3/) } });
    const unknown = nextMessage(ws, (m) => m.t === 'res' && m.id === 5);
    send({ t: 'req', id: 5, method: 'constructor' as 'rows', args: [] });
    expect((await unknown).msg).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    // Leaving closes what this connection opened.
    await new Promise<void>((done) => { ws.once('close', () => done()); ws.close(); });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await service.progress(session).then(() => true, () => false))) await new Promise((x) => setTimeout(x, 20));
    await expect(service.progress(session)).rejects.toThrow();
  });

  it('drops a connection that sends garbage and keeps serving others', async () => {
    const { ws } = await connect();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(await closed).toBe(1002);
    const again = await connect();
    expect((await again.next((m) => m.t === 'hello')).msg.t).toBe('hello');
    again.ws.close();
  });
});
