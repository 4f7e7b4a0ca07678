// `dbwire serve` as a user runs it: the URL with its token is the first line, the socket listens
// on loopback only (as the kernel lists it), FILE is open for the first browser, the page is the
// renderer, and an interrupt stops it cleanly.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient } from '../../shared/api/client';
import { decodeRows } from '../../shared/api/rows';
import { connectWebSocket, type WebSocketLike } from '../../shared/api/transport-websocket';
import { makeDbCapture } from '../support/db-workload';
import { repoRoot } from '../support/paths';

type Serve = ChildProcessByStdio<null, Readable, Readable>;
const running: Serve[] = [];

function serve(args: string[]): { child: Serve; firstLine: Promise<string>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [join(repoRoot, 'electron/cli/dbwire.mjs'), 'serve', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '', err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    void exit.then((code) => reject(new Error(`dbwire serve exited (${code}) before printing a URL:\n${err}`)));
  });
  firstLine.catch(() => { /* tests that expect an early exit do not read the URL */ });
  return { child, firstLine, stderr: () => err, exit };
}

/** Local addresses of the TCP sockets listening on `port` (from /proc/net/tcp and tcp6). */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A: LISTEN
      const [addr, p] = cols[1]!.split(':');
      if (parseInt(p!, 16) === port) out.push(addr!);
    }
  }
  return out;
}

afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('dbwire serve', () => {
  it('prints the URL first, listens on loopback only, and serves FILE to the browser', async () => {
    const capture = await makeDbCapture();
    const s = serve(['--port', '0', capture]);
    const line = await s.firstLine;
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]{32,})$/.exec(line);
    expect(m, line).not.toBeNull();
    const port = Number(m![1]), token = m![2]!;
    expect(listeners(port)).toEqual(['0100007F']); // 127.0.0.1, nothing else
    expect(s.stderr()).toBe('');

    const page = await fetch(line);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toMatch(/<html|<!doctype html/i);

    const client = new ApiClient(await connectWebSocket(new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` }) as unknown as WebSocketLike));
    const [session] = await client.hostSessions();
    expect(session).toMatchObject({ file: capture, format: 'pcap', live: false });
    const page0 = await client.rows(session!.id, 0, 3);
    expect(decodeRows(page0.buffer).map((r) => r.num)).toEqual([1, 2, 3]);
    client.close();

    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
  });

  it('warns when told to listen beyond loopback', async () => {
    const s = serve(['--host', '0.0.0.0', '--port', '0']);
    const line = await s.firstLine;
    expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const deadline = Date.now() + 5000;
    while (!s.stderr().includes('warning') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.stderr()).toMatch(/warning: listening on 0\.0\.0\.0/);
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
  });

  it('refuses a FILE it cannot open, and bad options', async () => {
    const s = serve(['--port', '0', join(repoRoot, 'package.json')]);
    expect(await s.exit).toBe(2);
    expect(s.stderr()).toMatch(/package\.json/);
    const bad = serve(['--port', 'x']);
    expect(await bad.exit).toBe(1);
    expect(bad.stderr()).toMatch(/--port/);
  });
});
