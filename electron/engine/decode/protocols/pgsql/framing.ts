/**
 * Message boundaries, resynchronisation and content detection for PostgreSQL.
 *
 * Framing follows Wireshark's pgsql_length: a message whose first byte is 0 has no type byte
 * (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest: length first); every other message is
 * a type byte plus a length that counts itself. Two exceptions Wireshark 4.0 does not handle but
 * we do: the server's one-byte answer to SSLRequest/GSSENCRequest, and the encrypted stream after
 * a positive answer (handed over whole, never parsed as PostgreSQL).
 */
import { NEED_MORE } from '../../app';
import {
  BE_TYPES, CANCEL_REQUEST_CODE, FE_TYPES, GSSENC_REQUEST_CODE, MAX_MESSAGE_LENGTH,
  MAX_STARTUP_LENGTH, SSL_REQUEST_CODE,
} from './constants';
import type { PgsqlState } from './state';

function u32(d: Uint8Array, off: number): number {
  return ((d[off]! << 24) >>> 0) + (d[off + 1]! << 16) + (d[off + 2]! << 8) + d[off + 3]!;
}

/** Is `len` (the length field) impossible for a message with this header size? */
function badLength(len: number, untyped: boolean): boolean {
  return untyped ? len < 8 || len > MAX_MESSAGE_LENGTH : len < 4 || len > MAX_MESSAGE_LENGTH;
}

/**
 * Length of the message at data[0]. A message whose length field is impossible is returned as
 * all the bytes at hand so that dissect() can mark it malformed (Wireshark shows such a segment
 * as "[Malformed Packet]" and resumes at the next segment).
 */
export function pgsqlPduLength(data: Uint8Array, s: PgsqlState, fromServer: boolean, off = 0): number {
  const have = data.length - off;
  if (have <= 0) return NEED_MORE;
  if (s.encrypted) return have;
  // The one-byte answer to SSLRequest ('S'/'N') or GSSENCRequest ('G'/'N'). Anything else (an
  // ErrorResponse from an old server, or a capture that missed the answer) is framed normally.
  const first = data[off]!;
  if (fromServer && s.pendingAnswer && (first === 0x4e || first === (s.pendingAnswer === 'ssl' ? 0x53 : 0x47))) return 1;
  const untyped = !fromServer && first === 0;
  const hdr = untyped ? 4 : 5;
  if (have < hdr) return NEED_MORE;
  const len = u32(data, untyped ? off : off + 1);
  if (badLength(len, untyped)) return have;
  return untyped ? len : len + 1;
}

/** Whether the bytes at `off` look like the start of a message for this direction. */
function plausibleAt(data: Uint8Array, off: number, fromServer: boolean): boolean {
  if (off + 5 > data.length) return false;
  const t = String.fromCharCode(data[off]!);
  const names = fromServer ? BE_TYPES : FE_TYPES;
  if (!Object.prototype.hasOwnProperty.call(names, t)) return false;
  const len = u32(data, off + 1);
  if (len < 4 || len > MAX_MESSAGE_LENGTH) return false;
  if (!fixedLengthOk(t, len, fromServer)) return false;
  const next = off + 1 + len;
  // When the following message is in view it must be plausible too (or end the data exactly).
  if (next === data.length) return true;
  if (next + 5 <= data.length) {
    const t2 = String.fromCharCode(data[next]!);
    const l2 = u32(data, next + 1);
    return Object.prototype.hasOwnProperty.call(names, t2) && l2 >= 4 && l2 <= MAX_MESSAGE_LENGTH;
  }
  return next > data.length ? len < 0x100000 : true;
}

/** Messages whose length is fixed by the protocol. */
function fixedLengthOk(t: string, len: number, fromServer: boolean): boolean {
  if (fromServer) {
    switch (t) {
      case 'Z': return len === 5;
      case 'K': return len === 12;
      case '1': case '2': case '3': case 'n': case 'I': case 's': case 'c': return len === 4;
      default: return true;
    }
  }
  switch (t) {
    case 'S': case 'H': case 'X': case 'c': return len === 4;
    default: return true;
  }
}

/** After lost bytes: the next offset where a plausible message starts, or -1. */
export function pgsqlResync(data: Uint8Array, s: PgsqlState, fromServer: boolean): number {
  if (s.encrypted) return data.length > 0 ? 0 : -1;
  for (let i = 0; i + 5 <= data.length; i++) {
    if (plausibleAt(data, i, fromServer)) return i;
  }
  return -1;
}

/** The untyped client messages (request code after the length). */
export function untypedKind(len: number, code: number): 'ssl' | 'gss' | 'cancel' | 'startup' | null {
  if (len === 8 && code === SSL_REQUEST_CODE) return 'ssl';
  if (len === 8 && code === GSSENC_REQUEST_CODE) return 'gss';
  if (len === 16 && code === CANCEL_REQUEST_CODE) return 'cancel';
  if (code >>> 16 === 3 && (code & 0xffff) <= 2) return 'startup';
  return null;
}

/** Is this a StartupMessage's parameter list: name/value C strings, ending in an empty name? */
function startupParamsOk(data: Uint8Array, start: number, end: number): boolean {
  let off = start;
  let pairs = 0;
  let sawUser = false;
  while (off < end) {
    if (data[off] === 0) return off + 1 === end && pairs > 0 && sawUser;
    const nameEnd = data.indexOf(0, off);
    if (nameEnd < 0 || nameEnd >= end) return false;
    for (let i = off; i < nameEnd; i++) {
      const c = data[i]!;
      if (c < 0x20 || c > 0x7e) return false;
    }
    if (nameEnd - off === 4 && data[off] === 0x75 && data[off + 1] === 0x73 && data[off + 2] === 0x65 && data[off + 3] === 0x72) sawUser = true;
    const valEnd = data.indexOf(0, nameEnd + 1);
    if (valEnd < 0 || valEnd >= end) return false;
    off = valEnd + 1;
    pairs++;
  }
  return false;
}

/**
 * Strict content probe: the client's first bytes are a StartupMessage (protocol 3.x, with a
 * well-formed parameter list naming a user, filling the segment), an SSLRequest, a GSSENCRequest
 * or a CancelRequest.
 * The server never speaks first in PostgreSQL, so server bytes never match.
 */
export function pgsqlProbe(data: Uint8Array, fromServer: boolean): boolean {
  if (fromServer || data.length < 8 || data[0] !== 0) return false;
  const len = u32(data, 0);
  const kind = untypedKind(len, u32(data, 4));
  if (kind === 'ssl' || kind === 'gss') return data.length === 8;
  if (kind === 'cancel') return data.length === 16;
  if (kind !== 'startup') return false;
  // A StartupMessage whose length field is wrong is still PostgreSQL (the server answers it with
  // an ErrorResponse; Zeek's bad-startup-message test): the parameter list decides.
  if (len !== data.length) return data.length <= MAX_STARTUP_LENGTH && startupParamsOk(data, 8, data.length);
  return len <= MAX_STARTUP_LENGTH && startupParamsOk(data, 8, len);
}

/**
 * Whether a connection on PostgreSQL's port really carries PostgreSQL (the driver calls this to
 * veto the port mapping; Wireshark forces pgsql on 5432 and mis-decodes HTTP or MySQL there).
 *
 * - With the client's first bytes: they must pass pgsqlProbe(), or — for a capture that starts
 *   mid-connection — be one or more complete, well-formed frontend messages.
 * - With only server bytes (the server spoke first: MySQL greets, PostgreSQL never does), or no
 *   bytes: true only if the server's bytes are complete, well-formed backend messages.
 */
export function looksLikePgsqlStream(firstClientBytes: Uint8Array | undefined, firstServerBytes?: Uint8Array): boolean {
  if (firstClientBytes && firstClientBytes.length > 0) {
    if (pgsqlProbe(firstClientBytes, false)) return true;
    if (untypedFrame(firstClientBytes)) return true;
    return wellFormedRun(firstClientBytes, false) && (!firstServerBytes?.length || wellFormedRun(firstServerBytes, true));
  }
  return !!firstServerBytes?.length && wellFormedRun(firstServerBytes, true);
}

/**
 * On PostgreSQL's port: an untyped message (length first) that fills the segment exactly, with a
 * request code we do not know — a scanner's probe, framed as PostgreSQL (Wireshark shows it as
 * type "Unknown"). HTTP and MySQL clients never start with a zero byte.
 */
function untypedFrame(d: Uint8Array): boolean {
  return d.length >= 8 && d[0] === 0 && u32(d, 0) === d.length && d.length <= MAX_STARTUP_LENGTH;
}

/** The bytes are a run of complete, known, correctly terminated typed messages. */
function wellFormedRun(data: Uint8Array, fromServer: boolean): boolean {
  const names = fromServer ? BE_TYPES : FE_TYPES;
  let off = 0;
  let count = 0;
  while (off < data.length) {
    if (off + 5 > data.length) return false;
    const t = String.fromCharCode(data[off]!);
    if (!Object.prototype.hasOwnProperty.call(names, t)) return false;
    const len = u32(data, off + 1);
    if (len < 4 || off + 1 + len > data.length || !fixedLengthOk(t, len, fromServer)) return false;
    if (!bodyOk(t, data, off + 5, off + 1 + len, fromServer)) return false;
    off += 1 + len;
    if (++count > 10000) break;
  }
  return count > 0;
}

/** Cheap structural checks of a message body, for the messages that have C strings. */
function bodyOk(t: string, d: Uint8Array, start: number, end: number, fromServer: boolean): boolean {
  const lastIsNul = end > start && d[end - 1] === 0;
  if (fromServer) {
    switch (t) {
      case 'E': case 'N': case 'C': case 'S': return lastIsNul;
      case 'Z': return d[start] === 0x49 || d[start] === 0x54 || d[start] === 0x45;
      case 'R': return end - start >= 4 && u32(d, start) <= 12;
      default: return true;
    }
  }
  switch (t) {
    case 'Q': case 'f': return lastIsNul && d.indexOf(0, start) === end - 1;
    case 'E': { const z = d.indexOf(0, start); return z >= 0 && z + 5 === end; }
    case 'D': case 'C': return (d[start] === 0x53 || d[start] === 0x50) && lastIsNul && d.indexOf(0, start + 1) === end - 1;
    case 'P': {
      const z1 = d.indexOf(0, start);
      const z2 = z1 < 0 ? -1 : d.indexOf(0, z1 + 1);
      if (z2 < 0 || z2 + 3 > end) return false;
      return z2 + 3 + 4 * ((d[z2 + 1]! << 8) | d[z2 + 2]!) === end;
    }
    case 'B': { const z1 = d.indexOf(0, start); return z1 >= 0 && z1 < end && d.indexOf(0, z1 + 1) < end && d.indexOf(0, z1 + 1) > 0; }
    default: return true;
  }
}
