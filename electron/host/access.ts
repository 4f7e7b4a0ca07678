/**
 * Who may talk to the WebSocket host: the token from the printed URL, compared in constant time;
 * a browser page of the host's own origin (a foreign page cannot drive the API even if it
 * guessed the port); and, while bound to loopback, only loopback Host names (a DNS-rebinding page
 * arrives with its own host name).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given), b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Splits a Host header ("127.0.0.1:8080", "[::1]:80") into name and port. */
export function parseHostHeader(v: string | undefined): { readonly name: string; readonly port: number } | null {
  if (!v) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(v);
  return m ? { name: m[1]!, port: Number(m[2]) } : null;
}

export interface AccessPolicy {
  readonly token: string;
  readonly port: number;
  /** Bound to loopback: Host names must be loopback ones too. */
  readonly loopbackOnly: boolean;
}

export type AccessDecision = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 401 | 403; readonly why: string };

/** Whether a request with these headers may use the host (HTTP pages and the WebSocket alike). */
export function checkHostHeader(policy: AccessPolicy, host: string | undefined): AccessDecision {
  const h = parseHostHeader(host);
  if (!h || h.port !== policy.port) return { ok: false, status: 400, why: 'bad Host header' };
  if (policy.loopbackOnly && !isLoopbackHost(h.name)) return { ok: false, status: 403, why: 'Host is not a loopback name' };
  return { ok: true };
}

/** The WebSocket upgrade: Host, Origin (same origin as the page, when a browser sends one), token. */
export function checkWebSocket(policy: AccessPolicy, headers: { readonly host?: string; readonly origin?: string }, url: URL): AccessDecision {
  const host = checkHostHeader(policy, headers.host);
  if (!host.ok) return host;
  if (headers.origin !== undefined && headers.origin !== `http://${headers.host}`) return { ok: false, status: 403, why: 'foreign Origin' };
  if (!tokenMatches(url.searchParams.get('token'), policy.token)) return { ok: false, status: 401, why: 'missing or wrong token' };
  return { ok: true };
}
