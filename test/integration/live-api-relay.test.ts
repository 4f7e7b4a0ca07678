// Live capture through the API with the capture process started the way the Electron app starts
// it: the engine's launcher (electron/app/capture-launcher-port.ts) asks its parent over a port,
// and the parent starts the process and relays its messages. In the app the parent is the main
// process with utilityProcess.fork; here it forks a Node process (Electron cannot run under vitest),
// so what is proven is the engine side of the relay protocol with a real capture behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRows } from '../../shared/api/rows';
import { forkLauncher, type CaptureChild } from '../../electron/capture/launcher';
import type { CaptureConfig } from '../../electron/capture/types';
import { portCaptureLauncher, type CaptureRelayReply, type CaptureRelayRequest } from '../../electron/app/capture-launcher-port';
import { createService, type DbwireService } from '../../electron/service';
import { createLiveCaptureProvider } from '../../electron/service/capture-provider-live';
import { freePort } from '../support/servers';
import { tshark } from '../support/tshark';
import { delay } from '../support/timing';

let dir: string;
let api: DbwireService;
let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-live-relay-'));
  port = await freePort();
  server = createServer((s) => s.on('data', (b) => s.write(b)));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));

  // The parent's side: start the process on request, relay both ways.
  const children = new Map<number, CaptureChild>();
  let deliver: (m: CaptureRelayReply) => boolean = () => false;
  const parent = (m: CaptureRelayRequest): void => {
    requests.push(m.type);
    if (m.type === 'capture-launch') {
      const child = forkLauncher(JSON.parse(m.config) as CaptureConfig);
      children.set(m.id, child);
      deliver({ type: 'capture-spawn', id: m.id, pid: child.pid ?? -1 });
      child.onMessage((message) => deliver({ type: 'capture-message', id: m.id, message }));
      child.onStderr((text) => deliver({ type: 'capture-stderr', id: m.id, text }));
      child.onExit((code) => { children.delete(m.id); deliver({ type: 'capture-exit', id: m.id, code: code ?? 1 }); });
    } else if (m.type === 'capture-control') children.get(m.id)?.send(m.message);
    else children.get(m.id)?.kill();
  };
  const relay = portCaptureLauncher({ postMessage: (m) => setImmediate(() => parent(m as CaptureRelayRequest)) });
  deliver = (m) => relay.deliver(structuredClone(m));
  api = createService({ captureProvider: createLiveCaptureProvider({ spoolDir: dir, flushMs: 50, launcher: relay.launcher }) });
});

afterAll(async () => {
  await api?.dispose();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('live capture with a relayed capture process', () => {
  it('captures, shows rows while running, stops and saves', async () => {
    const info = await api.startCapture({ iface: 'lo', filter: `tcp port ${port}` });
    expect(requests[0]).toBe('capture-launch');
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write('hello relay');
    await new Promise((r) => sock.once('data', r));

    const end = Date.now() + 3000;
    let total = 0;
    while (Date.now() < end) {
      total = (await api.rows(info.id, 0, 50)).total;
      if (total >= 5) break;
      await delay(50);
    }
    // Handshake, data, echo and their ACKs, read from the growing spool while capturing.
    expect(total).toBeGreaterThanOrEqual(5);
    const rows = decodeRows((await api.rows(info.id, 0, 3)).buffer);
    expect(rows[0]!.info).toMatch(/\[SYN\]/);

    sock.end();
    await delay(200);
    await api.stopCapture(info.id);
    expect(requests).toContain('capture-control');
    const p = await api.progress(info.id);
    expect(p.done).toBe(true);
    const saved = join(dir, 'relay.pcapng');
    await api.saveCapture(info.id, saved);
    expect(p.frames).toBe((await tshark(saved, { fields: ['frame.number'] })).length);
  });
});
