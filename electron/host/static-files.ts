/**
 * Serves the built renderer (a folder of static files) for the WebSocket host. Only files inside
 * the folder, only GET/HEAD, with the CSP and headers that keep the token in the page URL from
 * leaking (no referrer) and the browser from guessing types.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** Shown when the renderer has not been built, so `dbwire serve` still says what to do. */
const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>dbwire</title>
<p>The dbwire user interface has not been built. Run <code>npm run build:renderer</code> and reload.</p>`;

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** The file under `root` for a URL path, or null (outside the folder, missing, not a file). */
export function resolveStatic(root: string, urlPath: string): string | null {
  let p: string;
  try { p = decodeURIComponent(urlPath); } catch { return null; }
  if (p.includes('\0')) return null;
  if (p === '/' || p === '') p = '/index.html';
  const base = resolve(root);
  const file = resolve(join(base, p));
  if (file !== base && !file.startsWith(base + sep)) return null;
  try { return statSync(file).isFile() ? file : null; } catch { return null; }
}

export function serveStatic(root: string, csp: string, req: IncomingMessage, res: ServerResponse): void {
  const headers = securityHeaders(csp);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const file = resolveStatic(root, path);
  if (!file) {
    if ((path === '/' || path === '/index.html') && !existsSync(join(root, 'index.html'))) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : NOT_BUILT);
      return;
    }
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(statSync(file).size),
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') { res.end(); return; }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
