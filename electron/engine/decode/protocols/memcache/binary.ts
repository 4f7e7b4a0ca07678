/**
 * memcached binary protocol: a 24-byte header (magic, opcode, key length, extras length, data type,
 * status or reserved, total body length, opaque, CAS) then extras, key and value. Field layout and
 * the per-opcode checks follow Wireshark's packet-memcache.c.
 */
import { MEMCACHE, MEMCACHE_MAGIC, MEMCACHE_OPCODES, MEMCACHE_STATUS } from '../../../../../shared/fields/memcache';
import type { AppEvent } from '../../../analysis/events';
import { NEED_MORE } from '../../app';
import type { PacketInfo } from '../../packet-info';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { ascii } from './tokens';

const F = MEMCACHE.f;
export const HEADER_LEN = 24;

export function isBinaryMagic(b: number | undefined): boolean {
  return b === 0x80 || b === 0x81;
}

export function binaryPduLength(data: Uint8Array): number {
  if (data.length < HEADER_LEN) return NEED_MORE;
  const body = ((data[8]! << 24) | (data[9]! << 16) | (data[10]! << 8) | data[11]!) >>> 0;
  const total = HEADER_LEN + body;
  return total > data.length ? NEED_MORE : total;
}

const OP = {
  GET: 0x00, SET: 0x01, ADD: 0x02, REPLACE: 0x03, DELETE: 0x04, INCR: 0x05, DECR: 0x06, QUIT: 0x07,
  FLUSH: 0x08, GETQ: 0x09, NOOP: 0x0a, VERSION: 0x0b, GETK: 0x0c, GETKQ: 0x0d, APPEND: 0x0e,
  PREPEND: 0x0f, STAT: 0x10, SETQ: 0x11, ADDQ: 0x12, REPLACEQ: 0x13, DELETEQ: 0x14, INCRQ: 0x15,
  DECRQ: 0x16, QUITQ: 0x17, FLUSHQ: 0x18, APPENDQ: 0x19, PREPENDQ: 0x1a,
} satisfies Record<string, number>;

const GETS: readonly number[] = [OP.GET, OP.GETQ, OP.GETK, OP.GETKQ];
const STORES: readonly number[] = [OP.SET, OP.SETQ, OP.ADD, OP.ADDQ, OP.REPLACE, OP.REPLACEQ];
const ARITH: readonly number[] = [OP.INCR, OP.INCRQ, OP.DECR, OP.DECRQ];
const CONCAT: readonly number[] = [OP.APPEND, OP.APPENDQ, OP.PREPEND, OP.PREPENDQ];
/** Quiet opcodes: the server answers only on error (or a get hit), so no response is expected. */
const QUIET = new Set<number>([OP.GETQ, OP.GETKQ, OP.SETQ, OP.ADDQ, OP.REPLACEQ, OP.DELETEQ, OP.INCRQ,
  OP.DECRQ, OP.QUITQ, OP.FLUSHQ, OP.APPENDQ, OP.PREPENDQ, 0x1e /* GATQ */, 0x24 /* GATKQ */]);

export function opcodeName(op: number): string {
  return MEMCACHE_OPCODES[op] ?? `Unknown opcode (${op})`;
}
function opName(op: number): string {
  return MEMCACHE_OPCODES[op] ?? `Opcode ${op}`;
}

interface Cur {
  readonly tree: PacketTree;
  readonly tvb: Tvb;
  readonly parent: ProtoNode;
}

function dissectExtras(c: Cur, off: number, len: number, op: number, request: boolean): void {
  const { tree, tvb } = c;
  const start = off;
  let extras: ProtoNode | null = null;
  if (len) extras = tree.add(c.parent, F.extras, tvb, off, len, null);
  const under = extras ?? c.parent;
  let illegal = false;
  let missing = false;
  if (GETS.includes(op)) {
    if (len) {
      if (request) illegal = true;
      else { tree.item(under, F.extrasFlags, tvb, off, 4); off += 4; }
    } else if (!request) missing = true;
  } else if (STORES.includes(op)) {
    if (len) {
      if (request) {
        tree.item(under, F.extrasFlags, tvb, off, 4); off += 4;
        tree.item(under, F.extrasExpiration, tvb, off, 4); off += 4;
      } else illegal = true;
    } else if (request) missing = true;
  } else if (ARITH.includes(op)) {
    if (len) {
      if (request) {
        tree.add(under, F.extrasDelta, tvb, off, 8, tvb.u64(off)); off += 8;
        tree.add(under, F.extrasInitial, tvb, off, 8, tvb.u64(off)); off += 8;
        tree.item(under, F.extrasExpiration, tvb, off, 4); off += 4;
      } else illegal = true;
    } else if (request) missing = true;
  } else if (op === OP.FLUSH || op === OP.FLUSHQ) {
    if (len) { tree.item(under, F.extrasExpiration, tvb, off, 4); off += 4; }
  } else if ([OP.DELETE, OP.DELETEQ, OP.QUIT, OP.QUITQ, OP.VERSION, ...CONCAT, OP.STAT].includes(op)) {
    if (len) illegal = true;
  } else if (len) {
    tree.add(under, F.extrasUnknown, tvb, off, len, tvb.bytes(off, len));
    off += len;
  }
  const who = request ? 'Request' : 'Response';
  if (illegal) {
    const n = tree.add(under, F.extrasUnknown, tvb, off, len, tvb.bytes(off, len));
    tree.expert(n, F.extrasNotExpected, 'Warning', `${opName(op)} ${who} shall not have Extras`);
    off += len;
  } else if (missing) {
    tree.expert(c.parent, F.extrasMissing, 'Warning', `${opName(op)} ${who} must have Extras`, tvb, off, 0);
  }
  if (off - start !== len && extras) {
    tree.expert(extras, F.extrasNotExpected, 'Warning', `Illegal Extras length, should be ${off - start}`);
  }
}

function dissectKey(c: Cur, off: number, len: number, op: number, request: boolean): void {
  const { tree, tvb } = c;
  let item: ProtoNode | null = null;
  if (len) {
    tvb.check(off, len);
    item = tree.add(c.parent, F.key, tvb, off, len, ascii(tvb.data, off, off + len));
  }
  const who = request ? 'Request' : 'Response';
  if (len) {
    const never = op === OP.QUIT || op === OP.QUITQ || op === OP.NOOP || op === OP.VERSION;
    const notInResponse = [...STORES, OP.DELETE, OP.DELETEQ, OP.FLUSH, OP.FLUSHQ, ...CONCAT].includes(op);
    if (never || (notInResponse && !request)) {
      tree.expert(item, F.keyNotExpected, 'Warning', `${opName(op)} ${who} shall not have Key`);
    }
  } else if (request && [...GETS, ...STORES, OP.DELETE, OP.DELETEQ, ...ARITH].includes(op)) {
    tree.expert(c.parent, F.keyMissing, 'Warning', `${opName(op)} ${who} must have Key`, tvb, off, 0);
  }
}

function dissectValue(c: Cur, off: number, len: number, op: number, request: boolean): void {
  const { tree, tvb } = c;
  let item: ProtoNode | null = null;
  if (len > 0) {
    if (!request && (op === OP.INCR || op === OP.DECR)) {
      item = tree.add(c.parent, F.extrasResponse, tvb, off, 8, tvb.u64(off));
      if (len !== 8) tree.expert(item, F.valueInvalid, 'Warning', 'Illegal Value length, should be 8');
    } else {
      tvb.check(off, len);
      item = tree.add(c.parent, F.value, tvb, off, len, ascii(tvb.data, off, off + len));
    }
  }
  const who = request ? 'Request' : 'Response';
  if (len) {
    const notInRequest = [...GETS, OP.INCR, OP.DECR, OP.VERSION, OP.INCRQ, OP.DECRQ].includes(op);
    const never = [OP.DELETE, OP.QUIT, OP.FLUSH, OP.NOOP, OP.DELETEQ, OP.QUITQ, OP.FLUSHQ].includes(op);
    const notInResponse = [...STORES, ...CONCAT].includes(op);
    if ((notInRequest && request) || never || (notInResponse && !request)) {
      tree.expert(item, F.valueNotExpected, 'Warning', `${opName(op)} ${who} shall not have Value`);
    }
  } else if (request && [...STORES, ...CONCAT].includes(op)) {
    tree.expert(c.parent, F.valueMissing, 'Warning', `${opName(op)} ${who} must have Value`, tvb, off, 0);
  }
}

/** Dissect one binary message; returns its event. */
export function dissectBinary(tree: PacketTree, tvb: Tvb, parent: ProtoNode, pinfo: PacketInfo): AppEvent {
  const c: Cur = { tree, tvb, parent };
  const magic = tvb.u8(0);
  const op = tvb.u8(1);
  const keyLen = tvb.u16(2);
  const extrasLen = tvb.u8(4);
  const status = tvb.u16(6);
  const bodyLen = tvb.u32(8);
  const opaque = tvb.u32(12);
  const magicItem = tree.item(parent, F.magic, tvb, 0, 1);
  if (!MEMCACHE_MAGIC[magic]) tree.expert(magicItem, F.magicUnknown, 'Warning', `Unknown magic byte: ${magic}`);
  const opItem = tree.item(parent, F.opcode, tvb, 1, 1);
  if (!MEMCACHE_OPCODES[op]) tree.expert(opItem, F.opcodeUnknown, 'Warning', `Unknown opcode: ${op}`);
  const summary = `${opcodeName(op)} ${MEMCACHE_MAGIC[magic] ?? `Unknown magic (${magic})`}`;
  parent.text = `${MEMCACHE.label}, ${summary}`;
  // Each binary message replaces the Info column (Wireshark clears it per PDU).
  pinfo.colInfo = summary;
  tree.item(parent, F.keyLength, tvb, 2, 2);
  tree.item(parent, F.extrasLength, tvb, 4, 1);
  tree.item(parent, F.dataType, tvb, 5, 1);
  const request = (magic & 1) === 0; // an unknown magic with the low bit set is taken as a response
  if (!request) {
    const st = tree.item(parent, F.status, tvb, 6, 2);
    if (status !== 0) tree.expert(st, F.statusResponse, 'Note', `${opcodeName(op)}: ${MEMCACHE_STATUS[status] ?? `Status: ${status}`}`);
  } else {
    const rs = tree.item(parent, F.reserved, tvb, 6, 2);
    if (status !== 0) tree.expert(rs, F.reservedExpert, 'Warning', `Reserved value: ${status}`);
  }
  const valueLen = (bodyLen - extrasLen - keyLen) >>> 0;
  tree.generated(parent, F.valueLength, valueLen, undefined, tvb.ds, tvb.base + 8);
  tree.item(parent, F.totalBodyLength, tvb, 8, 4);
  tree.item(parent, F.opaque, tvb, 12, 4);
  tree.add(parent, F.cas, tvb, 16, 8, tvb.u64(16));
  let off = HEADER_LEN;
  if (status === 0) {
    dissectExtras(c, off, extrasLen, op, request);
    off += extrasLen;
    dissectKey(c, off, keyLen, op, request);
    off += keyLen;
    dissectValue(c, off, valueLen, op, request);
  } else if (bodyLen) {
    tvb.check(off, bodyLen);
    tree.add(parent, F.value, tvb, off, bodyLen, ascii(tvb.data, off, off + bodyLen));
    pinfo.colInfo += ` (${MEMCACHE_STATUS[status] ?? `Unknown status: ${status}`})`;
  } else {
    tree.expert(parent, F.valueMissing, 'Warning',
      `${opName(op)} with status ${MEMCACHE_STATUS[status] ?? 'Unknown'} (${status}) must have Value`, tvb, off, 0);
  }
  return binaryEvent(tvb, request, op, status, keyLen, extrasLen, bodyLen, opaque);
}

function binaryEvent(tvb: Tvb, request: boolean, op: number, status: number, keyLen: number,
  extrasLen: number, bodyLen: number, opaque: number): AppEvent {
  const name = MEMCACHE_OPCODES[op] ?? `Opcode 0x${op.toString(16).padStart(2, '0')}`;
  if (request) {
    const keyStart = HEADER_LEN + extrasLen;
    const keyEnd = Math.min(keyStart + keyLen, tvb.length, keyStart + 250);
    const key = keyLen && keyStart < tvb.length ? ascii(tvb.data, keyStart, keyEnd) : '';
    return {
      kind: 'request', command: name, statement: key ? `${name} ${key}` : name, key: opaque,
      ...(QUIET.has(op) ? { expectsResponse: false } : {}),
    };
  }
  // A STAT reply is a series of messages ended by one with an empty key.
  const final = op !== OP.STAT || keyLen === 0;
  if (status === 0 || status === 1) {
    const rows = GETS.includes(op) ? (status === 0 ? 1 : 0) : undefined;
    return { kind: 'response', status: 'ok', final, key: opaque, ...(rows !== undefined ? { rows } : {}) };
  }
  const body = bodyLen ? ascii(tvb.data, HEADER_LEN, Math.min(tvb.length, HEADER_LEN + Math.min(bodyLen, 512))) : '';
  const label = MEMCACHE_STATUS[status] ?? `Status ${status}`;
  return {
    kind: 'response', status: 'error', final: true, key: opaque,
    errorCode: `0x${status.toString(16).padStart(4, '0')}`,
    errorMessage: body && body !== label ? `${label}: ${body}` : label,
  };
}
