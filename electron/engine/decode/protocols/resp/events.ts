/**
 * Turning RESP values into request/response events, with the bookkeeping Redis needs so pairing
 * does not drift: CLIENT REPLY OFF/SKIP (commands without a reply), pub/sub confirmations (one per
 * channel) and pushes (messages that answer no request).
 */
import type { AppEvent } from '../../../analysis/events';
import type { RespValue } from './dissect';

export interface RespSession {
  /** 'off' after CLIENT REPLY OFF; 'skip' while the next command's reply is suppressed. */
  replyMode: 'on' | 'off' | 'skip';
  /** The client has (p|s)subscribed: arrays like ["message", …] are pushes. */
  subscribed: boolean;
  /** Subscribe-family commands waiting for their confirmations (-1: until the count drops to 0). */
  subscribeWaits: number[];
}

export function newSession(): RespSession {
  return { replyMode: 'on', subscribed: false, subscribeWaits: [] };
}

const SUBSCRIBE_FAMILY = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);
const PUSH_KINDS = new Set(['message', 'pmessage', 'smessage', 'invalidate']);
const STATEMENT_MAX = 4096;

/** The words of a client command: a top-level array's elements, or an inline command line. */
function commandWords(v: RespValue): string[] | null {
  if (v.fragment && v.text !== undefined) {
    const words = v.text.trim().split(/\s+/).filter(Boolean);
    return words.length ? words : null;
  }
  if (v.type === 0x2a && v.elements && v.elements.length) {
    return v.elements.map((e) => e.text ?? '');
  }
  return null;
}

/** Events for a value the client sent. */
export function clientEvents(s: RespSession, v: RespValue): AppEvent[] {
  const words = commandWords(v);
  if (!words) return [];
  const command = words[0]!.toUpperCase();
  let statement = words.join(' ');
  if (v.seen !== undefined && v.seen > words.length) statement += ` …(${v.seen} arguments)`;
  if (statement.length > STATEMENT_MAX) statement = statement.slice(0, STATEMENT_MAX) + '…';
  const sub = (words[1] ?? '').toUpperCase();
  const mode = (words[2] ?? '').toUpperCase();
  let expectsResponse = true;
  if (command === 'CLIENT' && sub === 'REPLY') {
    // OFF and SKIP are not answered; ON is answered with +OK (see Redis' clientCommand).
    if (mode === 'ON') s.replyMode = 'on';
    else if (mode === 'OFF') { s.replyMode = 'off'; expectsResponse = false; }
    else if (mode === 'SKIP') { expectsResponse = false; if (s.replyMode !== 'off') s.replyMode = 'skip'; return [req()]; }
    else expectsResponse = s.replyMode === 'on';
  } else if (s.replyMode === 'off') {
    expectsResponse = false;
  } else if (s.replyMode === 'skip') {
    expectsResponse = false;
    s.replyMode = 'on';
  }
  if (command === 'RESET') {
    // RESET leaves pub/sub and turns replies back on; it is itself answered (+RESET).
    s.subscribed = false;
    s.subscribeWaits.length = 0;
    s.replyMode = 'on';
    expectsResponse = true;
  }
  const lower = command.toLowerCase();
  if (expectsResponse && SUBSCRIBE_FAMILY.has(lower)) {
    if (!lower.startsWith('un') && !lower.startsWith('pun') && !lower.startsWith('sun')) s.subscribed = true;
    s.subscribeWaits.push(words.length > 1 ? words.length - 1 : -1);
  }
  return [req()];

  function req(): AppEvent {
    return { kind: 'request', command, statement, expectsResponse };
  }
}

/** Events for a value the server sent. */
export function serverEvents(s: RespSession, v: RespValue): AppEvent[] {
  if (v.type === 0 || v.fragment) return []; // empty lines and non-RESP bytes answer nothing
  if (v.type === 0x7c) return []; // an attribute precedes the reply it describes
  if (v.type === 0x2a || v.type === 0x3e) {
    const first = v.elements?.[0]?.text?.toLowerCase();
    if (first !== undefined && SUBSCRIBE_FAMILY.has(first) && s.subscribeWaits.length) {
      const left = s.subscribeWaits[0]!;
      const remaining = Number(v.elements?.[2]?.text ?? '0');
      const done = left > 0 ? left === 1 : remaining === 0;
      if (done) s.subscribeWaits.shift();
      else if (left > 0) s.subscribeWaits[0] = left - 1;
      if (first.includes('unsubscribe') && remaining === 0) s.subscribed = false;
      return [{ kind: 'response', status: 'ok', final: done }];
    }
    if (v.type === 0x3e) return []; // RESP3 push: not an answer
    if (first !== undefined && isRESP2Push(s, first, v)) return [];
  }
  if (v.type === 0x2d || v.type === 0x21) {
    const text = v.text ?? '';
    const code = /^\S+/.exec(text)?.[0] ?? 'ERR';
    return [{ kind: 'response', status: 'error', errorCode: code, errorMessage: text, final: true }];
  }
  const rows = v.count !== undefined ? Math.max(0, Number(v.count)) : undefined;
  return [{ kind: 'response', status: 'ok', final: true, ...(rows !== undefined ? { rows } : {}) }];
}

function isRESP2Push(s: RespSession, first: string, v: RespValue): boolean {
  if (!PUSH_KINDS.has(first)) return false;
  if (s.subscribed) return true;
  // A capture that starts after SUBSCRIBE: recognise the message shapes themselves.
  const n = v.count ?? 0n;
  return (first === 'message' && n === 3n) || (first === 'pmessage' && n === 4n) || (first === 'smessage' && n === 3n);
}
