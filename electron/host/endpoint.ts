/**
 * The engine side of one client connection (a WebSocket, or an Electron window's MessagePort):
 * checks each request, calls the service, answers, and forwards the service's events. Sessions a
 * connection opened are closed when it goes away (a closed window or tab leaks nothing); sessions
 * the host itself opened are announced in the hello and kept.
 */
import type { DbwireApi, SessionId, SessionInfo } from '../../shared/api/types';
import type { MessageTransport } from '../../shared/api/transport';
import type { WireError, WireRequest, WireResponse } from '../../shared/api/wire';
import { ApiInputError } from '../../shared/api/validate';
import { checkApiArgs, isApiMethod } from './api-args';

export interface EndpointOptions {
  /** Sessions opened by the host (announced in the hello, never closed by a client going away). */
  readonly hostSessions?: readonly SessionInfo[];
  /** Called after the connection closed and its sessions were closed. */
  readonly onClosed?: (reason: string) => void;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Serves `api` on `channel` until the channel closes. */
export function serveApi(api: DbwireApi, channel: MessageTransport, opts: EndpointOptions = {}): void {
  const owned = new Set<SessionId>();
  let open = true;
  const send: MessageTransport['send'] = (m) => {
    if (!open) return;
    try { channel.send(m); } catch { /* closing; onClose follows */ }
  };
  const unsubscribe = api.onEvent((event) => send({ t: 'evt', event }));

  channel.onMessage((m) => {
    if (m.t !== 'req') return;
    void answer(m).then(send);
  });
  channel.onClose((reason) => {
    if (!open) return;
    open = false;
    unsubscribe();
    const closing = [...owned].map((s) => api.closeSession(s).catch(() => { /* already gone */ }));
    void Promise.all(closing).then(() => opts.onClosed?.(reason));
  });
  send({ t: 'hello', sessions: opts.hostSessions ?? [] });

  async function answer(req: WireRequest): Promise<WireResponse> {
    const fail = (error: WireError): WireResponse => ({ t: 'res', id: req.id, ok: false, error });
    if (!isApiMethod(req.method)) return fail({ code: 'unknown-method', message: `no such method: ${String(req.method).slice(0, 64)}` });
    const bad = checkApiArgs(req.method, req.args);
    if (bad) return fail({ code: 'invalid-argument', message: bad });
    try {
      const fn = api[req.method] as (...a: readonly unknown[]) => Promise<unknown>;
      const value = await fn.apply(api, [...req.args]);
      track(req, value);
      return { t: 'res', id: req.id, ok: true, value };
    } catch (e) {
      return fail({ code: e instanceof ApiInputError ? 'invalid-argument' : 'failed', message: errorMessage(e) });
    }
  }

  function track(req: WireRequest, value: unknown): void {
    if ((req.method === 'openFile' || req.method === 'startCapture') && typeof value === 'object' && value !== null) {
      const id = (value as { id?: unknown }).id;
      if (typeof id === 'string') {
        if (open) owned.add(id);
        else void api.closeSession(id).catch(() => {}); // the client left while it was opening
      }
    } else if (req.method === 'closeSession') owned.delete(req.args[0] as string);
  }
}
