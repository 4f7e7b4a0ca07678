/**
 * Strict content detection for RESP: a client's first bytes must be an array of bulk strings whose
 * first element is a command word; a server's must be a well-formed reply. Loose text ("+OK POP3")
 * is refused, so other line protocols are not claimed.
 */
import { lineLength, parseInt64 } from './lines';
import { scanMessage } from './scan';

const MAX_PROBE_ARGS = 1_000_000;

function isCommandWord(data: Uint8Array, off: number, end: number): boolean {
  if (end - off < 2 || end - off > 32) return false;
  for (let i = off; i < end; i++) {
    const b = data[i]!;
    const letter = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
    if (!letter && !(i > off && (b === 0x2d || b === 0x5f || b === 0x7c || (b >= 0x30 && b <= 0x39)))) return false;
  }
  return true;
}

/** Reads "<prefix>digits\r\n" at off; returns [value, next offset] or null. */
function header(data: Uint8Array, off: number, prefix: number): [number, number] | null {
  if (data[off] !== prefix) return null;
  const len = lineLength(data, off);
  if (len < 2 || data[off + len] !== 0x0d || data[off + len + 1] !== 0x0a) return null;
  for (let i = off + 1; i < off + len; i++) {
    const b = data[i]!;
    if (!(b >= 0x30 && b <= 0x39) && !(i === off + 1 && b === 0x2d)) return null;
  }
  const v = parseInt64(data, off + 1, off + len);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return [Number(v), off + len + 2];
}

function probeClient(data: Uint8Array): boolean {
  const arr = header(data, 0, 0x2a);
  if (!arr || arr[0] < 1 || arr[0] > MAX_PROBE_ARGS) return false;
  const bulk = header(data, arr[1], 0x24);
  if (!bulk || bulk[0] < 1) return false;
  const start = bulk[1];
  const end = start + bulk[0];
  if (end + 2 > data.length) return false; // the command word must be complete
  if (data[end] !== 0x0d || data[end + 1] !== 0x0a) return false;
  return isCommandWord(data, start, end);
}

function printableLine(data: Uint8Array, off: number, end: number): boolean {
  for (let i = off; i < end; i++) if (data[i]! < 0x20 || data[i]! > 0x7e) return false;
  return true;
}

function probeServer(data: Uint8Array): boolean {
  const t = data[0];
  const len = lineLength(data, 0);
  if (len < 1 || data[len] !== 0x0d || data[len + 1] !== 0x0a) return false;
  switch (t) {
    case 0x2b: // +WORD: simple status replies have no spaces (unlike "+OK POP3 server ready")
      return len >= 3 && /^[A-Z]+$/.test(String.fromCharCode(...data.subarray(1, Math.min(len, 64)))) && len < 64;
    case 0x2d: // -ERR message, -WRONGTYPE …
      return len >= 4 && printableLine(data, 1, len) && /^-[A-Z]{2,}( |$)/.test(String.fromCharCode(...data.subarray(0, Math.min(len, 40))));
    case 0x3a:
      return header(data, 0, 0x3a) !== null;
    case 0x24:
    case 0x2a: {
      const h = header(data, 0, t);
      if (!h) return false;
      if (h[0] === -1) return len === 3;
      // the value must be complete and well framed within what we have
      const r = scanMessage(data);
      return 'length' in r && r.length <= data.length && (t === 0x2a || data[r.length - 2] === 0x0d);
    }
    default:
      return false;
  }
}

export function probeResp(data: Uint8Array, fromServer: boolean): boolean {
  if (data.length < 3) return false;
  return fromServer ? probeServer(data) : probeClient(data);
}
