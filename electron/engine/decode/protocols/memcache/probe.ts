/**
 * Strict content detection for memcached: a binary header with a known magic, a known opcode and
 * consistent lengths, or a text line whose first word is a known command (client) or reply (server)
 * with an argument layout that fits it.
 */
import { MEMCACHE_OPCODES } from '../../../../../shared/fields/memcache';
import { HEADER_LEN } from './binary';
import { readLine, scanUnsigned, tokens, tokenText } from './tokens';

const MAX_KEY = 250;

function probeBinary(data: Uint8Array, fromServer: boolean): boolean {
  if (data.length < HEADER_LEN) return false;
  if (data[0] !== (fromServer ? 0x81 : 0x80)) return false;
  const op = data[1]!;
  if (MEMCACHE_OPCODES[op] === undefined && !(op >= 0x1b && op <= 0x24)) return false;
  const keyLen = (data[2]! << 8) | data[3]!;
  const extrasLen = data[4]!;
  if (data[5] !== 0) return false; // data type: only raw bytes exist
  if (!fromServer && (data[6] !== 0 || data[7] !== 0) && op !== 0x21 /* vbucket users */) return false;
  const body = ((data[8]! << 24) | (data[9]! << 16) | (data[10]! << 8) | data[11]!) >>> 0;
  return keyLen <= MAX_KEY && extrasLen + keyLen <= body && body <= 64 * 1024 * 1024;
}

function isKey(s: string): boolean {
  return s.length > 0 && s.length <= MAX_KEY && !/[\x00-\x20\x7f]/.test(s);
}
function isNum(s: string | undefined): boolean {
  return s !== undefined && /^\d{1,20}$/.test(s);
}

function probeText(data: Uint8Array, fromServer: boolean): boolean {
  const line = readLine(data, 0);
  if (!line || line.end === line.start) return false;
  if (data[line.end] !== 0x0d || data[line.end + 1] !== 0x0a) return false;
  const w = tokens(data, line, 16).map((t) => tokenText(data, t));
  const cmd = w[0]!;
  if (fromServer) {
    switch (cmd) {
      case 'VALUE': return w.length >= 4 && w.length <= 5 && isKey(w[1]!) && isNum(w[2]) && isNum(w[3]) && (w.length === 4 || isNum(w[4]));
      case 'STAT': return w.length >= 3;
      case 'VERSION': return w.length === 2;
      case 'STORED': case 'NOT_STORED': case 'EXISTS': case 'NOT_FOUND': case 'DELETED': case 'TOUCHED': case 'END':
        return w.length === 1;
      default: return false;
    }
  }
  const keys = w.slice(1);
  switch (cmd) {
    case 'get': case 'gets':
      return keys.length >= 1 && keys.every(isKey);
    case 'gat': case 'gats':
      return keys.length >= 2 && isNum(keys[0]) && keys.slice(1).every(isKey);
    case 'set': case 'add': case 'replace': case 'append': case 'prepend': case 'cas': {
      const n = cmd === 'cas' ? 5 : 4;
      if (keys.length < n || keys.length > n + 1) return false;
      if (!isKey(keys[0]!) || !keys.slice(1, n).every(isNum)) return false;
      if (keys.length === n + 1 && keys[n] !== 'noreply') return false;
      return scanUnsigned(data, tokens(data, line)[4]) !== null;
    }
    case 'delete':
      return keys.length >= 1 && keys.length <= 3 && isKey(keys[0]!);
    case 'incr': case 'decr':
      return (keys.length === 2 || (keys.length === 3 && keys[2] === 'noreply')) && isKey(keys[0]!) && isNum(keys[1]);
    case 'touch':
      return (keys.length === 2 || (keys.length === 3 && keys[2] === 'noreply')) && isKey(keys[0]!) && isNum(keys[1]);
    case 'stats':
      return keys.length <= 2;
    case 'version': case 'quit':
      return keys.length === 0;
    case 'flush_all':
      return keys.length <= 2;
    case 'verbosity':
      return keys.length >= 1 && keys.length <= 2 && isNum(keys[0]);
    default:
      return false;
  }
}

export function probeMemcache(data: Uint8Array, fromServer: boolean): boolean {
  if (data[0] === 0x80 || data[0] === 0x81) return probeBinary(data, fromServer);
  return probeText(data, fromServer);
}
