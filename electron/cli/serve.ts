/**
 * `dbwire serve [--port N] [--host ADDR] [FILE]`: the API over a WebSocket plus the renderer, for
 * a browser. The first line of output is the page URL with its token; FILE, when given, is opened
 * at start (as `wireshark -r`). Runs until interrupted.
 */
import { resolve } from 'node:path';
import { startHost, DEFAULT_HOST } from '../host/server';
import { isLoopbackHost } from '../host/access';
import { createEngineApi } from '../host/engine-api';
import type { SessionInfo } from '../../shared/api/types';
import { UsageError } from './usage-error';

export const SERVE_USAGE = 'serve     [--port N] [--host ADDR] [--renderer DIR] [FILE]\n' +
  '            the user interface and API for a browser; prints the URL (with its access token) first';

export interface ServeOptions {
  port: number;
  host: string;
  rendererDir?: string;
  file?: string;
}

export function parseServeOptions(argv: readonly string[]): ServeOptions {
  const o: ServeOptions = { port: 0, host: DEFAULT_HOST };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => { const v = argv[++i]; if (v === undefined) throw new UsageError(`${a} needs a value`); return v; };
    switch (a) {
      case '--port': case '-p': {
        const v = val();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`invalid --port "${v}": expected 0..65535`);
        o.port = n;
        break;
      }
      case '--host': o.host = val(); break;
      case '--renderer': o.rendererDir = resolve(val()); break;
      default:
        if (a.startsWith('-') || o.file !== undefined) throw new UsageError(`unexpected argument "${a}"`);
        o.file = resolve(a);
    }
  }
  return o;
}

export async function runServe(argv: string[]): Promise<number> {
  const o = parseServeOptions(argv);
  const engine = await createEngineApi();
  const hostSessions: SessionInfo[] = [];
  if (o.file !== undefined) {
    try {
      hostSessions.push(await engine.api.openFile(o.file));
    } catch (e) {
      process.stderr.write(`dbwire serve: ${o.file}: ${e instanceof Error ? e.message : String(e)}\n`);
      await engine.dispose();
      return 2;
    }
  }
  let host;
  try {
    host = await startHost({ api: engine.api, port: o.port, host: o.host, rendererDir: o.rendererDir, hostSessions });
  } catch (e) {
    process.stderr.write(`dbwire serve: cannot listen on ${o.host}:${o.port}: ${e instanceof Error ? e.message : String(e)}\n`);
    await engine.dispose();
    return 2;
  }
  process.stdout.write(`${host.url}\n`);
  if (!isLoopbackHost(o.host)) {
    process.stderr.write(`dbwire serve: warning: listening on ${o.host}, beyond this machine; anyone with the URL's token can read captures and files this user can read\n`);
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await host.close();
  await engine.dispose();
  return 0;
}
