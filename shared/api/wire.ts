/**
 * The messages the API transports carry (Electron MessagePort and WebSocket alike). A client
 * sends requests; the engine side answers each with one response and pushes events. Values are
 * whatever DbwireApi takes and returns; the WebSocket transport frames them with wire-codec.ts,
 * the MessagePort transport passes them by structured clone.
 */
import type { ApiEvent, ApiMethod, SessionInfo } from './types';

export interface WireRequest {
  readonly t: 'req';
  readonly id: number;
  readonly method: ApiMethod;
  readonly args: readonly unknown[];
}

/** Why a call failed, as the engine side reports it. */
export type WireErrorCode =
  /** An argument failed validation (nothing was done). */
  | 'invalid-argument'
  /** The method does not exist. */
  | 'unknown-method'
  /** The implementation threw (bad file, unknown session, I/O...). */
  | 'failed'
  /** The engine went away before answering (crash, disconnect). */
  | 'engine-stopped';

export interface WireError {
  readonly code: WireErrorCode;
  readonly message: string;
}

export type WireResponse =
  | { readonly t: 'res'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'res'; readonly id: number; readonly ok: false; readonly error: WireError };

export interface WireEvent {
  readonly t: 'evt';
  readonly event: ApiEvent;
}

/**
 * First message from the engine side on a new connection: sessions the host opened on its own
 * (`dbwire serve FILE`), so a client shows them without asking.
 */
export interface WireHello {
  readonly t: 'hello';
  readonly sessions: readonly SessionInfo[];
}

export type WireMessage = WireRequest | WireResponse | WireEvent | WireHello;

const KINDS = new Set(['req', 'res', 'evt', 'hello']);

/** Cheap shape check of anything received from a transport (the content is checked by whoever uses it). */
export function isWireMessage(m: unknown): m is WireMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { t?: unknown }).t;
  if (typeof t !== 'string' || !KINDS.has(t)) return false;
  if (t === 'req') {
    const r = m as { id?: unknown; method?: unknown; args?: unknown };
    return Number.isSafeInteger(r.id) && typeof r.method === 'string' && Array.isArray(r.args);
  }
  if (t === 'res') {
    const r = m as { id?: unknown; ok?: unknown; error?: unknown };
    if (!Number.isSafeInteger(r.id) || typeof r.ok !== 'boolean') return false;
    return r.ok || (typeof r.error === 'object' && r.error !== null);
  }
  if (t === 'evt') return typeof (m as { event?: unknown }).event === 'object';
  return Array.isArray((m as { sessions?: unknown }).sessions);
}
