/**
 * Frames wire messages for a WebSocket. A message without binary parts is one JSON text frame;
 * one with ArrayBuffers or Uint8Arrays (row pages, packet bytes, conversation chunks) is one
 * binary frame whose JSON names each blob by index, so bytes never go through base64 or number
 * arrays. bigint and non-finite numbers, which JSON cannot carry, are tagged too.
 *
 *   binary frame: u32 magic "DBW1", u32 jsonBytes, json (UTF-8), u32 blobCount,
 *                 then per blob: u32 byteLength, bytes.   (little-endian)
 *
 * A tag is an object whose only key is TAG: { TAG: [kind, payload] }.
 */
import { isWireMessage, type WireMessage } from './wire';

export const FRAME_MAGIC = 0x31574244; // "DBW1" little-endian
const TAG = '\u0000';
/** Refuse frames whose declared sizes exceed what a frame can hold (hostile or corrupt input). */
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

type Tagged = { readonly [TAG]: readonly [string, unknown] };

function tag(kind: string, payload: unknown): Tagged {
  return { [TAG]: [kind, payload] } as Tagged;
}

function pack(value: unknown, blobs: Uint8Array[], seen: Set<object>): unknown {
  switch (typeof value) {
    case 'bigint': return tag('big', value.toString());
    case 'number': return Number.isFinite(value) ? value : tag('num', String(value));
    case 'object': break;
    default: return value;
  }
  if (value === null) return null;
  if (value instanceof ArrayBuffer) {
    blobs.push(new Uint8Array(value));
    return tag('ab', blobs.length - 1);
  }
  if (value instanceof Uint8Array) {
    blobs.push(value);
    return tag('u8', blobs.length - 1);
  }
  if (ArrayBuffer.isView(value)) throw new TypeError('wire-codec: only Uint8Array views are supported');
  if (seen.has(value)) throw new TypeError('wire-codec: cyclic value');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((v) => pack(v, blobs, seen));
  else {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) o[k] = pack(v, blobs, seen);
    out = o;
  }
  seen.delete(value);
  return out;
}

function unpack(value: unknown, blobs: readonly ArrayBuffer[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => unpack(v, blobs));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === TAG) {
    const t = (value as Tagged)[TAG];
    if (!Array.isArray(t) || t.length !== 2) throw new Error('wire-codec: bad tag');
    const [kind, payload] = t as [unknown, unknown];
    switch (kind) {
      case 'big': if (typeof payload === 'string' && /^-?\d+$/.test(payload)) return BigInt(payload); break;
      case 'num': if (payload === 'NaN' || payload === 'Infinity' || payload === '-Infinity') return Number(payload); break;
      case 'ab': case 'u8': {
        const b = typeof payload === 'number' ? blobs[payload] : undefined;
        if (b) return kind === 'ab' ? b : new Uint8Array(b);
        break;
      }
    }
    throw new Error(`wire-codec: bad ${String(kind)} tag`);
  }
  const o: Record<string, unknown> = {};
  for (const k of keys) o[k] = unpack((value as Record<string, unknown>)[k], blobs);
  return o;
}

/** A frame for WebSocket.send: a string (text frame) or an ArrayBuffer (binary frame). */
export function encodeFrame(msg: WireMessage): string | ArrayBuffer {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(pack(msg, blobs, new Set()));
  if (blobs.length === 0) return json;
  const jsonBytes = enc.encode(json);
  let size = 12 + jsonBytes.length;
  for (const b of blobs) size += 4 + b.byteLength;
  const buf = new ArrayBuffer(size);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  v.setUint32(0, FRAME_MAGIC, true);
  v.setUint32(4, jsonBytes.length, true);
  u8.set(jsonBytes, 8);
  let o = 8 + jsonBytes.length;
  v.setUint32(o, blobs.length, true);
  o += 4;
  for (const b of blobs) {
    v.setUint32(o, b.byteLength, true);
    u8.set(b, o + 4);
    o += 4 + b.byteLength;
  }
  return buf;
}

/** Parses a received frame; throws on anything that is not a well-formed wire message. */
export function decodeFrame(data: string | ArrayBuffer | Uint8Array): WireMessage {
  let json: string;
  const blobs: ArrayBuffer[] = [];
  if (typeof data === 'string') json = data;
  else {
    const u8 = data instanceof Uint8Array ? data : new Uint8Array(data);
    const v = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    const need = (o: number, n: number): void => {
      if (n < 0 || o + n > u8.byteLength) throw new Error('wire-codec: truncated frame');
    };
    need(0, 8);
    if (v.getUint32(0, true) !== FRAME_MAGIC) throw new Error('wire-codec: not a dbwire frame');
    const jsonLen = v.getUint32(4, true);
    need(8, jsonLen + 4);
    json = dec.decode(u8.subarray(8, 8 + jsonLen));
    let o = 8 + jsonLen;
    const count = v.getUint32(o, true);
    o += 4;
    // Each blob takes at least 4 bytes, so a hostile count cannot make this loop long.
    if (count * 4 > u8.byteLength - o) throw new Error('wire-codec: truncated frame');
    for (let i = 0; i < count; i++) {
      need(o, 4);
      const len = v.getUint32(o, true);
      need(o + 4, len);
      blobs.push(u8.slice(o + 4, o + 4 + len).buffer);
      o += 4 + len;
    }
    if (o !== u8.byteLength) throw new Error('wire-codec: trailing bytes in frame');
  }
  const msg = unpack(JSON.parse(json), blobs);
  if (!isWireMessage(msg)) throw new Error('wire-codec: not a wire message');
  return msg;
}
