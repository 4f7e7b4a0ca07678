/**
 * memcached text protocol. Framing: one command line (plus the data block of storage commands),
 * one reply line, or a multi-line reply (VALUE blocks or STAT lines up to END). Fields follow
 * Wireshark's packet-memcache.c, which recognises only the classic commands and replies: anything
 * else (touch, gat, verbosity, ERROR, numeric incr replies, meta commands) is a "Continuation"
 * without fields there, and here too — but every message still yields its request/response event.
 */
import { MEMCACHE } from '../../../../../shared/fields/memcache';
import type { AppEvent } from '../../../analysis/events';
import { NEED_MORE } from '../../app';
import type { PacketInfo } from '../../packet-info';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { type Line, type Token, ascii, readLine, scanUnsigned, strtoul, tokenIs, tokenText, tokens } from './tokens';

const F = MEMCACHE.f;

/** Storage commands carry a data block whose size is their 5th token (index 4). */
const STORAGE = new Set(['set', 'add', 'replace', 'append', 'prepend', 'cas']);
/** Replies that continue over several lines up to END. */
const MULTI_LINE = new Set(['VALUE', 'STAT', 'ITEM', 'PREFIX']);

function firstWord(data: Uint8Array, line: Line): string {
  let e = line.start;
  while (e < line.end && data[e] !== 0x20) e++;
  return e - line.start <= 16 ? ascii(data, line.start, e) : '';
}

/** Size of the data block announced by a line, or null when the line announces none. */
function dataBlockSize(data: Uint8Array, line: Line, word: string): number | null {
  const t = tokens(data, line, 8);
  if (STORAGE.has(word)) return scanUnsigned(data, t[4]);
  if (word === 'VALUE') return scanUnsigned(data, t[3]);
  if (word === 'ms') return scanUnsigned(data, t[2]); // meta set: ms <key> <datalen> <flags>*
  if (word === 'VA') return scanUnsigned(data, t[1]); // meta value: VA <datalen> <flags>*
  return null;
}

/** Length of the text message at data[0]. */
export function textPduLength(data: Uint8Array): number {
  const first = readLine(data, 0);
  if (!first) return NEED_MORE;
  const word = firstWord(data, first);
  let pos = first.next;
  const block = dataBlockSize(data, first, word);
  if (block !== null) {
    pos += block + 2;
    if (pos > data.length) return NEED_MORE;
  }
  if (!MULTI_LINE.has(word)) return pos;
  // Multi-line reply: continue while lines are of the same kind, up to and including END.
  for (;;) {
    const line = readLine(data, pos);
    if (!line) return NEED_MORE;
    const w = firstWord(data, line);
    if (w === 'END') return line.next;
    if (w !== word) return pos; // something else: the reply ends before it
    let next = line.next;
    const size = dataBlockSize(data, line, w);
    if (w === 'VALUE') {
      if (size === null) return line.next;
      next += size + 2;
      if (next > data.length) return NEED_MORE;
    }
    pos = next;
  }
}

// ---- dissection (Wireshark's field layout) ----

const RESPONSE_WORDS = new Set(['OK', 'END', 'STAT', 'VALUE', 'EXISTS', 'STORED', 'VERSION', 'DELETED', 'NOT_FOUND', 'NOT_STORED']);
const REQUEST_WORDS = new Set(['get', 'set', 'add', 'cas', 'gets', 'incr', 'decr', 'quit', 'stats', 'append', 'delete', 'replace', 'prepend', 'version', 'flush_all']);

interface Cur {
  readonly tree: PacketTree;
  readonly tvb: Tvb;
  readonly data: Uint8Array;
  readonly parent: ProtoNode;
}

function addStr(c: Cur, def: typeof F.key, t: Token): void {
  c.tree.add(c.parent, def, c.tvb, t.start, t.end - t.start, tokenText(c.data, t));
}

/** A number token of at most `max` characters (Wireshark refuses longer ones), cast to `bits`. */
function addNum(c: Cur, def: typeof F.flags, t: Token | undefined, max: number, bits: 16 | 32 | 64): boolean {
  if (!t || t.end - t.start > max) return false;
  const v = strtoul(c.data, t.start, t.end);
  const value = bits === 64 ? v : Number(v & (bits === 16 ? 0xffffn : 0xffffffffn));
  c.tree.add(c.parent, def, c.tvb, t.start, t.end - t.start, value);
  return true;
}

/** The data block after a header line: `bytes` long when complete, else what remains. */
function addDataBlock(c: Cur, off: number, bytes: number): number {
  const remaining = c.data.length - off;
  if (remaining <= 0) return off;
  const complete = remaining >= bytes + 2;
  const len = complete ? bytes : remaining;
  if (len > 0) c.tree.add(c.parent, F.value, c.tvb, off, len, ascii(c.data, off, off + len));
  return off + len + (complete ? 2 : 0);
}

function dissectRequest(c: Cur, line: Line, word: string): void {
  const t = tokens(c.data, line);
  // Wireshark gives up on a storage command whose byte count does not parse: no fields at all.
  if (STORAGE.has(word) && scanUnsigned(c.data, t[4]) === null) return;
  addStr(c, F.command, t[0]!);
  if (STORAGE.has(word)) {
    if (!t[1]) return;
    addStr(c, F.key, t[1]);
    if (!addNum(c, F.flags, t[2], 5, 16)) return;
    if (!addNum(c, F.expiration, t[3], 10, 32)) return;
    if (!addNum(c, F.valueLength, t[4], 10, 32)) return;
    const bytes = Number(strtoul(c.data, t[4]!.start, t[4]!.end) & 0xffffffffn);
    let i = 5;
    if (word === 'cas' && !addNum(c, F.cas, t[i++], 20, 64)) return;
    if (tokenIs(c.data, t[i], 'noreply')) addStr(c, F.noreply, t[i]!);
    addDataBlock(c, line.next, bytes);
    return;
  }
  switch (word) {
    case 'incr':
    case 'decr':
      if (!t[1]) return;
      addStr(c, F.key, t[1]);
      if (!t[2]) return;
      addStr(c, F.value, t[2]);
      if (tokenIs(c.data, t[3], 'noreply')) addStr(c, F.noreply, t[3]!);
      return;
    case 'delete':
    case 'flush_all': {
      let i = 1;
      if (word === 'delete') {
        if (!t[1]) return;
        addStr(c, F.key, t[1]);
        i = 2;
      }
      const x = t[i];
      if (!x || x.end - x.start > 10) return;
      if (tokenIs(c.data, x, 'noreply')) addStr(c, F.noreply, x);
      else addNum(c, F.expiration, x, 10, 32);
      if (word === 'flush_all' && tokenIs(c.data, t[i + 1], 'noreply')) addStr(c, F.noreply, t[i + 1]!);
      return;
    }
    case 'get':
    case 'gets':
      for (let i = 1; i < t.length; i++) addStr(c, F.key, t[i]!);
      return;
    case 'stats':
      if (t[1]) addStr(c, F.subcommand, t[1]);
      return;
    default:
      return;
  }
}

/** VALUE <key> <flags> <bytes> [<cas>] + data, repeated, then END. */
function dissectValues(c: Cur, from: number): void {
  let off = from;
  while (off < c.data.length) {
    const line = readLine(c.data, off);
    if (!line) return;
    const t = tokens(c.data, line);
    if (!tokenIs(c.data, t[0], 'VALUE')) return;
    if (!t[1]) return;
    addStr(c, F.key, t[1]);
    if (!addNum(c, F.flags, t[2], 5, 16)) return;
    if (!addNum(c, F.valueLength, t[3], 10, 32)) return;
    const bytes = Number(strtoul(c.data, t[3]!.start, t[3]!.end) & 0xffffffffn);
    if (t[4] && !addNum(c, F.cas, t[4], 20, 64)) return;
    if (t[5]) return;
    off = addDataBlock(c, line.next, bytes);
  }
}

/** STAT [<sub>:<slab>:|<slab>:]<name> <value>, repeated, then END. */
function dissectStats(c: Cur): void {
  let off = 0;
  while (off < c.data.length) {
    const line = readLine(c.data, off);
    if (!line) return;
    const t = tokens(c.data, line);
    if (!tokenIs(c.data, t[0], 'STAT')) return;
    addStr(c, F.command, t[0]!);
    let p = t[1]?.start ?? line.end;
    const colons: number[] = [];
    for (let i = p; i < line.end && colons.length < 3; i++) if (c.data[i] === 0x3a) colons.push(i);
    if (colons.length > 2) return;
    if (colons.length === 2) {
      c.tree.add(c.parent, F.subcommand, c.tvb, p, colons[0]! - p, ascii(c.data, p, colons[0]!));
      const s = colons[0]! + 1;
      if (colons[1]! - s > 10 || colons[1]! - s <= 0) return;
      c.tree.add(c.parent, F.slabclass, c.tvb, s, colons[1]! - s, Number(strtoul(c.data, s, colons[1]!) & 0xffffffffn));
      p = colons[1]! + 1;
    } else if (colons.length === 1) {
      if (colons[0]! - p > 10 || colons[0]! - p <= 0) return;
      c.tree.add(c.parent, F.slabclass, c.tvb, p, colons[0]! - p, Number(strtoul(c.data, p, colons[0]!) & 0xffffffffn));
      p = colons[0]! + 1;
    }
    const rest = tokens(c.data, { start: p, end: line.end, next: line.next }, 2);
    if (!rest[0]) return;
    addStr(c, F.name, rest[0]);
    if (!rest[1]) return;
    addStr(c, F.nameValue, rest[1]);
    off = line.next;
  }
}

function dissectResponse(c: Cur, line: Line, word: string): void {
  const t = tokens(c.data, line);
  if (word === 'VALUE') return dissectValues(c, 0);
  if (word === 'STAT') return dissectStats(c);
  if (word === 'VERSION') {
    if (t[1]) c.tree.add(c.parent, F.version, c.tvb, t[1].start, t[1].end - t[1].start, tokenText(c.data, t[1]));
    return;
  }
  addStr(c, F.response, t[0]!);
}

/** Count of VALUE (or meta VA) items in a reply, for the rows of its event. */
function countValues(data: Uint8Array): number {
  let n = 0;
  let off = 0;
  while (off < data.length) {
    const line = readLine(data, off);
    if (!line) break;
    const w = firstWord(data, line);
    if (w !== 'VALUE' && w !== 'VA') break;
    n++;
    const size = dataBlockSize(data, line, w);
    off = line.next + (size ?? 0) + 2;
  }
  return n;
}

const ERROR_WORDS = new Set(['ERROR', 'CLIENT_ERROR', 'SERVER_ERROR']);
/** Commands whose last argument may be "noreply". */
const NOREPLY_ABLE = new Set([...STORAGE, 'delete', 'incr', 'decr', 'touch', 'flush_all', 'verbosity']);
const META = new Set(['mg', 'ms', 'md', 'ma', 'me']);

function requestEvent(data: Uint8Array, line: Line, word: string): AppEvent {
  const t = tokens(data, line, 1024);
  const last = tokenText(data, t[t.length - 1]);
  const quiet = META.has(word) && t.slice(2).some((x) => tokenIs(data, x, 'q'));
  const noreply = (NOREPLY_ABLE.has(word) && last === 'noreply') || word === 'quit' || quiet;
  return {
    kind: 'request',
    command: word || tokenText(data, t[0]),
    statement: new TextDecoder('utf-8').decode(data.subarray(line.start, Math.min(line.end, line.start + 4096))),
    ...(noreply ? { expectsResponse: false } : {}),
  };
}

function responseEvent(data: Uint8Array, line: Line, word: string): AppEvent {
  if (ERROR_WORDS.has(word)) {
    const msg = ascii(data, line.start, line.end);
    return { kind: 'response', status: 'error', errorCode: word, errorMessage: msg, final: true };
  }
  if (word === 'VALUE' || word === 'VA') return { kind: 'response', status: 'ok', rows: countValues(data), final: true };
  if (word === 'END' || word === 'EN') return { kind: 'response', status: 'ok', rows: 0, final: true };
  return { kind: 'response', status: 'ok', final: true };
}

/** Dissect one text message; returns the event it stands for (null for an empty line). */
export function dissectText(tree: PacketTree, tvb: Tvb, parent: ProtoNode, pinfo: PacketInfo, fromServer: boolean): AppEvent | null {
  const data = tvb.data;
  const line = readLine(data, 0) ?? { start: 0, end: data.length, next: data.length };
  const word = firstWord(data, line);
  const c: Cur = { tree, tvb, data, parent };
  // Wireshark classifies by the first word alone, replies first, whatever the direction.
  const isResponse = RESPONSE_WORDS.has(word);
  const isRequest = !isResponse && REQUEST_WORDS.has(word);
  if (isResponse || isRequest) {
    pinfo.colInfo += `${ascii(data, line.start, line.end)} `;
    if (isResponse) dissectResponse(c, line, word);
    else dissectRequest(c, line, word);
  } else {
    pinfo.colInfo += pinfo.colInfo ? ' MEMCACHE Continuation' : 'MEMCACHE Continuation';
  }
  if (line.end === line.start) return null;
  return fromServer ? responseEvent(data, line, word) : requestEvent(data, line, word);
}
